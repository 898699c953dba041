"""GESV, the annual effective rate (DOMAIN.md §7).

    Σ S_j / (1 + X)^(t_j/365) = Σ P_i / (1 + X)^(t_i/365),  t in days from the first payout.

The root is bracketed and found in floats (fast), then refined by Newton's method in
``Decimal`` to ~45 significant digits, so the rounding to tenths (hundredths ≥ 5 round up) is
decided on the exact root, not on a float that may sit either side of a .x5 boundary.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal, localcontext

from lending.domain.errors import InvalidCashFlows
from lending.domain.schedule import Schedule

CashFlow = tuple[date, Decimal]

DAYS_IN_YEAR = 365
TENTH = Decimal("0.1")
_DIGITS = 50  # working precision of the refinement, plus the digits of a huge rate
_TIE_DIGITS = 30  # a root this close to a .x5 boundary is the boundary within our arithmetic
# ln(1 + X) searched within these bounds: X from −1 + e^−4096 up to e^512 (about 1e222).
_LOWEST_LOG_GROWTH = -4096.0
_HIGHEST_LOG_GROWTH = 512.0


def gesv(payouts: Iterable[CashFlow], payments: Iterable[CashFlow]) -> Decimal:
    """The GESV in percent, rounded to tenths with hundredths ≥ 5 rounding up.

    ``payouts``: (date, amount) paid to the borrower; the earliest is the disbursement.
    ``payments``: (date, amount) the borrower pays: principal, interest and fees, never
    penalties. Fees paid at disbursement are simply payments on that date.
    """
    rate = effective_rate(payouts, payments)
    with localcontext() as context:
        context.prec = max(_DIGITS, rate.adjusted() + 2 + _DIGITS)  # exact: no digit lost
        percent = rate * 100
        boundary = (percent * 10).to_integral_value(rounding=ROUND_FLOOR) / 10 + Decimal("0.05")
        if abs(percent - boundary) <= Decimal(10) ** (max(percent.adjusted(), 0) - _TIE_DIGITS):
            percent = boundary  # an exact tie: round up, as the rule says
        result = percent.quantize(TENTH, rounding=ROUND_HALF_UP)
    return abs(result) if result.is_zero() else result


def effective_rate(payouts: Iterable[CashFlow], payments: Iterable[CashFlow]) -> Decimal:
    """The exact root X as a fraction (0.05 is 5 %), to about 45 significant digits."""
    flows = _net_flows(list(payouts), list(payments))
    if sum(amount for _, amount in flows) == 0:
        return Decimal(0)  # a zero-rate loan: the payments repay exactly what was paid out
    log_growth = _float_root(flows)
    return _refine(flows, log_growth)


def gesv_of_schedule(schedule: Schedule, fees: Iterable[CashFlow] = ()) -> Decimal:
    """GESV of a schedule; ``fees`` are other payments to the MFO (never penalties)."""
    payments = [(line.due_date, line.total) for line in schedule.installments]
    return gesv([(schedule.start_date, schedule.amount)], [*payments, *fees])


def gesv_after_change(
    as_of: date, outstanding_balance: Decimal, remaining_payments: Iterable[CashFlow]
) -> Decimal:
    """GESV recalculated on a change of terms: the balance outstanding on ``as_of`` against
    the payments still to come; earlier payments are ignored (DOMAIN.md §7)."""
    remaining = list(remaining_payments)
    if any(day < as_of for day, _ in remaining):
        raise InvalidCashFlows(
            "A recalculation counts only payments from the date of the change on.",
            field="remaining_payments",
            code="payment_before_change",
        )
    return gesv([(as_of, outstanding_balance)], remaining)


def _net_flows(
    payouts: Sequence[CashFlow], payments: Sequence[CashFlow]
) -> list[tuple[int, Decimal]]:
    """(days from the disbursement, payments − payouts) by date, in date order."""
    for field, flows in (("payouts", payouts), ("payments", payments)):
        if not any(amount for _, amount in flows):
            raise InvalidCashFlows(f"Give at least one non-zero amount in {field}.", field=field)
        for _, amount in flows:
            if isinstance(amount, float):
                raise TypeError("cash flows must be Decimal, never float")
            if amount < 0:
                raise InvalidCashFlows(
                    f"Amounts in {field} must not be negative.", field=field, code="negative_amount"
                )
    start = min(day for day, amount in payouts if amount)
    if any(day < start for day, amount in payments if amount):
        raise InvalidCashFlows(
            "A payment falls before the disbursement.",
            field="payments",
            code="payment_before_payout",
        )
    net: dict[int, Decimal] = {}
    for sign, flows in ((-1, payouts), (1, payments)):
        for day, amount in flows:
            offset = (day - start).days
            net[offset] = net.get(offset, Decimal(0)) + sign * amount
    ordered = [(offset, amount) for offset, amount in sorted(net.items()) if amount]
    # Money must first go to the borrower and finally come back, or no rate balances the flows.
    if not ordered or ordered[0][1] > 0 or ordered[-1][1] < 0:
        raise InvalidCashFlows(
            "These cash flows have no effective rate: the disbursement must exceed what is paid "
            "on its day, and the last flow must be a payment.",
            field="payments",
            code="no_effective_rate",
        )
    return ordered


def _float_root(flows: Sequence[tuple[int, Decimal]]) -> float:
    """y = ln(1 + X) to float precision, by Newton's method kept inside a bracket."""
    years = [offset / DAYS_IN_YEAR for offset, _ in flows]
    amounts = [float(amount) for _, amount in flows]
    horizon = years[-1]

    def value(y: float) -> tuple[float, float]:
        # Both forms have the same sign and roots; each keeps its exponents ≤ 0 (no overflow).
        if y >= 0:
            weights = [(math.exp(-y * t), -t) for t in years]
        else:
            weights = [(math.exp(y * (horizon - t)), horizon - t) for t in years]
        f = sum(a * w for a, (w, _) in zip(amounts, weights, strict=True))
        slope = sum(a * w * d for a, (w, d) in zip(amounts, weights, strict=True))
        return f, slope

    # f > 0 below the root and f < 0 above it: money out first, money back last.
    if value(0.0)[0] > 0:
        low, high = 0.0, 1.0
        while value(high)[0] > 0:
            low, high = high, high * 2
            if high > _HIGHEST_LOG_GROWTH:
                raise _out_of_range()
    else:
        low, high = -1.0, 0.0
        while value(low)[0] < 0:
            low, high = low * 2, low
            if low < _LOWEST_LOG_GROWTH:
                raise _out_of_range()

    y = _first_guess(years, amounts, low, high)
    for _ in range(200):
        f, slope = value(y)
        if f == 0:
            return y
        if f > 0:
            low = y
        else:
            high = y
        step = y - f / slope if slope else math.nan
        following = step if low < step < high else (low + high) / 2
        if abs(following - y) <= 1e-15 * max(1.0, abs(y)) or high - low <= 1e-15 * max(1.0, abs(y)):
            return following
        y = following
    return y


