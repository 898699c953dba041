"""Changes of terms: the borrower's written request, the committee's vote, the additional
agreement that rebuilds the schedule from the date of the change (DOMAIN.md §7, §9).

The request goes on a committee meeting's agenda like an application and is voted the same
way (``applications.committee``); only the decision and its effect are the loan's.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.agenda import agenda_item_add, lock_meeting
from core.audit import audit
from core.errors import ConflictError, DomainError
from lending.domain.dates import add_months
from lending.domain.daycount import DayCount
from lending.domain.gesv import gesv_after_change
from lending.domain.interest import accrued_interest
from lending.domain.schedule import Method, Schedule, due_dates, schedule_over
from loans.domain.allocation import Component as Debt
from loans.domain.servicing import Position, ScheduleTotals, debts_due
from loans.guards import check_effective_date, lock_loan, require_status
from loans.ledger.close import bring_loan_up_to, reclose_loan
from loans.ledger.schedules import version_store
from loans.ledger.simulate import close_read, simulate_loan_through
from loans.models import Loan, Restructuring, ScheduleVersion
from loans.selectors import current_installments, loan_position, schedule_totals

CHANGEABLE_METHODS = (Method.ANNUITY, Method.DIFFERENTIATED, Method.INTEREST_ONLY)


@dataclass(frozen=True)
class RestructuringPlan:
    on: date
    principal: Decimal  # outstanding on the date, late principal included: all rescheduled
    annual_rate: Decimal
    term_months: int
    method: Method
    grace_months: int
    schedule: Schedule
    gesv: Decimal


def _new_terms(loan: Loan, request: Restructuring) -> tuple[Decimal, int | None, Method, int]:
    rate = request.annual_rate if request.annual_rate is not None else loan.annual_rate
    method = Method(request.method or loan.method)
    grace = request.grace_months if request.grace_months is not None else 0
    return rate, request.term_months, method, grace


def _check_request(loan: Loan, request: Restructuring) -> None:
    if not request.reason.strip():
        raise DomainError(_("State why the terms should change."), field="reason", code="required")
    changes = (request.annual_rate, request.term_months, request.grace_months, request.method)
    if all(value in (None, "") for value in changes):
        raise DomainError(
            _("Ask for at least one change: rate, term, grace or method."),
            field="term_months",
            code="no_change",
        )
    if request.annual_rate is not None:
        if request.annual_rate < 0:
            raise DomainError(
                _("The rate cannot be negative."), field="annual_rate", code="invalid"
            )
        if request.annual_rate > loan.gesv_cap:
            # at such rates the GESV is above the rate: no schedule could be lawful
            raise DomainError(
                _("The rate may not exceed %(cap)s %% a year, the loan's GESV cap.")
                % {"cap": f"{loan.gesv_cap.normalize():f}"},
                field="annual_rate",
                code="rate_above_cap",
            )
        if request.annual_rate > loan.annual_rate and not request.consent_to_higher_rate:
            raise DomainError(
                _("The rate may be raised only with the borrower's written consent."),
                field="annual_rate",
                code="higher_rate_without_consent",
            )
    if request.method and request.method not in CHANGEABLE_METHODS:
        raise DomainError(
            _("A custom schedule is agreed as a new contract, not as a change."),
            field="method",
            code="method_not_changeable",
        )
    if request.term_months is not None and not 1 <= request.term_months <= 600:
        raise DomainError(
            _("The term must be at least one instalment."), field="term_months", code="invalid"
        )


def _plan(
    loan: Loan, request: Restructuring, on: date, position: Position, totals: ScheduleTotals
) -> RestructuringPlan:
    """``position`` and ``totals``: the loan's at the end of ``on`` (closed or simulated). The
    new schedule amortises all the
    principal outstanding, late principal included, from ``on`` at the new rate; the interest
    earned since the last due date on the principal not yet due (at the old rate) is added to
    its first instalment, so no day's interest is lost or charged twice (late principal has
    borne its overdue interest through ``on``). Unpaid interest and penalties stay due."""
    rate, term, method, grace = _new_terms(loan, request)
    due = debts_due(position, totals)
    not_due = position.principal - due[Debt.OVERDUE_PRINCIPAL] - due[Debt.CURRENT_PRINCIPAL]
    earned = accrued_interest(
        not_due,
        loan.annual_rate,
        totals.last_due_date or loan.disbursed_on,
        on,
        DayCount(loan.day_count),
    )
    lines = list(current_installments(loan))
    after = [line for line in lines if line.due_date > on]
    pay_day = lines[0].due_date.day if lines else loan.disbursed_on.day
    first_due = after[0].due_date if after else add_months(on, 1, day=pay_day)
    while first_due <= on:
        first_due = add_months(first_due, 1, day=pay_day)
    term = term or max(1, len(after))
    if grace >= term:
        raise DomainError(
            _("The grace period must be shorter than the term."),
            field="grace_months",
            code="grace_not_shorter_than_term",
        )
    schedule = schedule_over(
        amount=position.principal,
        start_date=on,
        due=due_dates(first_due, term, pay_day),
        annual_rate=rate,
        day_count=DayCount(loan.day_count),
        method=method,
        grace_months=grace,
        payment_multiple=loan.payment_multiple,
    )
    if earned:
        first = schedule.installments[0]
        first = replace(first, interest=first.interest + earned, total=first.total + earned)
        schedule = replace(schedule, installments=(first, *schedule.installments[1:]))
    gesv = gesv_after_change(
        on, position.principal, [(line.due_date, line.total) for line in schedule.installments]
    )
    if gesv > loan.gesv_cap:
        raise DomainError(
            _("The GESV after the change would be %(gesv)s %%, above the cap of %(cap)s %%.")
            % {"gesv": gesv, "cap": f"{loan.gesv_cap.normalize():f}"},
            field="annual_rate",
            code="gesv_above_cap",
        )
    return RestructuringPlan(on, position.principal, rate, term, method, grace, schedule, gesv)


def restructuring_preview(
    *, restructuring_id: int, on: date, today: date | None = None
) -> RestructuringPlan:
    """The schedule the change would give from ``on``; nothing is kept. A read like the payoff
    quote: the days to ``on`` are simulated, never closed (``close_read``)."""
    with close_read():
        request = Restructuring.objects.select_related("loan").get(pk=restructuring_id)
        require_status(request.loan, Loan.Status.ACTIVE)
        check_effective_date(request.loan, on, today or timezone.localdate())
        simulated = simulate_loan_through(loan_id=request.loan_id, through=on)
        return _plan(request.loan, request, on, simulated.position, simulated.totals)


@transaction.atomic(durable=True)
def restructuring_request(
    *,
    loan_id: int,
    requested_on: date,
    reason: str,
    by,
    annual_rate: Decimal | None = None,
    term_months: int | None = None,
    grace_months: int | None = None,
    method: str = "",
    consent_to_higher_rate: bool = False,
    today: date | None = None,
) -> Restructuring:
    """Register the borrower's written request; it then goes to the committee."""
    today = today or timezone.localdate()
    loan = lock_loan(loan_id)
    require_status(loan, Loan.Status.ACTIVE)
    if requested_on is None or requested_on > today:
        raise DomainError(
            _("The request date cannot be in the future."), field="requested_on", code="invalid"
        )
    if loan.restructurings.filter(
        status__in=[Restructuring.Status.REQUESTED, Restructuring.Status.ON_AGENDA]
    ).exists():
        raise ConflictError(
            _("A request to change the terms of this loan is already pending."),
            field="loan",
            code="request_pending",
        )
    request = Restructuring(
        loan=loan,
        requested_on=requested_on,
        reason=(reason or "").strip(),
        annual_rate=annual_rate,
        term_months=term_months,
        grace_months=grace_months,
        method=method or "",
        consent_to_higher_rate=consent_to_higher_rate,
        registered_by=by,
    )
    _check_request(loan, request)
    request.number = f"RS-{loan.number}-{loan.restructurings.count() + 1:02d}"
    request.save()
    audit(loan, "loan.restructuring_requested", by=by, data={"request": request.number})
    return request


