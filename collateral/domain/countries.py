"""Country groups for the age limits of vehicles and special machinery (seed 004 ch. 2 §3 p.1 4)).

"far": USA, Japan, Europe, South Korea, Canada (7 years); "near": CIS and China (3 years).
A code in neither group is not guessed at: the item gets a reason, and the MFO may extend
the groups through ``CollateralRules``.
"""

from __future__ import annotations

# Countries by ISO 3166-1 alpha-2 code of the make (the brand), not of the assembly plant.
EU = frozenset(
    {
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
    }
)
# EFTA, the United Kingdom, the microstates and the Western Balkans
EUROPE = EU | {"CH", "IS", "LI", "NO", "GB", "AD", "MC", "SM", "VA", "AL", "BA", "ME", "MK", "RS"}
# CIS members and the associate Turkmenistan. Ukraine and Georgia have left but their makes
# are of the same post-Soviet industry; they take the stricter limit rather than Europe's.
CIS = frozenset({"AM", "AZ", "BY", "KZ", "KG", "MD", "RU", "TJ", "UZ", "TM", "UA", "GE"})
FAR_COUNTRIES = frozenset({"US", "JP", "KR", "CA"}) | EUROPE
NEAR_COUNTRIES = CIS | {"CN"}
