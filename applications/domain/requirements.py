"""Borrower requirements (DOMAIN.md §4): who may borrow, for what. Pure.

Each failed requirement is a ``Refusal`` with a code and parameters; the edges translate it.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date

INDIVIDUAL = "individual"
ENTREPRENEUR = "individual_entrepreneur"
LEGAL_ENTITY = "legal_entity"


@dataclass(frozen=True)
class Refusal:
    field: str
    code: str
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class BorrowerProfile:
    kind: str
    birth_date: date | None
    region: str
    activity_code: str
    purpose: str
    in_liquidation: bool = False
    offshore: bool = False


@dataclass(frozen=True)
class LendingRules:
    min_age: int = 18
    max_age: int = 65  # for an individual entrepreneur, on the application date
    served_regions: frozenset[str] = frozenset()  # empty: every region
    excluded_activities: frozenset[str] = frozenset()
    product_purposes: frozenset[str] = frozenset()


def age_on(birth_date: date, on: date) -> int:
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def borrower_refusals(profile: BorrowerProfile, rules: LendingRules, *, on: date) -> list[Refusal]:
    refusals = []
    if profile.kind in (INDIVIDUAL, ENTREPRENEUR) and profile.birth_date is not None:
        age = age_on(profile.birth_date, on)
        # the upper age bound is set for entrepreneurs (seed 004); a person must be of age
        too_old = profile.kind == ENTREPRENEUR and age > rules.max_age
        if age < rules.min_age or too_old:
            refusals.append(
                Refusal(
                    "birth_date",
                    "age_out_of_range",
                    {"age": age, "min": rules.min_age, "max": rules.max_age},
                )
            )
    if rules.served_regions and profile.region not in rules.served_regions:
        refusals.append(Refusal("region", "region_not_served", {"region": profile.region}))
    if profile.activity_code and _is_excluded(profile.activity_code, rules.excluded_activities):
        refusals.append(
            Refusal("activity_code", "activity_not_financed", {"activity": profile.activity_code})
        )
    if rules.product_purposes and profile.purpose not in rules.product_purposes:
        refusals.append(Refusal("purpose", "purpose_not_financed", {"purpose": profile.purpose}))
    if profile.kind == LEGAL_ENTITY and profile.in_liquidation:
        refusals.append(Refusal("applicant", "entity_in_liquidation"))
    if profile.offshore:
        refusals.append(Refusal("applicant", "offshore_registration"))
    return refusals


def _is_excluded(activity_code: str, excluded: Collection[str]) -> bool:
    """An excluded code excludes its sub-codes too: "92" excludes "92.00.1" (gambling)."""
    return any(activity_code == code or activity_code.startswith(code + ".") for code in excluded)
