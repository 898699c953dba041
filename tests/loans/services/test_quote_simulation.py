"""A payoff quote simulates the loan's days in memory with the close's own per-day function:
it equals, to the tiyn and field by field, closing every day to the date in the database."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from applications import committee
from core.money import to_tiyn
from core.roles import Role
from loans import services
from loans.guards import latest_snapshot_date
from loans.ledger.close import bring_loan_up_to
from loans.ledger.payoff import payoff_at
from loans.ledger.simulate import simulate_loan_through
from loans.models import LedgerEntry, Loan, LoanSnapshot
from loans.selectors import current_installments, loan_position, schedule_totals
from loans.services.prepayment import QUOTE_HORIZON_DAYS
from tests.transactions import rolled_back

ON = date(2026, 3, 2)
D = Decimal


def _as_stored(snapshot: LoanSnapshot, column) -> object:
    value = getattr(snapshot, column.attname)
    if isinstance(value, Decimal) and column.decimal_places is not None:
        return value.quantize(Decimal(1).scaleb(-column.decimal_places))
    return value


def _both(loan: Loan, *dates: date):
    """The quotes as served (simulated) against the old path: every day closed in the
    database one by one, read back on each date, then undone. Equal field by field, the
    close's snapshot included. One pass to the last date checks them all."""
    loan.refresh_from_db()
    served = {on: services.payoff_quote_on(loan_id=loan.pk, on=on) for on in dates}
    simulated = {on: simulate_loan_through(loan_id=loan.pk, through=on) for on in dates}
    with transaction.atomic():
        for on in sorted(set(dates)):
            bring_loan_up_to(loan_id=loan.pk, through=on)
            stored = LoanSnapshot.objects.get(loan=loan, on=on)
            assert simulated[on].position == loan_position(loan, on=on), on
            assert simulated[on].totals == schedule_totals(loan, on=on), on
            for column in LoanSnapshot._meta.concrete_fields:
                if column.attname != "id":
                    expected = getattr(stored, column.attname)
                    assert _as_stored(simulated[on].snapshot, column) == expected, (on, column)
            assert served[on] == payoff_at(loan, on), on
        transaction.set_rollback(True)
    return [served[on] for on in dates]


@settings(
    max_examples=3,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    amount=st.integers(300, 1000).map(lambda thousands: str(thousands * 1000)),
    term=st.sampled_from([6, 12]),
    disbursed_ago=st.integers(0, 60),
    # per instalment from the first: days paid after its due date, and the share paid
    payments=st.lists(
        st.tuples(st.integers(-3, 40), st.sampled_from([D(1), D("0.5"), D("1.2")])), max_size=3
    ),
    # quote dates, days after the loan's last closed day, up to the horizon
    ahead=st.lists(st.integers(0, QUOTE_HORIZON_DAYS), min_size=1, max_size=2),
)
def test_the_quote_equals_closing_every_day_to_its_date(
    active_loan, pay, amount, term, disbursed_ago, payments, ahead
):
    today = timezone.localdate()
    horizon = today + timedelta(days=QUOTE_HORIZON_DAYS)
    with rolled_back():  # each example on its own loan, undone after
        loan = active_loan(on=today - timedelta(days=disbursed_ago), amount=amount, term=term)
        paid_on = loan.disbursed_on
        for line, (late, share) in zip(current_installments(loan), payments, strict=False):
            paid_on = max(paid_on, line.due_date + timedelta(days=late))
            pay(loan, to_tiyn(line.total * share), paid_on)
        loan.refresh_from_db()
        if loan.status == Loan.Status.ACTIVE:
            start = latest_snapshot_date(loan) or loan.disbursed_on
            _both(loan, *[min(start + timedelta(days=days), horizon) for days in ahead])


def test_a_quote_across_a_due_date(active_loan):
    loan = active_loan(on=ON)
    first = current_installments(loan).first()
    before, on_the_day = _both(loan, first.due_date - timedelta(days=1), first.due_date)
    assert before.overdue == 0
    assert on_the_day.overdue == first.total and on_the_day.penalties == 0


