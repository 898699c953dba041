from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Sum

from core.money import to_tiyn
from loans import services
from loans.models import ContactRecord, DayClose, Installment, LedgerEntry, Loan, LoanSnapshot
from loans.selectors import current_installments, loan_position
from loans.tasks import close_day_task, due_reminders_task
from tests.loans.services.conftest import close_through
from tests.transactions import rolled_back

pytestmark = pytest.mark.django_db

ON = date(2026, 3, 2)  # instalments due on the 2nd; 2026-05-02 is a Saturday


def _state(loan) -> tuple:
    """Everything the close leaves behind for a loan, to compare runs."""
    ledger = tuple(
        LedgerEntry.objects.filter(loan=loan)
        .values("component", "kind")
        .annotate(total=Sum("amount"))
        .order_by("component", "kind")
        .values_list("component", "kind", "total")
    )
    snapshots = tuple(
        LoanSnapshot.objects.filter(loan=loan)
        .order_by("on")
        .values_list("on", "principal", "interest", "penalty", "held", "days_past_due")
    )
    return ledger, snapshots


def test_running_a_date_twice_changes_nothing(active_loan):
    loan = active_loan(on=ON)
    close_through(ON, date(2026, 5, 20))
    before = _state(loan), LedgerEntry.objects.count()
    result = services.close_day(on=date(2026, 5, 20))
    assert result.entries_posted == 0
    assert (_state(loan), LedgerEntry.objects.count()) == before
    assert DayClose.objects.get(business_date=date(2026, 5, 20)).runs == 2


def _scenario(active_loan, pay, *, day_by_day: bool) -> tuple:
    with rolled_back():
        loan = active_loan(on=ON)
        first, second, third = list(current_installments(loan))[:3]
        payments = [
            (first.total, date(2026, 4, 2)),
            (Decimal("40000.00"), date(2026, 5, 15)),  # part of the second, late
            (second.total, date(2026, 6, 1)),
            (third.total + Decimal("500.00"), date(2026, 6, 2)),
        ]
        day = ON
        for amount, value_date in payments:
            if day_by_day:
                close_through(day, value_date - timedelta(days=1))
                day = value_date
            pay(loan, amount, value_date, today=date(2026, 7, 31))
        if day_by_day:
            close_through(day, date(2026, 7, 31))
        else:
            services.close_day(on=date(2026, 7, 31))  # catches every date up at once
        state = _state(loan)
    return state


def test_catching_up_equals_closing_day_by_day(active_loan, pay):
    stepwise = _scenario(active_loan, pay, day_by_day=True)
    at_once = _scenario(active_loan, pay, day_by_day=False)
    assert stepwise == at_once
    ledger, snapshots = stepwise
    assert any(kind == "penalty_accrual" for _component, kind, _total in ledger)
    assert snapshots[-1][0] == date(2026, 7, 31) and len(snapshots) == 152


def test_late_instalments_accrue_penalty_and_interest_on_late_principal(active_loan):
    loan = active_loan(on=ON)
    first = current_installments(loan).first()
    close_through(ON, date(2026, 4, 12))
    snapshot = LoanSnapshot.objects.get(loan=loan, on=date(2026, 4, 12))
    late_days = 10  # 04-03 … 04-12
    assert snapshot.days_past_due == 10 and snapshot.late_since == date(2026, 4, 2)
    assert snapshot.penalty == to_tiyn(first.total * Decimal("0.01") * late_days)
    overdue_interest = to_tiyn(first.principal * loan.annual_rate * late_days / 36000)
    assert snapshot.interest == first.interest + overdue_interest
    assert snapshot.overdue_principal == first.principal
    assert Installment.objects.get(pk=first.pk).status == Installment.Status.OVERDUE


def test_the_yearly_cap_and_the_stop_after_days_late_hold(active_loan):
    loan = active_loan(on=ON)
    Loan.objects.filter(pk=loan.pk).update(penalty_year_cap=Decimal("5000.00"))
    close_through(ON, date(2026, 5, 1))
    assert loan_position(loan).penalty == Decimal("5000.00")
    other = active_loan(on=ON)
    Loan.objects.filter(pk=other.pk).update(penalty_stop_days=5, penalty_year_cap=None)
    # Disbursed with a past value date, it was closed up to 05-01 at once; re-run it.
    services.reclose_loan(loan_id=other.pk, since=ON)
    first = current_installments(other).first()
    assert loan_position(other).penalty == to_tiyn(first.total * Decimal("0.01") * 5)
    accrued = LedgerEntry.objects.filter(loan=other, kind="overdue_interest_accrual")
    assert accrued.aggregate(total=Sum("amount"))["total"] == to_tiyn(
        first.principal * loan.annual_rate * 5 / 36000
    )


