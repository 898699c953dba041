"""Schedule versions stored as instalment rows, with grace dates and cumulative totals; the
loan's terms and its current schedule as the calculation core sees them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from core.money import ZERO
from core.selectors import business_calendar
from lending.domain.dates import roll_to_business_day
from lending.domain.daycount import DayCount
from lending.domain.schedule import Installment as Line
from lending.domain.schedule import LoanTerms, Method, Schedule, build_schedule
from loans.models import Installment, Loan, ScheduleVersion

Reason = ScheduleVersion.Reason


def loan_terms(loan: Loan, *, disbursement_date) -> LoanTerms:
    return LoanTerms(
        amount=loan.amount,
        annual_rate=loan.annual_rate,
        term_months=loan.term_months,
        method=loan.method,
        day_count=loan.day_count,
        disbursement_date=disbursement_date,
        grace_months=loan.grace_months,
        payment_multiple=loan.payment_multiple,
    )


def loan_schedule(loan: Loan, *, disbursement_date) -> Schedule:
    return build_schedule(loan_terms(loan, disbursement_date=disbursement_date))


def schedule_store(
    loan: Loan, schedule: Schedule, *, version: int, by=None, gesv: Decimal | None = None
) -> list[Installment]:
    """Write the contract's (0) or the disbursement's (1) schedule as version ``version``."""
    ScheduleVersion.objects.update_or_create(
        loan=loan,
        version=version,
        defaults=_version_fields(
            schedule,
            reason=Reason.CONTRACT if version == 0 else Reason.DISBURSEMENT,
            effective_on=schedule.start_date,
            history_lines=0,
            by=by,
            gesv=gesv if gesv is not None else loan.gesv,
        ),
    )
    return Installment.objects.bulk_create(_rows(loan, version, [], [], schedule))


def version_store(
    loan: Loan,
    *,
    reason: str,
    effective_on: date,
    kept: Sequence[Installment],
    settled: Sequence[Line] = (),
    schedule: Schedule | None = None,
    principal_repaid_cap: Decimal | None = None,
    gesv: Decimal | None = None,
    by=None,
) -> ScheduleVersion:
    """A new version of the loan's schedule, made current from ``effective_on``.

    ``kept``: the current rows that stay as they are (already due); ``settled``: lines due on
    ``effective_on`` itself (a prepayment, a payoff), payable that day; ``schedule``: the new
    schedule after them. With ``principal_repaid_cap`` the kept rows count no more principal
    than was repaid: a change of terms reschedules unpaid principal instead.
    """
    number = (
        ScheduleVersion.objects.filter(loan=loan)
        .order_by("-version")
        .values_list("version", flat=True)[:1]
        .first()
        or 0
    ) + 1
    number = max(number, loan.schedule_version + 1)
    template = schedule or Schedule(
        amount=sum((line.principal for line in settled), ZERO),
        start_date=effective_on,
        annual_rate=loan.annual_rate,
        day_count=DayCount(loan.day_count),
        method=Method(loan.method),
        payment_multiple=loan.payment_multiple,
        grace_months=0,
        payment=None,
        principal_part=None,
        installments=(),
    )
    version = ScheduleVersion.objects.create(
        loan=loan,
        version=number,
        **_version_fields(
            template,
            reason=reason,
            effective_on=effective_on,
            history_lines=len(kept) + len(settled),
            by=by,
            gesv=gesv,
        ),
    )
    Installment.objects.bulk_create(
        _rows(loan, number, kept, settled, schedule, principal_repaid_cap)
    )
    loan.schedule_version, loan.schedule_changed_on = number, effective_on
    loan.save(update_fields=["schedule_version", "schedule_changed_on"])
    return version


def _version_fields(schedule: Schedule, *, reason, effective_on, history_lines, by, gesv) -> dict:
    return {
        "reason": reason,
        "effective_on": effective_on,
        "history_lines": history_lines,
        "amount": schedule.amount,
        "start_date": schedule.start_date,
        "annual_rate": schedule.annual_rate,
        "method": schedule.method.value,
        "grace_months": schedule.grace_months,
        "payment": schedule.payment,
        "principal_part": schedule.principal_part,
        "gesv": gesv,
        "created_by": by if getattr(by, "is_authenticated", False) else None,
    }


def _rows(
    loan: Loan,
    version: int,
    kept: Sequence[Installment],
    settled: Sequence[Line],
    schedule: Schedule | None,
    principal_repaid_cap: Decimal | None = None,
) -> list[Installment]:
    rows: list[Installment] = []
    principal = interest = ZERO
    for old in kept:
        principal = old.cumulative_principal
        if principal_repaid_cap is not None:
            principal = min(principal, principal_repaid_cap)
        interest = old.cumulative_interest
        row = _row(loan, version, len(rows) + 1, old, old.grace_date, principal, interest)
        row.cumulative_interest_waived = old.cumulative_interest_waived
        rows.append(row)
    for line in settled:
        principal += line.principal
        interest += line.interest
        rows.append(_row(loan, version, len(rows) + 1, line, line.due_date, principal, interest))
    lines = schedule.installments if schedule else ()
    if lines:
        calendar = business_calendar(
            years=range(lines[0].due_date.year, lines[-1].due_date.year + 2)
        )
        for line in lines:
            principal += line.principal
            interest += line.interest
            grace = roll_to_business_day(line.due_date, calendar.is_business_day)
            rows.append(_row(loan, version, len(rows) + 1, line, grace, principal, interest))
    return rows


def _row(loan, version, number, line, grace_date, principal, interest) -> Installment:
    return Installment(
        loan=loan,
        version=version,
        number=number,
        due_date=line.due_date,
        grace_date=grace_date,
        days=line.days,
        principal=line.principal,
        interest=line.interest,
        total=line.total,
        balance=line.balance,
        cumulative_principal=principal,
        cumulative_interest=interest,
        status=getattr(line, "status", Installment.Status.PENDING),
    )


def current_schedule(loan: Loan) -> Schedule:
    """The current version's own schedule as the calculation core sees it."""
    version = ScheduleVersion.objects.get(loan=loan, version=loan.schedule_version)
    if version.reason in (Reason.CONTRACT, Reason.DISBURSEMENT):
        return loan_schedule(loan, disbursement_date=version.start_date)
    rows = loan.installments.filter(
        version=version.version, number__gt=version.history_lines
    ).order_by("number")
    return Schedule(
        amount=version.amount,
        start_date=version.start_date,
        annual_rate=version.annual_rate,
        day_count=DayCount(loan.day_count),
        method=Method(version.method),
        payment_multiple=loan.payment_multiple,
        grace_months=version.grace_months,
        payment=version.payment,
        principal_part=version.principal_part,
        installments=tuple(
            Line(
                number=index,
                due_date=row.due_date,
                days=row.days,
                principal=row.principal,
                interest=row.interest,
                total=row.total,
                balance=row.balance,
            )
            for index, row in enumerate(rows, start=1)
        ),
    )