def _first_guess(years: list[float], amounts: list[float], low: float, high: float) -> float:
    # ln(paid back / paid out) over the gap between their mean times: exact for two flows.
    paid = [(t, a) for t, a in zip(years, amounts, strict=True) if a > 0]
    lent = [(t, -a) for t, a in zip(years, amounts, strict=True) if a < 0]
    total_paid, total_lent = sum(a for _, a in paid), sum(a for _, a in lent)
    gap = sum(t * a for t, a in paid) / total_paid - sum(t * a for t, a in lent) / total_lent
    if gap > 0:
        guess = math.log(total_paid / total_lent) / gap
        if low < guess < high:
            return guess
    return (low + high) / 2


def _refine(flows: Sequence[tuple[int, Decimal]], log_growth: float) -> Decimal:
    """Newton's method in Decimal on the daily discount factor q = (1 + X)^(−1/365)."""
    digits = _DIGITS + max(0, math.ceil(log_growth / math.log(10)))
    with localcontext() as context:
        context.prec = digits
        q = Decimal(math.exp(-log_growth / DAYS_IN_YEAR))
        tolerance = Decimal(10) ** (8 - digits)
        for _ in range(20):
            f, slope = _value_and_slope(flows, q)
            step = f / slope
            q -= step
            if abs(step) <= q * tolerance:
                return 1 / q**DAYS_IN_YEAR - 1
    raise ArithmeticError("GESV refinement did not converge")  # a bug, not a user error


def _value_and_slope(flows: Sequence[tuple[int, Decimal]], q: Decimal) -> tuple[Decimal, Decimal]:
    """Σ a·q^t and its derivative in q, with powers built up from the previous flow's."""
    power, previous = Decimal(1), 0
    steps: dict[int, Decimal] = {}
    value = slope = Decimal(0)
    for offset, amount in flows:
        gap = offset - previous
        if gap not in steps:
            steps[gap] = q**gap
        power *= steps[gap]
        previous = offset
        value += amount * power
        slope += amount * offset * power
    return value, slope / q


def _out_of_range() -> InvalidCashFlows:
    return InvalidCashFlows(
        "The effective rate of these cash flows is outside any meaningful range.",
        field="payments",
        code="effective_rate_out_of_range",
    )