def test_a_backdated_payment_re_runs_the_close_and_undoes_the_late_charges(active_loan, pay):
    loan = active_loan(on=ON)
    first = current_installments(loan).first()
    close_through(ON, date(2026, 4, 30))
    assert loan_position(loan).penalty > 0
    pay(loan, first.total, date(2026, 4, 2), today=date(2026, 5, 1))
    position = loan_position(loan)
    assert (position.penalty, position.interest, position.held) == (0, 0, 0)
    assert position.principal == loan.amount - first.principal
    snapshot = LoanSnapshot.objects.get(loan=loan, on=date(2026, 4, 30))
    assert (snapshot.days_past_due, snapshot.penalty, snapshot.overdue_principal) == (0, 0, 0)
    corrections = LedgerEntry.objects.filter(loan=loan, kind="penalty_accrual", amount__lt=0)
    assert corrections.exists() and all(entry.reason for entry in corrections)


def test_more_than_40_days_late_flags_acceleration_and_a_cure_clears_it(active_loan, pay):
    loan = active_loan(on=ON)
    close_through(ON, date(2026, 5, 12))  # 04-02 + 40 days = 05-12: not yet
    loan.refresh_from_db()
    assert loan.acceleration_flagged_on is None
    services.close_day(on=date(2026, 5, 13))
    loan.refresh_from_db()
    assert loan.acceleration_flagged_on == date(2026, 5, 13)
    pay(loan, Decimal("500000"), date(2026, 5, 14))
    services.close_day(on=date(2026, 5, 14))
    loan.refresh_from_db()
    assert loan.acceleration_flagged_on is None


def test_ledger_and_snapshots_reconcile(active_loan, pay):
    loan = active_loan(on=ON)
    pay(loan, Decimal("50000"), date(2026, 4, 10), today=date(2026, 6, 30))
    pay(loan, Decimal("150000"), date(2026, 6, 20), today=date(2026, 6, 30))
    services.close_day(on=date(2026, 6, 30))
    snapshot = LoanSnapshot.objects.get(loan=loan, on=date(2026, 6, 30))
    position = loan_position(loan)
    assert (snapshot.principal, snapshot.interest, snapshot.penalty, snapshot.held) == (
        position.principal,
        position.interest,
        position.penalty,
        position.held,
    )
    received = LedgerEntry.objects.filter(loan=loan, kind="repayment").aggregate(
        total=Sum("amount")
    )["total"]
    assert -received == Decimal("200000")


def test_the_command_and_the_nightly_task_close_dates(active_loan, capsys):
    loan = active_loan(on=ON)
    call_command("close_day", "--date", "2026-03-05")
    assert "closed 2026-03-05" in capsys.readouterr().out
    result = close_day_task.apply(kwargs={"on": "2026-03-08"}).get()
    assert result["dates"] == ["2026-03-06", "2026-03-07", "2026-03-08"]
    assert LoanSnapshot.objects.filter(loan=loan).count() == 7  # 03-02 … 03-08


def test_reminders_go_once_before_a_due_date(active_loan):
    loan = active_loan(on=ON)
    assert due_reminders_task.apply(kwargs={"on": "2026-03-30"}).get() == 1
    assert due_reminders_task.apply(kwargs={"on": "2026-03-30"}).get() == 0
    reminder = ContactRecord.objects.get(loan=loan)
    assert reminder.reminder_for == date(2026, 4, 2) and reminder.channel == "sms"


def test_the_beat_schedule_runs_the_close_every_night(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"loans.tasks.close_day_task", "loans.tasks.due_reminders_task"} <= tasks


def test_a_new_instalment_falling_due_does_not_lower_the_penalty_on_late_interest(active_loan):
    """Day D's penalty is on what was late at the end of D − 1: the second instalment falling
    due on 2 May must not pass for part of the first one's unpaid interest."""
    from datetime import date

    from loans.models import LoanSnapshot
    from loans.services import close_day

    loan = active_loan(on=date(2026, 3, 2))
    close_day(on=date(2026, 5, 2))  # the first instalment (due 2 April) is still unpaid
    exact = dict(
        LoanSnapshot.objects.filter(loan=loan, on__gte=date(2026, 4, 30)).values_list(
            "on", "penalty_exact"
        )
    )
    day_before = exact[date(2026, 5, 1)] - exact[date(2026, 4, 30)]
    due_day = exact[date(2026, 5, 2)] - exact[date(2026, 5, 1)]
    assert due_day == day_before > 0
