"""Insurance of collateral (DOMAIN.md §14; seed 004 ch. 3 §2 p.11).

The MFO is the beneficiary. A payout above the secured debt is the pledgor's money and goes
to them within 3 business days of its receipt.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from core.money import ZERO, to_tiyn

# seed 004 ch. 3 §2 p.11: "в течение 3 (трех) рабочих дней с момента ее получения"
EXCESS_PAYMENT_BUSINESS_DAYS = 3

AddBusinessDays = Callable[[date, int], date]


@dataclass(frozen=True)
class ExcessPayment:
    amount: Decimal
    due: date


@dataclass(frozen=True)
class InsurancePolicy:
    item_id: Hashable
    expires_on: date  # the last day of cover
    number: str = ""


def insurance_excess(payout: Decimal, secured_debt: Decimal) -> Decimal:
    """The part of the payout above the secured debt, to the tiyn; zero when there is none."""
    for amount in (payout, secured_debt):
        if not isinstance(amount, Decimal):
            raise TypeError("money must be Decimal")
        if amount < 0:
            raise ValueError("payout and secured debt must not be negative")
    return to_tiyn(max(payout - secured_debt, ZERO))


def excess_payment_due(received_on: date, add_business_days: AddBusinessDays) -> date:
    """The last day to pay the excess: the 3rd business day after the day of receipt.

    The period runs from the day after receipt, as periods do under the Civil Code, so a
    payout received on Thursday 8 January 2026 is due by Tuesday 13 January.
    ``add_business_days`` is ``BusinessCalendar.add_business_days`` or a stand-in.
    """
    return add_business_days(received_on, EXCESS_PAYMENT_BUSINESS_DAYS)


def excess_to_pledgor(
    payout: Decimal,
    secured_debt: Decimal,
    received_on: date,
    add_business_days: AddBusinessDays,
) -> ExcessPayment | None:
    """What the pledgor is owed from a payout and by when; ``None`` when the debt absorbs it."""
    amount = insurance_excess(payout, secured_debt)
    if amount == 0:
        return None
    return ExcessPayment(amount, excess_payment_due(received_on, add_business_days))


def insurance_expiring(
    policies: Iterable[InsurancePolicy], as_of: date, days_ahead: int
) -> list[InsurancePolicy]:
    """Items whose cover ends within ``days_ahead`` days from ``as_of`` (both days included).

    Only an item's latest-ending policy counts: a renewal already on file silences the reminder
    for the policy it replaces. Soonest first.
    """
    if days_ahead < 0:
        raise ValueError("days_ahead must not be negative")
    horizon = as_of + timedelta(days=days_ahead)
    return [p for p in _latest_per_item(policies) if as_of <= p.expires_on <= horizon]


def insurance_lapsed(policies: Iterable[InsurancePolicy], as_of: date) -> list[InsurancePolicy]:
    """Items whose latest cover ended before ``as_of``, longest lapsed first."""
    return [p for p in _latest_per_item(policies) if p.expires_on < as_of]


def _latest_per_item(policies: Iterable[InsurancePolicy]) -> list[InsurancePolicy]:
    latest: dict[Hashable, InsurancePolicy] = {}
    for policy in policies:
        known = latest.get(policy.item_id)
        if known is None or policy.expires_on > known.expires_on:
            latest[policy.item_id] = policy
    return sorted(latest.values(), key=lambda policy: policy.expires_on)
