"""Changes of terms: request, committee vote, additional agreement (DOMAIN.md §7, §9)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from applications import committee
from core.errors import ConflictError, DomainError
from core.roles import Role
from lending.domain.gesv import gesv_after_change
from loans import services
from loans.ledger.schedules import current_schedule
from loans.models import Installment, Loan, LoanSnapshot, Restructuring, ScheduleVersion
from loans.selectors import current_installments, loan_position

ON = date(2026, 3, 2)
FIRST_DUE = date(2026, 4, 2)
D = Decimal


@pytest.fixture
def members(make_user):
    return [make_user(Role.COMMITTEE_MEMBER, username=f"rs-member-{n}") for n in range(3)]


def _request(loan, officer, today, **change):
    return services.restructuring_request(
        loan_id=loan.pk,
        requested_on=today,
        reason=change.pop("reason", "Income fell after the harvest failed"),
        by=officer,
        today=today,
        **change,
    )


def _vote(request, members, choice="for", comment=""):
    meeting = committee.meeting_create(
        held_on=timezone.localdate(), member_ids=[m.pk for m in members], by=members[0]
    )
    item = services.restructuring_agenda_add(
        meeting_id=meeting.pk, restructuring_id=request.pk, by=members[0]
    )
    for member in members:
        committee.vote_cast(
            item_id=item.pk, choice=choice, comment="no" if choice else "", by=member
        )
    committee.item_decide(item_id=item.pk, by=members[0], comment=comment)
    request.refresh_from_db()
    return item


def test_a_higher_rate_needs_the_borrowers_written_consent(active_loan, officer):
    loan = active_loan(on=ON)
    with pytest.raises(DomainError) as refused:
        _request(loan, officer, date(2026, 3, 20), annual_rate=D("30"))
    assert refused.value.field == "annual_rate"
    assert refused.value.code == "higher_rate_without_consent"
    request = _request(
        loan, officer, date(2026, 3, 20), annual_rate=D("30"), consent_to_higher_rate=True
    )
    assert request.status == Restructuring.Status.REQUESTED


def test_a_request_states_a_change_and_its_reason(active_loan, officer):
    loan = active_loan(on=ON)
    with pytest.raises(DomainError) as no_change:
        _request(loan, officer, date(2026, 3, 20))
    assert no_change.value.code == "no_change"
    with pytest.raises(DomainError) as no_reason:
        _request(loan, officer, date(2026, 3, 20), reason=" ", term_months=18)
    assert no_reason.value.field == "reason"


def test_the_registrar_may_not_vote_on_the_request(active_loan, members):
    loan = active_loan(on=ON)
    request = _request(loan, members[0], date(2026, 3, 20), term_months=18)
    meeting = committee.meeting_create(
        held_on=timezone.localdate(), member_ids=[m.pk for m in members], by=members[0]
    )
    item = services.restructuring_agenda_add(
        meeting_id=meeting.pk, restructuring_id=request.pk, by=members[1]
    )
    assert committee.voting_refusal(item, members[0]) is not None
    assert committee.voting_refusal(item, members[1]) is None


def test_a_late_loan_restructured_is_current_and_repays_exactly(active_loan, officer, members, pay):
    loan = active_loan(on=ON)
    services.close_day(on=FIRST_DUE + timedelta(days=20))  # first instalment 20 days late
    on = FIRST_DUE + timedelta(days=21)
    request = _request(loan, officer, on, annual_rate=D("10"), term_months=14, grace_months=2)
    _vote(request, members)
    assert request.status == Restructuring.Status.APPROVED and request.votes_for == 3
    services.restructuring_apply(restructuring_id=request.pk, on=on, by=officer, today=on)
    loan.refresh_from_db()
    request.refresh_from_db()
    assert request.status == Restructuring.Status.APPLIED and loan.schedule_version == 2
    assert loan.annual_rate == D("10")
    position = loan_position(loan)
    rebuilt = current_schedule(loan)
    assert rebuilt.total_principal == position.principal == loan.amount  # late principal too
    assert len(rebuilt.installments) == 14
    assert [line.principal for line in rebuilt.installments[:2]] == [0, 0]  # the grace
    assert rebuilt.installments[0].due_date == date(2026, 5, 2)
    version = ScheduleVersion.objects.get(loan=loan, version=2)
    assert version.gesv == gesv_after_change(
        on, position.principal, [(line.due_date, line.total) for line in rebuilt.installments]
    )
    assert Installment.objects.filter(loan=loan, version=1).count() == 12  # history kept
    snapshot = LoanSnapshot.objects.get(loan=loan, on=on)
    assert snapshot.overdue_principal == 0  # rescheduled
    assert snapshot.overdue_interest > 0  # the first instalment's interest is still owed
    # The borrower settles the interest and penalty owed, then keeps the new schedule.
    pay(loan, position.interest + position.penalty, on)
    for line in current_installments(loan).filter(due_date__gt=on):
        pay(loan, line.total, line.due_date)
    loan.refresh_from_db()
    assert loan.status == Loan.Status.CLOSED
    final = loan_position(loan)
    assert (final.principal, final.interest, final.penalty, final.held) == (0, 0, 0, 0)


def test_a_refused_request_cannot_be_signed(active_loan, officer, members):
    loan = active_loan(on=ON)
    request = _request(loan, officer, date(2026, 3, 20), term_months=24)
    with pytest.raises(DomainError) as no_comment:
        _vote(request, members, choice="against")
    assert no_comment.value.field == "comment"
    item = request.agenda_items.get()
    committee.item_decide(item_id=item.pk, by=members[0], comment="Income does not support it")
    request.refresh_from_db()
    assert request.status == Restructuring.Status.REFUSED
    with pytest.raises(ConflictError) as refused:
        services.restructuring_apply(
            restructuring_id=request.pk, on=date(2026, 3, 20), by=officer, today=date(2026, 3, 20)
        )
    assert refused.value.code == "not_approved"


def test_a_meeting_closes_only_when_the_request_is_decided(active_loan, officer, members):
    loan = active_loan(on=ON)
    request = _request(loan, officer, date(2026, 3, 20), term_months=24)
    meeting = committee.meeting_create(
        held_on=timezone.localdate(), member_ids=[m.pk for m in members], by=members[0]
    )
    item = services.restructuring_agenda_add(
        meeting_id=meeting.pk, restructuring_id=request.pk, by=members[0]
    )
    with pytest.raises(DomainError):
        committee.meeting_close(meeting_id=meeting.pk, by=members[0])
    for member in members:
        committee.vote_cast(item_id=item.pk, choice="for", by=member)
    committee.item_decide(item_id=item.pk, by=members[0])
    assert committee.meeting_close(meeting_id=meeting.pk, by=members[0]).status == "closed"


def test_the_minutes_and_the_agenda_show_a_decided_change_of_terms(active_loan, officer, members):
    from applications.documents import minutes_context
    from applications.selectors import committee_agenda

    loan = active_loan(on=ON)
    request = _request(loan, officer, date(2026, 3, 20), term_months=24)
    item = _vote(request, members)
    assert not committee_agenda(members[1]).filter(pk=item.pk).exists()  # decided: off the list
    (line,) = minutes_context(item.meeting).items
    assert line.change_of_terms == request.number
    assert line.decision.outcome == "approved" and line.decision.terms.term_months == 24
    assert line.votes_for == 3