@transaction.atomic(durable=True)
def restructuring_agenda_add(*, meeting_id: int, restructuring_id: int, by):
    """Put the request on an open meeting's agenda with the terms to vote on (the committee's
    agenda API, ``applications.agenda``; the item is of the subject ``loans.committee``)."""
    meeting = lock_meeting(meeting_id)
    request = Restructuring.objects.select_for_update().get(pk=restructuring_id)
    if request.status != Restructuring.Status.REQUESTED:
        raise ConflictError(
            _("Only a request not yet on an agenda is added."),
            field="restructuring",
            code="not_requested",
        )
    loan = request.loan
    require_status(loan, Loan.Status.ACTIVE)
    rate, term, method, grace = _new_terms(loan, request)
    item = agenda_item_add(
        meeting=meeting,
        application=loan.application,
        amount=loan_position(loan).principal,
        term_months=term
        or current_installments(loan).filter(due_date__gte=meeting.held_on).count()
        or 1,
        rate=rate,
        method=method.value,
        grace_months=grace,
        restructuring=request,
    )
    request.status = Restructuring.Status.ON_AGENDA
    request.save(update_fields=["status"])
    audit(loan, "loan.restructuring_on_agenda", by=by, data={"meeting": meeting.number})
    return item


def restructuring_decide(*, item, counts: dict[str, int], approved: bool, by, comment: str):
    """Record the committee's vote on a request: the ``decide`` of the restructuring subject
    (``loans.committee``), called by ``applications.committee.item_decide`` in its lock."""
    request = Restructuring.objects.select_for_update().get(pk=item.restructuring_id)
    if not approved and not comment.strip():
        raise DomainError(
            _("The vote did not approve: give the reason for the refusal."), field="comment"
        )
    request.status = Restructuring.Status.APPROVED if approved else Restructuring.Status.REFUSED
    request.votes_for = counts["votes_for"]
    request.votes_against = counts["votes_against"]
    request.votes_abstain = counts["votes_abstain"]
    request.decision_comment = comment.strip()
    request.decided_at, request.decided_by = timezone.now(), by
    request.save()
    audit(request.loan, "loan.restructuring_decided", by=by, data={"outcome": request.status})
    return request