def test_a_quote_across_the_grace_date_of_a_late_instalment(active_loan, pay):
    loan = active_loan(on=ON)
    first, second = list(current_installments(loan))[:2]
    pay(loan, first.total, first.due_date)
    (quote,) = _both(loan, second.grace_date + timedelta(days=12))
    assert quote.penalties > 0


def test_a_quote_across_an_anniversary_restarts_the_yearly_penalty_cap(active_loan):
    loan = active_loan(on=ON, term=6)
    cap = D("1000.00")
    Loan.objects.filter(pk=loan.pk).update(penalty_year_cap=cap)
    # every instalment late for months: each contract year's penalty stops at the cap
    before, after = _both(loan, date(2027, 3, 1), date(2027, 3, 12))
    assert (before.penalties, after.penalties) == (cap, 2 * cap)


def test_a_quote_after_a_change_of_terms_follows_the_later_schedule(
    active_loan, pay, officer, make_user
):
    loan = active_loan(on=ON)
    first = current_installments(loan).first()
    pay(loan, first.total, first.due_date)
    members = [make_user(Role.COMMITTEE_MEMBER, username=f"qs-member-{n}") for n in range(3)]
    on = first.due_date
    request = services.restructuring_request(
        loan_id=loan.pk,
        requested_on=on,
        reason="harvest",
        by=officer,
        today=on,
        annual_rate=D("9"),
        term_months=18,
    )
    meeting = committee.meeting_create(
        held_on=timezone.localdate(), member_ids=[m.pk for m in members], by=members[0]
    )
    item = services.restructuring_agenda_add(
        meeting_id=meeting.pk, restructuring_id=request.pk, by=members[0]
    )
    for member in members:
        committee.vote_cast(item_id=item.pk, choice="for", by=member)
    committee.item_decide(item_id=item.pk, by=members[0])
    services.restructuring_apply(restructuring_id=request.pk, on=on, by=officer, today=on)
    loan.refresh_from_db()
    assert loan.schedule_version > 1
    new_first = current_installments(loan).filter(due_date__gt=on).first()
    (quote,) = _both(loan, new_first.grace_date + timedelta(days=20))
    assert quote.overdue > 0 and quote.penalties > 0


def test_a_quote_after_the_legal_stop_of_accruals(active_loan):
    """Past the days overdue after which accruals stop (DOMAIN.md §12), the close also keeps
    on each instalment falling due the interest it waived: the simulation does the same."""
    loan = active_loan(on=ON)
    Loan.objects.filter(pk=loan.pk).update(penalty_stop_days=15)
    first = current_installments(loan).first()
    _both(loan, first.due_date + timedelta(days=75))


def test_a_quote_for_a_loan_disbursed_today_and_never_closed(active_loan):
    today = timezone.localdate()
    loan = active_loan(on=today)
    assert not LoanSnapshot.objects.filter(loan=loan).exists()
    now, later = _both(loan, today, today + timedelta(days=45))
    assert now.principal == loan.amount and now.interest == 0
    assert later.overdue > 0


def test_a_quote_a_year_ahead_costs_a_few_queries_and_writes_nothing(
    active_loan, django_assert_max_num_queries
):
    today = timezone.localdate()
    loan = active_loan(on=today)
    rows = LedgerEntry.objects.count(), LoanSnapshot.objects.count()
    for ahead in (1, QUOTE_HORIZON_DAYS):
        with django_assert_max_num_queries(10):
            services.payoff_quote_on(loan_id=loan.pk, on=today + timedelta(days=ahead))
    assert (LedgerEntry.objects.count(), LoanSnapshot.objects.count()) == rows


def test_a_quote_past_the_horizon_or_before_the_closed_days_is_refused(active_loan, pay):
    from core.errors import DomainError

    today = timezone.localdate()
    loan = active_loan(on=today - timedelta(days=10))
    pay(loan, D("1000.00"), today - timedelta(days=2))
    with pytest.raises(DomainError) as early:
        services.payoff_quote_on(loan_id=loan.pk, on=today - timedelta(days=3))
    assert early.value.code == "date_closed"
    with pytest.raises(DomainError) as far:
        services.payoff_quote_on(loan_id=loan.pk, on=today + timedelta(days=QUOTE_HORIZON_DAYS + 1))
    assert far.value.code == "too_far"
