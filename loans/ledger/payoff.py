"""Paying the loan off (DOMAIN.md §9): what closes it on a date, the payoff as the schedule's
last line, and the loan settled once every obligation is met.

The quote and the posting run the same arithmetic: ``payoff_from`` takes the loan's figures at
the end of the date, read from its closed days (``payoff_at``) or simulated
(``simulate.simulate_loan_through``); ``loans.domain.prepayment`` computes what closes the loan.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from core.errors import ConflictError
from core.money import ZERO
from core.regulation import regulatory_value
from lending.domain.dates import add_years
from lending.domain.daycount import DayCount, days_between
from lending.domain.schedule import Installment as Line
from loans.domain.allocation import Component as Debt
from loans.domain.prepayment import PayoffQuote, payoff_quote
from loans.domain.servicing import Position, ScheduleTotals, debts_due
from loans.guards import require_status
from loans.ledger.close import reclose_loan
from loans.ledger.days import SERVICED
from loans.ledger.schedules import version_store
from loans.models import ArchivedFile, Loan, LoanSnapshot, Restructuring, ScheduleVersion
from loans.selectors import current_installments, loan_position, schedule_totals


def payoff_at(loan: Loan, on: date) -> PayoffQuote:
    """What closes the loan on ``on``, the loan's days being closed through ``on``."""
    return payoff_from(
        loan,
        on,
        loan_position(loan, on=on),
        schedule_totals(loan, on=on),
        loan.snapshots.filter(on=on).first(),
    )


def payoff_from(
    loan: Loan,
    on: date,
    position: Position,
    totals: ScheduleTotals,
    snapshot: LoanSnapshot | None,
) -> PayoffQuote:
    """What closes the loan on ``on`` given its figures at the end of that day: read from the
    closed days (``payoff_at``) or simulated (``payoff_quote_on``); ``snapshot``: the close's
    snapshot of ``on``."""
    due = debts_due(position, totals)
    principal_due = due[Debt.OVERDUE_PRINCIPAL] + due[Debt.CURRENT_PRINCIPAL]
    return payoff_quote(
        on=on,
        principal_outstanding=max(ZERO, position.principal) - principal_due,
        interest_from=totals.last_due_date or loan.disbursed_on,
        annual_rate=loan.annual_rate,
        day_count=DayCount(loan.day_count),
        overdue=sum(due.values(), ZERO) - due[Debt.PENALTY],
        penalties=due[Debt.PENALTY],
        held=max(ZERO, position.held),
        stopped_days=_stopped_days(snapshot, on),
    )


def _stopped_days(snapshot: LoanSnapshot | None, on: date) -> int:
    """Days since the last due date on which no interest accrued (the full stop, §12)."""
    if snapshot is None or snapshot.on != on:
        return 0
    return snapshot.period_stopped_days or 0


def settle_schedule_in_full(loan: Loan, quote: PayoffQuote, *, by) -> ScheduleVersion:
    """The payoff becomes the schedule's last line, due on the quote's date; the loan is
    re-closed for that day so the interest to the day is charged and the money meets it."""
    on = quote.on
    kept = list(current_installments(loan).filter(due_date__lte=on))
    # the interest to the day before the full stop's waiver: the close waives it again, alike
    line = line_due_on(loan, on, quote.principal, quote.interest + quote.interest_waived)
    version = version_store(
        loan,
        reason=ScheduleVersion.Reason.FULL_PREPAYMENT,
        effective_on=on,
        kept=kept,
        settled=[line],
        by=by,
    )
    # the day itself only: the money is allocated next, then every later day is re-run with it
    reclose_loan(loan_id=loan.pk, since=on, through=on)
    return version


def line_due_on(loan: Loan, on: date, principal: Decimal, interest: Decimal) -> Line:
    """A schedule line due on ``on`` (a payoff, a prepayment) after the current version's last
    line due by then."""
    previous = loan.installments.filter(version=loan.schedule_version, due_date__lte=on)
    last = previous.order_by("-number").first()
    since = last.due_date if last else loan.disbursed_on
    balance = (last.balance if last else loan.amount) - principal
    return Line(
        number=0,
        due_date=on,
        days=days_between(since, on, DayCount(loan.day_count)),
        principal=principal,
        interest=interest,
        total=principal + interest,
        balance=balance,
    )


def _open_obligations(loan: Loan) -> list[str]:
    position = loan_position(loan)
    owed = {
        _("principal"): position.principal,
        _("interest"): position.interest,
        _("penalties and fines"): position.penalty,
    }
    return [str(name) for name, value in owed.items() if value != 0]


def settle_loan(loan: Loan, *, on: date, by) -> int:
    """Close a locked loan whose every obligation is met and archive its credit file; money
    still held for the borrower waits for their refund application (DOMAIN.md §9). Returns
    the years the file is kept; the use-case that settles records it (``loan.closed``)."""
    require_status(loan, *SERVICED)
    if open_items := _open_obligations(loan):
        raise ConflictError(
            _("The loan still has open obligations: %(items)s.") % {"items": ", ".join(open_items)},
            field="loan",
            code="obligations_open",
        )
    loan.status, loan.closed_on = Loan.Status.CLOSED, on
    loan.save(update_fields=["status", "closed_on"])
    # a change of terms still waiting for the committee has nothing left to change
    loan.restructurings.filter(
        status__in=[
            Restructuring.Status.REQUESTED,
            Restructuring.Status.ON_AGENDA,
            Restructuring.Status.APPROVED,
        ]
    ).update(status=Restructuring.Status.WITHDRAWN)
    # Snapshots after the closing day (a backdated payoff) would show a loan that no longer is.
    LoanSnapshot.objects.filter(loan=loan, on__gt=on).delete()
    years = int(regulatory_value("credit_file_retention_years", on=on))
    ArchivedFile.objects.create(
        loan=loan,
        archived_on=on,
        keep_until=add_years(on, years),
        archived_by=by if getattr(by, "is_authenticated", False) else None,
    )
    return years
