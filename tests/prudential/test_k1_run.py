"""The k1 overdue-90 share on hand-built portfolios with known answers (DOMAIN.md §11)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core import mail

from core.errors import DomainError
from core.roles import Role
from loans.models import DayClose, LoanSnapshot
from prudential import services
from prudential.models import ActionPlan, Alert, K1Loan, K1Run, Measure, ReturnNotice
from tests.prudential.snapshots import SNAPSHOT_ZEROS

D = Decimal
ON = date(2026, 3, 2)


def _day(on: date, rows) -> None:
    """Snapshots of ``on``: (loan, principal, interest, accrued, days past due) each."""
    LoanSnapshot.objects.filter(on=on).delete()
    LoanSnapshot.objects.bulk_create(
        LoanSnapshot(
            loan=loan,
            on=on,
            principal=D(principal),
            interest=D(interest),
            accrued_interest=D(accrued),
            days_past_due=days,
            **SNAPSHOT_ZEROS,
        )
        for loan, principal, interest, accrued, days in rows
    )
    DayClose.objects.get_or_create(business_date=on)


def _figures(loans):
    current, exactly_90, over_90, interest_only, written_off = loans
    return [
        (current, "500000", "0", "1500", 0),
        (exactly_90, "100000", "3000", "200", 90),  # not yet "more than 90 days"
        (over_90, "80000", "4000", "0", 91),
        # only interest overdue, the principal not yet due: the whole loan counts
        (interest_only, "60000", "2500", "500", 95),
        (written_off, "40000", "6000", "0", 200),
    ]


def test_l_is_mm90_over_lp_with_the_loans_behind_it(portfolio):
    on = date(2026, 5, 10)
    *_, over_90, interest_only, written_off = portfolio
    written_off.status, written_off.written_off_on = "written_off", date(2026, 4, 1)
    written_off.save(update_fields=["status", "written_off_on"])
    _day(on, _figures(portfolio))

    run = services.k1_run(on=on)

    mm90 = D("84000") + D("63000") + D("46000")
    lp = D("501500") + D("103200") + mm90
    assert (run.mm90, run.portfolio) == (mm90, lp)
    assert run.share == round(mm90 * 100 / lp, 8)
    assert run.limit == 10 and run.breached  # 2026: 10 %
    assert (run.loans, run.loans_over_90) == (5, 3)
    assert run.exposure_61_90 == D("103200")  # the loan exactly 90 days late
    lines = {line.loan_id: line for line in K1Loan.objects.filter(run=run)}
    assert set(lines) == {over_90.pk, interest_only.pk, written_off.pk}
    assert lines[interest_only.pk].interest == D("3000")  # overdue and accrued interest
    assert lines[written_off.pk].written_off and not lines[over_90.pk].written_off
    assert not run.official  # 10 May is no reporting date


def test_the_limit_is_the_one_in_force_on_the_date(portfolio):
    """12 % overdue: within 15 % on 31 December 2025, over 10 % on 1 January 2026."""
    current, _, over_90, *_ = portfolio
    for on in (date(2025, 12, 31), date(2026, 1, 1)):
        _day(on, [(current, "880000", "0", "0", 0), (over_90, "120000", "0", "0", 120)])
    before, after = services.k1_run(on=date(2025, 12, 31)), services.k1_run(on=date(2026, 1, 1))
    assert before.share == after.share == D(12)
    assert (before.limit, before.breached) == (15, False)
    assert (after.limit, after.breached) == (10, True)


def test_a_share_equal_to_the_limit_complies(portfolio):
    current, _, over_90, *_ = portfolio
    on = date(2026, 5, 10)
    _day(on, [(current, "900000", "0", "0", 10), (over_90, "100000", "0", "0", 91)])
    run = services.k1_run(on=on)
    assert run.share == 10 and not run.breached


def test_a_re_run_replaces_the_date_and_warns_nobody_twice(
    portfolio, make_user, django_capture_on_commit_callbacks
):
    risk = make_user(Role.RISK_MANAGER, username="risk")
    risk.email = "risk@mfo.kz"
    risk.save(update_fields=["email"])
    on = date(2026, 5, 10)
    _day(on, _figures(portfolio))
    with django_capture_on_commit_callbacks(execute=True):
        first = services.k1_run(on=on)
    assert len(mail.outbox) >= 1
    sent = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        again = services.k1_run(on=on)
    assert again.pk == first.pk and again.share == first.share
    assert K1Loan.objects.filter(run=again).count() == 3
    assert len(mail.outbox) == sent
    assert Alert.objects.filter(on=on, kind=Alert.Kind.THRESHOLD).count() == 1


def test_loans_61_to_90_days_late_that_would_breach_are_warned_of(portfolio):
    current, exactly_90, *_ = portfolio
    on = date(2026, 5, 10)
    _day(on, [(current, "850000", "0", "0", 0), (exactly_90, "150000", "0", "0", 75)])
    run = services.k1_run(on=on)
    assert run.share == 0 and run.share_if_61_90_cross == 15
    assert Alert.objects.filter(on=on, kind=Alert.Kind.WOULD_BREACH).exists()
    assert not Alert.objects.filter(on=on, kind=Alert.Kind.THRESHOLD).exists()


def test_a_breach_on_a_reporting_date_opens_the_plan_and_the_return_drafts_the_notice(
    portfolio,
):
    current, _, over_90, *_ = portfolio
    breach, back = date(2026, 1, 31), date(2026, 2, 28)
    _day(breach, [(current, "800000", "0", "0", 0), (over_90, "200000", "0", "0", 120)])
    _day(back, [(current, "950000", "0", "0", 0), (over_90, "50000", "0", "0", 148)])

    run = services.k1_run(on=breach)
    plan = ActionPlan.objects.get(run=run)
    assert run.official and run.breached
    assert (plan.submit_by, plan.approve_by) == (date(2026, 2, 2), date(2026, 2, 6))
    assert (plan.period_from, plan.period_to) == (date(2026, 2, 1), date(2026, 4, 30))

    returned = services.k1_run(on=back)
    notice = ReturnNotice.objects.get(run=returned)
    assert not returned.breached and notice.due_by == date(2026, 3, 1)
    assert "5.00" in notice.text
    assert Alert.objects.filter(kind=Alert.Kind.BACK_UNDER, on=back).exists()


def test_a_date_not_closed_is_refused(portfolio):
    with pytest.raises(DomainError) as refused:
        services.k1_run(on=date(2026, 5, 11))
    assert refused.value.field == "on" and not K1Run.objects.exists()


def _breach_plan(portfolio) -> ActionPlan:
    current, _, over_90, *_ = portfolio
    on = date(2026, 1, 31)
    _day(on, [(current, "800000", "0", "0", 0), (over_90, "200000", "0", "0", 120)])
    return ActionPlan.objects.get(run=services.k1_run(on=on))


def test_the_plan_goes_from_draft_through_remarks_to_approval(portfolio, make_user):
    risk = make_user(Role.RISK_MANAGER, username="risk")
    manager = make_user(Role.COLLECTOR, username="head-of-collection")
    plan = _breach_plan(portfolio)
    with pytest.raises(DomainError) as empty:
        services.plan_submit(plan_id=plan.pk, on=date(2026, 2, 2), by=risk)
    assert empty.value.field == "measures"
    with pytest.raises(DomainError) as outside:
        services.measure_add(
            plan_id=plan.pk,
            what="Sell",
            how="Tender",
            deadline=date(2026, 5, 1),
            responsible_id=manager.pk,
            by=risk,
        )
    assert outside.value.field == "deadline"
    with pytest.raises(DomainError) as short:
        services.plan_period_set(plan_id=plan.pk, period_to=date(2026, 4, 29), by=risk)
    assert short.value.field == "period_to"
    services.measure_add(
        plan_id=plan.pk,
        what="Sell the 90+ portfolio to a collection agency",
        how="Tender among three agencies",
        deadline=date(2026, 3, 31),
        responsible_id=manager.pk,
        by=risk,
    )
    plan = services.plan_submit(plan_id=plan.pk, on=date(2026, 2, 2), by=risk)
    assert plan.reply_by == date(2026, 2, 5)
    services.plan_note_add(
        plan_id=plan.pk, kind="remark", on=date(2026, 2, 4), text="Add deadlines", by=risk
    )
    services.plan_note_add(
        plan_id=plan.pk, kind="objection", on=date(2026, 2, 5), text="They are there", by=risk
    )
    services.plan_submit(plan_id=plan.pk, on=date(2026, 2, 5), by=risk)
    plan = services.plan_approve(plan_id=plan.pk, on=date(2026, 2, 6), by=risk)
    assert plan.status == ActionPlan.Status.APPROVED
    assert Measure.objects.get(plan=plan).responsible == manager


def test_missed_deadlines_are_flagged_once(portfolio):
    plan = _breach_plan(portfolio)
    assert services.deadlines_check(today=date(2026, 2, 3)) == 1  # not submitted by 2 Feb
    assert services.deadlines_check(today=date(2026, 2, 4)) == 0
    assert services.deadlines_check(today=date(2026, 2, 9)) == 1  # not approved by 6 Feb
    flagged = Alert.objects.filter(plan=plan, kind=Alert.Kind.DEADLINE_MISSED)
    assert sorted(flagged.values_list("on", flat=True)) == [date(2026, 2, 2), date(2026, 2, 6)]


def test_a_re_run_that_changes_the_verdict_takes_back_the_draft_plan(portfolio):
    from core.models import RegulatoryValue

    plan = _breach_plan(portfolio)
    RegulatoryValue.objects.create(
        key="k1_overdue90_limit", effective_from=date(2026, 1, 31), value=D(30), source="test"
    )
    run = services.k1_run(on=plan.reporting_date)
    assert not run.breached and not ActionPlan.objects.filter(pk=plan.pk).exists()