@transaction.atomic(durable=True)
def restructuring_apply(
    *, restructuring_id: int, on: date, by, today: date | None = None
) -> Restructuring:
    """The additional agreement is signed: the schedule is rebuilt from ``on`` on the approved
    terms, its GESV recalculated from the balance and the remaining term (DOMAIN.md §7)."""
    today = today or timezone.localdate()
    loan_id = Restructuring.objects.values_list("loan_id", flat=True).get(pk=restructuring_id)
    loan = lock_loan(loan_id)
    request = Restructuring.objects.select_for_update().get(pk=restructuring_id)
    if request.status != Restructuring.Status.APPROVED:
        raise ConflictError(
            _("Only a change the committee approved is signed."),
            field="restructuring",
            code="not_approved",
        )
    require_status(loan, Loan.Status.ACTIVE)
    check_effective_date(loan, on, today)
    bring_loan_up_to(loan_id=loan.pk, through=on)
    plan = _plan(loan, request, on, loan_position(loan), schedule_totals(loan, on=on))
    position = loan_position(loan)
    version = version_store(
        loan,
        reason=ScheduleVersion.Reason.RESTRUCTURING,
        effective_on=on,
        kept=list(current_installments(loan).filter(due_date__lte=on)),
        schedule=plan.schedule,
        principal_repaid_cap=position.principal_repaid,
        gesv=plan.gesv,
        by=by,
    )
    loan.annual_rate, loan.method = plan.annual_rate, plan.method.value
    loan.save(update_fields=["annual_rate", "method"])
    reclose_loan(loan_id=loan.pk, since=on)
    request.status, request.applied_on, request.applied_by = (
        Restructuring.Status.APPLIED,
        on,
        by,
    )
    request.version = version
    request.save()
    audit(
        loan,
        "loan.restructured",
        by=by,
        data={"request": request.number, "version": version.version, "gesv": str(plan.gesv)},
    )
    return request
