"""The nightly k1 task: failures retried, no date hidden, re-closed dates re-run."""

from __future__ import annotations

from datetime import date

from loans.models import LoanSnapshot, ReclosedDay
from prudential import services, tasks
from prudential.models import ActionPlan, Alert, K1Run, ReturnNotice
from tests.prudential.test_k1_run import _day

MARCH_30, MARCH_31, APRIL_1 = date(2026, 3, 30), date(2026, 3, 31), date(2026, 4, 1)


def _breached(loans):
    current, _, over_90, *_ = loans
    return [(current, "800000", "0", "0", 0), (over_90, "200000", "0", "0", 120)]  # 20 %


def test_a_failed_date_does_not_stop_the_night_and_is_retried(portfolio, monkeypatch):
    for on in (MARCH_30, MARCH_31):
        _day(on, _breached(portfolio))
    real = services._compute

    def fail_on_30(run, on, by):
        if on == MARCH_30:
            raise RuntimeError("the worker lost its database connection")
        return real(run, on, by)

    monkeypatch.setattr(services, "_compute", fail_on_30)
    result = tasks.k1_nightly_task(on=MARCH_31.isoformat())
    assert result["failed"] == [MARCH_30.isoformat()]
    assert result["runs"] == [MARCH_31.isoformat()]  # the reporting date still ran
    assert K1Run.objects.get(on=MARCH_30).status == K1Run.Status.FAILED
    monkeypatch.setattr(services, "_compute", real)
    assert tasks.nightly_dates(APRIL_1) == [MARCH_30]  # retried the next night


def test_a_later_date_run_by_hand_does_not_hide_an_earlier_reporting_date(portfolio):
    for on in (MARCH_31, APRIL_1):
        _day(on, _breached(portfolio))
    services.k1_run(on=APRIL_1)  # from the page, before the night
    tasks.k1_nightly_task(on=APRIL_1.isoformat())
    assert K1Run.objects.get(on=MARCH_31).official
    assert ActionPlan.objects.filter(reporting_date=MARCH_31).exists()


def test_a_date_re_closed_after_its_run_is_run_again(portfolio):
    _day(MARCH_31, _breached(portfolio))
    assert services.k1_run(on=MARCH_31).breached
    _, _, over_90, *_ = portfolio
    # a backdated payment cured the loan: reclose_loan rewrote the snapshot and marked the date
    LoanSnapshot.objects.filter(on=MARCH_31, loan=over_90).update(days_past_due=0)
    ReclosedDay.objects.create(on=MARCH_31)
    tasks.k1_nightly_task(on=APRIL_1.isoformat())
    run = K1Run.objects.get(on=MARCH_31)
    assert run.mm90 == 0 and not run.breached
    assert not ReclosedDay.objects.exists()


def test_reclose_loan_marks_the_dates_it_rewrote(active_loan, accountant):
    from decimal import Decimal

    from loans.services import close_day, payment_post

    loan = active_loan(on=date(2026, 3, 2))
    close_day(on=date(2026, 3, 7))
    close_day(on=date(2026, 3, 10))  # catches up 8 and 9 March
    payment_post(
        loan_id=loan.pk,
        amount=Decimal("1000"),
        value_date=date(2026, 3, 8),
        channel="cash",
        by=accountant,
        today=date(2026, 3, 11),
    )
    marked = set(ReclosedDay.objects.values_list("on", flat=True))
    assert marked == {date(2026, 3, 8), date(2026, 3, 9), date(2026, 3, 10)}


def test_an_unsent_return_notice_past_its_day_is_flagged(portfolio):
    current, _, over_90, *_ = portfolio
    _day(date(2026, 2, 28), _breached(portfolio))
    services.k1_run(on=date(2026, 2, 28))
    _day(MARCH_31, [(current, "950000", "0", "0", 0), (over_90, "50000", "0", "0", 120)])
    services.k1_run(on=MARCH_31)
    notice = ReturnNotice.objects.get()
    services.deadlines_check(today=notice.due_by)  # due that day: not late yet
    assert not Alert.objects.filter(on=notice.due_by, kind=Alert.Kind.DEADLINE_MISSED).exists()
    services.deadlines_check(today=date(2026, 4, 5))
    assert Alert.objects.filter(on=notice.due_by, kind=Alert.Kind.DEADLINE_MISSED).exists()
