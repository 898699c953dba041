"""The other MFO norms of NBRK res. 192 (DOMAIN.md §12): minimum capital, k1 capital
adequacy, k2 single-borrower risk, k3 leverage. Pure: plain Decimals in, verdicts out.

"At least" norms comply when equal to the limit, "at most" norms too. A ratio over own capital
has no meaning when own capital is zero or negative; then that norm is breached outright (the
MFO has no capital to bear any risk or to back any liability) and the ratio is None.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from core.money import to_tiyn


@dataclass(frozen=True)
class Limits:
    """The regulatory values in force on the date of the run."""

    min_capital: Decimal  # KZT, own capital at least
    k1a_min: Decimal  # own capital / assets, at least
    k2_max: Decimal  # largest exposure / own capital, at most
    k3_max: Decimal  # liabilities / own capital, at most


@dataclass(frozen=True)
class Figures:
    own_capital: Decimal  # may be negative: losses larger than the paid-in capital
    assets: Decimal
    liabilities: Decimal
    largest_exposure: Decimal  # of one borrower or one group of related borrowers


@dataclass(frozen=True)
class Verdict:
    min_capital_breached: bool
    k1a: Decimal | None
    k1a_breached: bool
    k2: Decimal | None
    k2_breached: bool
    k3: Decimal | None
    k3_breached: bool

    @property
    def breached(self) -> bool:
        return (
            self.min_capital_breached or self.k1a_breached or self.k2_breached or self.k3_breached
        )


def ratio(part: Decimal, whole: Decimal) -> Decimal | None:
    """part / whole at full precision; None when the whole is not positive."""
    return part / whole if whole > 0 else None


def capital_adequacy(own_capital: Decimal, assets: Decimal) -> Decimal | None:
    """k1: own capital / assets (negative when own capital is)."""
    return ratio(own_capital, assets)


def single_borrower_risk(exposure: Decimal, own_capital: Decimal) -> Decimal | None:
    """k2: the largest exposure to one borrower or group / own capital."""
    return ratio(exposure, own_capital)


def leverage(liabilities: Decimal, own_capital: Decimal) -> Decimal | None:
    """k3: liabilities / own capital."""
    return ratio(liabilities, own_capital)


def k2_limit_amount(own_capital: Decimal, k2_max: Decimal) -> Decimal:
    """The most one borrower or group may owe, in KZT (nothing without positive capital)."""
    return to_tiyn(max(own_capital, Decimal(0)) * k2_max)


def exposure_passes(exposure: Decimal, own_capital: Decimal, k2_max: Decimal) -> bool:
    """An exposure complies with k2 when it does not exceed k2_max of own capital."""
    if own_capital <= 0:
        return exposure <= 0
    return exposure / own_capital <= k2_max


def norms_verdict(figures: Figures, limits: Limits) -> Verdict:
    k1a = capital_adequacy(figures.own_capital, figures.assets)
    k2 = single_borrower_risk(figures.largest_exposure, figures.own_capital)
    k3 = leverage(figures.liabilities, figures.own_capital)
    return Verdict(
        min_capital_breached=figures.own_capital < limits.min_capital,
        k1a=k1a,
        k1a_breached=k1a is None or k1a < limits.k1a_min,
        k2=k2,
        k2_breached=not exposure_passes(
            figures.largest_exposure, figures.own_capital, limits.k2_max
        ),
        k3=k3,
        # Without positive own capital every tenge of liabilities is unbacked.
        k3_breached=k3 > limits.k3_max if k3 is not None else figures.liabilities > 0,
    )
