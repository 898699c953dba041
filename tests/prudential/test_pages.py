"""The risk manager's k1 pages: dashboard, runs through Celery, plans, notices, settings."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from core.models import AuditEvent
from core.roles import Role
from loans import services as loan_services
from loans.models import DayClose, LoanSnapshot
from prudential import services
from prudential.models import ActionPlan, Alert, K1Run, Measure, ReturnNotice, RiskSettings
from prudential.tasks import k1_nightly_task, k1_run_task
from prudential.views import k1 as views
from tests.prudential.snapshots import SNAPSHOT_ZEROS

pytestmark = pytest.mark.django_db

D = Decimal
DISBURSED = date(2026, 1, 5)
BREACHED_ON = date(2026, 3, 31)  # a month end: a reporting date, 20 % against 10 %
BACK_ON = date(2026, 4, 30)  # the next one, back within the limit


def closed_day(on: date, rows) -> None:
    """The close's figures of ``on`` set by hand: (loan, principal, interest, dpd) each."""
    LoanSnapshot.objects.filter(on=on).delete()
    LoanSnapshot.objects.bulk_create(
        LoanSnapshot(
            loan=loan,
            on=on,
            principal=D(principal),
            interest=D(interest),
            accrued_interest=D(0),
            days_past_due=days,
            **SNAPSHOT_ZEROS,
        )
        for loan, principal, interest, days in rows
    )
    DayClose.objects.get_or_create(business_date=on)


@pytest.fixture(autouse=True)
def _english_pages(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def two_loans(active_loan):
    return [active_loan(on=DISBURSED, amount="1000000", term=12) for _ in range(2)]


@pytest.fixture
def breached_run(two_loans):
    """k1 on 31 March 2026: 200,000 of 1,000,000 more than 90 days late, over the 10 % limit."""
    current, late = two_loans
    closed_day(BREACHED_ON, [(current, "790000", "10000", 0), (late, "190000", "10000", 120)])
    return services.k1_run(on=BREACHED_ON)


@pytest.fixture
def plan(breached_run):
    return ActionPlan.objects.get(run=breached_run)


@pytest.fixture
def notice(breached_run, two_loans):
    current, late = two_loans
    closed_day(BACK_ON, [(current, "950000", "0", 0), (late, "50000", "0", 95)])
    run = services.k1_run(on=BACK_ON)
    return ReturnNotice.objects.get(run=run)


@pytest.fixture
def risk_client(client_as):
    return client_as(Role.RISK_MANAGER)


def run_url(on: date) -> str:
    return reverse("risk:k1-run", args=[on.isoformat()])


def plan_action(plan, action: str) -> str:
    return reverse("risk:plan-action", args=[plan.pk, action])


def page_urls(plan, notice) -> list[str]:
    on = BREACHED_ON.isoformat()
    return [
        reverse("risk:dashboard"),
        reverse("risk:k1-run-new"),
        reverse("risk:k1-run", args=[on]),
        reverse("risk:k1-loans-export", args=[on]),
        reverse("risk:k1-runs-export"),
        reverse("risk:plan", args=[plan.pk]),
        reverse("risk:notice", args=[notice.pk]),
        reverse("risk:settings"),
    ]


@pytest.mark.parametrize("role", [Role.RISK_MANAGER, Role.ADMINISTRATOR])
def test_the_risk_pages_open_for_risk_managers_and_administrators(client_as, role, plan, notice):
    client = client_as(role)
    for url in page_urls(plan, notice):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", [Role.ACCOUNTANT, Role.CREDIT_ADMINISTRATOR, Role.COLLECTOR])
def test_every_other_role_gets_403(client_as, role, plan, notice):
    client = client_as(role)
    for url in page_urls(plan, notice):
        assert client.get(url).status_code == 403, url
    assert client.post(plan_action(plan, "submit"), {"on": "2026-04-01"}).status_code == 403
    assert client.post(reverse("risk:k1-run-new"), {"on": "2026-03-02"}).status_code == 403


def test_the_menu_shows_the_risk_pages_to_a_risk_manager(risk_client, client_as):
    assert reverse("risk:dashboard") in risk_client.get(reverse("home")).content.decode()
    accountant = client_as(Role.ACCOUNTANT)
    assert reverse("risk:dashboard") not in accountant.get(reverse("home")).content.decode()


# --- running k1 ---------------------------------------------------------------------------------


def test_the_run_form_starts_a_run_through_celery_and_the_page_follows_it(
    risk_client, active_loan, monkeypatch
):
    on = date(2026, 3, 10)
    loan = active_loan(on=date(2025, 11, 3), amount="1000000", term=12)
    loan_services.close_day(on=on)  # no payment since November: more than 90 days late
    queued = []
    monkeypatch.setattr(views.k1_run_task, "delay", lambda *args: queued.append(args))

    response = risk_client.post(reverse("risk:k1-run-new"), {"on": on.isoformat()})

    assert response.status_code == 302 and response["Location"] == run_url(on)
    run = K1Run.objects.get(on=on)
    assert run.status == K1Run.Status.RUNNING
    assert queued == [(on.isoformat(), run.run_by_id)]
    page = risk_client.get(run_url(on))
    body = page.content.decode()
    assert 'data-status="running"' in body and "data-progress" in body
    assert '<meta http-equiv="refresh" content="2">' in body and page["Refresh"] == "2"

    k1_run_task.apply(args=queued[0])  # what the worker does, without the broker

    run.refresh_from_db()
    assert run.status == K1Run.Status.DONE, run
    assert (run.loans_over_90, run.share, run.breached) == (1, 100, True)
    page = risk_client.get(run_url(on))
    body = page.content.decode()
    assert "Refresh" not in page and "refresh" not in body.split("<main", 1)[1][:400]
    assert 'data-status="done"' in body and 'data-breached="true"' in body
    assert reverse("portfolio:loan", args=[loan.pk]) in body
    assert run.reading in body


def test_a_date_not_closed_is_refused_on_its_field_and_nothing_is_started(risk_client, monkeypatch):
    queued = []
    monkeypatch.setattr(views.k1_run_task, "delay", lambda *args: queued.append(args))
    response = risk_client.post(reverse("risk:k1-run-new"), {"on": "2026-03-02"})
    assert response.status_code == 400
    assert 'data-error-for="on"' in response.content.decode()
    assert not K1Run.objects.exists() and not queued


def test_the_run_form_proposes_yesterday(risk_client):
    yesterday = timezone.localdate() - timedelta(days=1)
    assert (
        f'value="{yesterday.isoformat()}"'
        in risk_client.get(reverse("risk:k1-run-new")).content.decode()
    )


def test_the_run_page_lists_the_mm90_loans_with_the_exposure(risk_client, breached_run, two_loans):
    body = risk_client.get(run_url(BREACHED_ON)).content.decode()
    current, late = two_loans
    assert f'data-loan="{late.pk}"' in body and f'data-loan="{current.pk}"' not in body
    assert reverse("portfolio:loan", args=[late.pk]) in body
    assert "data-exposure" in body and "data-share-if-cross" in body
    assert reverse("risk:plan", args=[ActionPlan.objects.get().pk]) in body


def test_the_exports_hold_the_mm90_loans_and_the_runs(risk_client, breached_run, two_loans):
    response = risk_client.get(reverse("risk:k1-loans-export", args=[BREACHED_ON.isoformat()]))
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert len(rows) == 2 and rows[1][0] == two_loans[1].number
    assert rows[1][2] == 120 and D(str(rows[1][5])) == D("200000")
    assert AuditEvent.objects.filter(action="prudential.k1_loans_exported").exists()

    response = risk_client.get(reverse("risk:k1-runs-export"))
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert len(rows) == 2
    assert D(str(rows[1][4])) == D(20) and D(str(rows[1][5])) == D(10)


# --- the dashboard ------------------------------------------------------------------------------


def test_the_dashboard_shows_the_latest_verdict_the_alerts_and_the_plan(risk_client, plan):
    body = risk_client.get(reverse("risk:dashboard")).content.decode()
    assert 'data-verdict="2026-03-31"' in body and "data-official" in body
    assert 'data-breached="true"' in body
    assert "20.0000" in body and "The limit is breached" in body
    assert "data-chart" in body and run_url(BREACHED_ON) in body
    assert f'data-plan="{plan.pk}"' in body
    breach = Alert.objects.get(kind=Alert.Kind.BREACH)
    assert f'data-alert="{breach.pk}"' in body


def test_the_dashboard_shows_the_latest_run_when_it_is_a_daily_one(
    risk_client, breached_run, two_loans
):
    late = two_loans[1]
    closed_day(date(2026, 4, 2), [(late, "1000", "0", 122)])
    services.k1_run(on=date(2026, 4, 2))
    body = risk_client.get(reverse("risk:dashboard")).content.decode()
    assert body.index('data-verdict="2026-04-02"') < body.index('data-verdict="2026-03-31"')
    assert "data-daily" in body


def test_acknowledging_an_alert_takes_it_off_the_dashboard(risk_client, plan):
    alert = Alert.objects.get(kind=Alert.Kind.BREACH)
    response = risk_client.post(reverse("risk:alert-acknowledge", args=[alert.pk]))
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.acknowledged_at and alert.acknowledged_by
    body = risk_client.get(reverse("risk:dashboard")).content.decode()
    assert f'data-alert="{alert.pk}"' not in body


def test_a_missed_plan_deadline_is_red_on_the_dashboard(risk_client, plan, time_machine):
    time_machine.move_to(plan.submit_by + timedelta(days=3))
    body = risk_client.get(reverse("risk:dashboard")).content.decode()
    assert "data-missed" in body


def test_the_limit_line_steps_down_on_1_january_2026():
    limits = [(date(2000, 1, 1), D(15)), (date(2026, 1, 1), D(10))]
    points = [
        (date(2025, 12, 1), D(5), False, "/a"),
        (date(2026, 1, 31), D(12), True, "/b"),
    ]
    chart = views.k1_chart(points, limits)
    ys = [float(point.split(",")[1]) for point in chart.limit_line.split()]
    xs = [float(point.split(",")[0]) for point in chart.limit_line.split()]
    assert len(ys) == 4 and ys[0] == ys[1] < ys[2] == ys[3]  # 15 %, then lower at 10 %
    assert xs[1] == xs[2]  # a vertical step, on 1 January
    assert "01.01.2026" in [tick.label for tick in chart.x_ticks]
    assert [dot.breached for dot in chart.dots] == [False, True]


# --- the action plan -----------------------------------------------------------------------------


def test_a_measure_outside_the_plan_period_is_refused_on_deadline(risk_client, plan, make_user):
    manager = make_user(Role.MONITORING_MANAGER, username="manager")
    response = risk_client.post(
        plan_action(plan, "measure"),
        {
            "what": "Restructure the late loans",
            "how": "Call each borrower",
            "deadline": (plan.period_to + timedelta(days=1)).isoformat(),
            "responsible": manager.pk,
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'data-error-for="deadline"' in body and "within the plan" in body
    assert not Measure.objects.exists()


def test_a_plan_without_measures_cannot_be_submitted(risk_client, plan):
    response = risk_client.post(plan_action(plan, "submit"), {"on": "2026-04-01"})
    assert response.status_code == 400
    assert 'data-error-for="measures"' in response.content.decode()
    plan.refresh_from_db()
    assert plan.status == ActionPlan.Status.DRAFT and plan.submitted_on is None


def test_a_plan_is_worked_through_to_its_approval(risk_client, plan, make_user):
    manager = make_user(Role.MONITORING_MANAGER, username="manager")
    response = risk_client.post(
        plan_action(plan, "measure"),
        {
            "what": "Restructure the late loans",
            "how": "Call each borrower",
            "deadline": "2026-05-15",
            "responsible": manager.pk,
        },
    )
    assert response.status_code == 302
    response = risk_client.post(plan_action(plan, "period"), {"period_to": "2026-04-15"})
    assert response.status_code == 400
    assert 'data-error-for="period_to"' in response.content.decode()
    assert risk_client.post(plan_action(plan, "period"), {"period_to": "2026-07-31"})
    assert risk_client.post(plan_action(plan, "submit"), {"on": "2026-04-01"}).status_code == 302
    response = risk_client.post(
        plan_action(plan, "note"), {"kind": "remark", "on": "2026-04-02", "text": "More detail."}
    )
    assert response.status_code == 302
    assert risk_client.post(plan_action(plan, "submit"), {"on": "2026-04-03"}).status_code == 302
    response = risk_client.post(plan_action(plan, "approve"), {"on": "2026-04-02"})
    assert response.status_code == 400 and 'data-error-for="on"' in response.content.decode()
    assert risk_client.post(plan_action(plan, "approve"), {"on": "2026-04-06"}).status_code == 302
    plan.refresh_from_db()
    assert plan.status == ActionPlan.Status.APPROVED and plan.approved_on == date(2026, 4, 6)
    assert plan.period_to == date(2026, 7, 31)
    body = risk_client.get(reverse("risk:plan", args=[plan.pk])).content.decode()
    assert "Restructure the late loans" in body and "More detail." in body


# --- the notice and the settings ---------------------------------------------------------------


def test_the_notice_is_marked_as_sent(risk_client, notice):
    url = reverse("risk:notice", args=[notice.pk])
    assert notice.text in risk_client.get(url).content.decode()
    response = risk_client.post(reverse("risk:notice-send", args=[notice.pk]), {"on": "2026-03-01"})
    assert response.status_code == 400 and 'data-error-for="on"' in response.content.decode()
    response = risk_client.post(reverse("risk:notice-send", args=[notice.pk]), {"on": "2026-05-01"})
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.sent_on == date(2026, 5, 1) and notice.sent_by


def test_the_settings_row_is_created_with_who_changed_it(client, make_user):
    risk = make_user(Role.RISK_MANAGER)
    client.force_login(risk)
    data = {
        "warning_share": "70",
        "reporting_day": "month_end",
        "provision_stage1": "1",
        "provision_stage2": "20",
        "provision_stage3": "100",
    }
    bad = client.post(reverse("risk:settings"), {**data, "warning_share": "150"})
    assert bad.status_code == 400 and 'data-error-for="warning_share"' in bad.content.decode()
    assert not RiskSettings.objects.exists()
    assert client.post(reverse("risk:settings"), data).status_code == 302
    row = RiskSettings.objects.get()
    assert row.warning_share == 70 and row.updated_by == risk
    assert client.post(reverse("risk:settings"), {**data, "warning_share": "60"})
    assert RiskSettings.objects.count() == 1
    events = AuditEvent.objects.filter(action="prudential.risk_settings_changed").order_by("pk")
    assert [event.data for event in events] == [
        {"warning_share": ["80.00", "70.00"]},
        {"warning_share": ["70.00", "60.00"]},
    ]


# --- the command and the nightly task ---------------------------------------------------------


def test_the_command_prints_the_verdict(two_loans):
    current, late = two_loans
    closed_day(BREACHED_ON, [(current, "790000", "10000", 0), (late, "190000", "10000", 120)])
    out = io.StringIO()
    call_command("prudential_run", "--date", BREACHED_ON.isoformat(), stdout=out)
    printed = out.getvalue()
    assert "2026-03-31" in printed and "20.0000 %" in printed and "BREACHED" in printed
    assert "reporting date" in printed


def test_the_nightly_task_runs_closed_business_days_and_reporting_weekends(active_loan):
    active_loan(on=date(2026, 1, 5), amount="1000000", term=12)
    # Thu 26 Feb .. Mon 2 Mar 2026: Sat 28 Feb is a month end, Sun 1 Mar is not
    loan_services.close_day(on=date(2026, 2, 26))
    loan_services.close_day(on=date(2026, 3, 2))

    result = k1_nightly_task.apply(kwargs={"on": "2026-03-02"}).get()

    runs = list(K1Run.objects.order_by("on").values_list("on", flat=True))
    assert runs == [date(2026, 2, 26), date(2026, 2, 27), date(2026, 2, 28), date(2026, 3, 2)]
    assert result["runs"] == [day.isoformat() for day in runs]
    assert K1Run.objects.get(on=date(2026, 2, 28)).official
    # the next night only the newly closed date
    loan_services.close_day(on=date(2026, 3, 3))
    assert k1_nightly_task.apply(kwargs={"on": "2026-03-03"}).get()["runs"] == ["2026-03-03"]


def test_the_nightly_task_flags_missed_plan_deadlines(plan):
    result = k1_nightly_task.apply(kwargs={"on": (plan.submit_by + timedelta(days=1)).isoformat()})
    assert result.get()["deadlines_missed"] == 1
    assert Alert.objects.filter(kind=Alert.Kind.DEADLINE_MISSED, plan=plan).exists()


def test_risk_settings_show_the_dated_reading_of_the_90_day_stop(client_as):
    from datetime import date

    from core.models import RegulatoryValue

    RegulatoryValue.objects.create(
        key="overdue_stop_scope", loan_class="individual", value=1, effective_from=date(2099, 1, 1)
    )
    page = client_as(Role.RISK_MANAGER).get(reverse("risk:settings")).content.decode()
    section = page[page.index("data-overdue-stop") :]
    assert "After 90 consecutive days overdue" in section
    in_force = section[section.index("data-in-force") :]
    assert in_force.index("penalties and all interest stop") < in_force.index("</tr>")
    assert "01.01.2099" in section and "penalties stop; interest goes on" in section


def test_the_90_day_stop_reading_is_one_of_its_two_codes():
    from datetime import date

    from django.core.exceptions import ValidationError

    from core.models import RegulatoryValue

    row = RegulatoryValue(
        key="overdue_stop_scope", loan_class="individual", value=3, effective_from=date(2099, 1, 1)
    )
    with pytest.raises(ValidationError) as refused:
        row.full_clean()
    assert "value" in refused.value.message_dict
    row.value = 1
    row.full_clean()
