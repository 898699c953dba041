"""The prudential API (issue 8): k1 of a date on request, its loans, alerts and the action plan.

The book: a loan paid nothing since its disbursement on 2 February 2026 (first instalment due
2 March: 120 days late on 30 June, 151 on 31 July) and a larger one disbursed on 1 June, its
first instalment of 1 July unpaid too (30 days late on 31 July). The expected share is summed
here from the close's snapshots, not taken from the service.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db.models import F, Sum

from core.models import RegulatoryValue
from core.roles import Role
from loans.models import LoanSnapshot
from loans.services import close_day
from prudential.models import ActionPlan, Alert, K1Run

pytestmark = pytest.mark.django_db

URL = "/api/v1/prudential/"
JUNE_END = date(2026, 6, 30)  # a Tuesday, a reporting date
MID_JULY = date(2026, 7, 3)  # not a reporting date
JULY_END = date(2026, 7, 31)  # a Friday, a reporting date
EIGHT_PLACES = Decimal("0.00000001")


@pytest.fixture
def book(active_loan):
    late = active_loan(on=date(2026, 2, 2), amount="1000000", term=12)
    current = active_loan(on=date(2026, 6, 1), amount="3000000", term=12)
    close_day(on=date(2026, 6, 1))  # the first close fills in the dates before it unrecorded
    close_day(on=JULY_END)  # each date from 2 June on recorded as closed
    return SimpleNamespace(late=late, current=current)


@pytest.fixture
def risk(api_client, make_user):
    """An API client of a risk manager, and the manager (responsible for measures)."""
    user = make_user(Role.RISK_MANAGER, username="risk")
    api_client.force_authenticate(user)
    return SimpleNamespace(client=api_client, user=user)


def expected_figures(on: date) -> tuple[Decimal, Decimal, Decimal]:
    """MM90, LP and the share in percent from the date's snapshots (DOMAIN.md §11)."""
    snapshots = LoanSnapshot.objects.filter(on=on).annotate(
        exposure=F("principal") + F("interest") + F("accrued_interest")
    )
    portfolio = snapshots.aggregate(total=Sum("exposure"))["total"]
    mm90 = snapshots.filter(days_past_due__gte=91).aggregate(total=Sum("exposure"))["total"]
    mm90 = mm90 or Decimal(0)
    return mm90, portfolio, (mm90 * 100 / portfolio).quantize(EIGHT_PLACES)


def run(client, on: date):
    return client.post(f"{URL}k1-runs/", {"on": on.isoformat()}, format="json")


def test_a_run_computes_the_share_from_the_snapshots(book, risk):
    response = run(risk.client, MID_JULY)
    assert response.status_code == 201, response.json()
    body = response.json()
    mm90, portfolio, share = expected_figures(MID_JULY)
    assert 0 < mm90 < portfolio
    assert Decimal(body["mm90"]) == mm90 and Decimal(body["portfolio"]) == portfolio
    assert body["mm90"] == f"{mm90:.2f}"  # money as a string with two decimals
    assert Decimal(body["share"]) == share
    assert body["share"] == f"{share:.8f}"  # a percent string, unrounded to 8 places
    assert body["on"] == "2026-07-03" and body["status"] == "done"
    assert not body["official"] and body["breached"]
    assert Decimal(body["limit"]) == 10  # from 2026-01-01
    assert body["loans"] == 2 and body["loans_over_90"] == 1
    assert body["reading"] and body["action_plan"] is None  # not a reporting date

    detail = risk.client.get(f"{URL}k1-runs/2026-07-03/")
    assert detail.status_code == 200
    assert detail.json() == body
    listed = risk.client.get(f"{URL}k1-runs/").json()
    assert listed["count"] == 1
    assert listed["results"][0] == {
        key: body[key] for key in ("id", "on", "status", "official", "share", "limit", "breached")
    }


def test_a_loan_over_90_days_late_is_listed_behind_mm90(book, risk):
    run(risk.client, MID_JULY)
    response = risk.client.get(f"{URL}k1-runs/2026-07-03/loans/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1  # paginated; the current loan is not in MM90
    row = body["results"][0]
    snapshot = LoanSnapshot.objects.get(loan=book.late, on=MID_JULY)
    assert row == {
        "loan": book.late.pk,
        "number": book.late.number,
        "principal": f"{snapshot.principal:.2f}",
        "interest": f"{snapshot.interest + snapshot.accrued_interest:.2f}",
        "days_past_due": snapshot.days_past_due,
        "written_off": False,
    }
    assert snapshot.days_past_due == 123
    assert risk.client.get(f"{URL}k1-runs/2026-07-04/loans/").status_code == 404
    assert risk.client.get(f"{URL}k1-runs/2026-02-30/").status_code == 404


def test_a_rerun_of_the_date_replaces_it(book, risk):
    first = run(risk.client, MID_JULY)
    again = run(risk.client, MID_JULY)
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["share"] == first.json()["share"]
    assert K1Run.objects.filter(on=MID_JULY).count() == 1
    assert risk.client.get(f"{URL}k1-runs/2026-07-03/loans/").json()["count"] == 1


def test_a_date_not_closed_is_refused_on_its_date(book, risk):
    response = run(risk.client, date(2026, 8, 3))
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "day_not_closed" and "on" in body["errors"]
    assert not K1Run.objects.exists()
    invalid = risk.client.post(f"{URL}k1-runs/", {"on": "yesterday"}, format="json")
    assert invalid.status_code == 400 and "on" in invalid.json()["errors"]


def test_the_list_filters_by_reporting_date_and_breach(book, risk):
    for on in (JUNE_END, MID_JULY, JULY_END):
        run(risk.client, on)
    official = risk.client.get(f"{URL}k1-runs/", {"official": "true"}).json()
    assert [row["on"] for row in official["results"]] == ["2026-07-31", "2026-06-30"]
    other = risk.client.get(f"{URL}k1-runs/", {"official": "false"}).json()
    assert [row["on"] for row in other["results"]] == ["2026-07-03"]
    since = risk.client.get(f"{URL}k1-runs/", {"date_from": "2026-07-01"}).json()
    assert since["count"] == 2
    wrong = risk.client.get(f"{URL}k1-runs/", {"date_from": "2026-08-01", "date_to": "2026-07-01"})
    assert wrong.status_code == 400 and "date_to" in wrong.json()["errors"]


def test_a_breach_on_a_month_end_opens_the_action_plan(book, risk):
    response = run(risk.client, JULY_END)
    body = response.json()
    assert body["official"] and body["breached"]
    plan = ActionPlan.objects.get(run_id=body["id"])
    assert body["action_plan"] == plan.pk

    listed = risk.client.get(f"{URL}action-plans/").json()
    assert listed["count"] == 1
    row = listed["results"][0]
    assert row["id"] == plan.pk and row["status"] == "draft"
    assert row["reporting_date"] == "2026-07-31"
    assert row["submit_by"] == "2026-08-03"  # 1 business day after a Friday
    assert row["approve_by"] == "2026-08-07"  # 5 business days
    assert row["period_from"] == "2026-08-01" and row["period_to"] == "2026-10-31"
    assert row["share"] == body["share"]

    alerts = risk.client.get(f"{URL}alerts/").json()["results"]
    assert "breach" in {alert["kind"] for alert in alerts}


def test_alerts_unacknowledged_first_and_acknowledged_once(book, risk):
    run(risk.client, JUNE_END)
    run(risk.client, JULY_END)
    alerts = risk.client.get(f"{URL}alerts/").json()["results"]
    assert len(alerts) >= 2
    oldest = alerts[-1]
    response = risk.client.post(f"{URL}alerts/{oldest['id']}/acknowledge/")
    assert response.status_code == 200
    acknowledged = response.json()
    assert acknowledged["acknowledged_by"] == "risk" and acknowledged["acknowledged_at"]
    again = risk.client.post(f"{URL}alerts/{oldest['id']}/acknowledge/").json()
    assert again["acknowledged_at"] == acknowledged["acknowledged_at"]  # the first one kept

    after = risk.client.get(f"{URL}alerts/").json()["results"]
    assert after[-1]["id"] == oldest["id"]
    assert all(row["acknowledged_at"] is None for row in after[:-1])
    waiting = risk.client.get(f"{URL}alerts/", {"acknowledged": "false"}).json()
    assert waiting["count"] == len(alerts) - 1
    assert risk.client.post(f"{URL}alerts/999999/acknowledge/").status_code == 404


@pytest.fixture
def plan(book, risk):
    run(risk.client, JULY_END)
    return ActionPlan.objects.get()


def measure(plan, risk, **changes):
    body = {
        "what": "Restructure the loans 61–90 days late",
        "how": "Call each borrower; offer a new schedule through the committee",
        "deadline": "2026-09-15",
        "responsible": risk.user.pk,
        **changes,
    }
    return risk.client.post(f"{URL}action-plans/{plan.pk}/measures/", body, format="json")


def test_a_measure_outside_the_plan_period_is_refused(plan, risk):
    response = measure(plan, risk, deadline="2026-11-01")
    assert response.status_code == 400
    assert response.json()["code"] == "outside_period" and "deadline" in response.json()["errors"]
    assert measure(plan, risk, responsible=999999).json()["errors"].keys() == {"responsible"}
    assert measure(plan, risk, what="").json()["errors"].keys() == {"what"}
    assert not plan.measures.exists()


def test_a_plan_without_measures_is_not_submitted(plan, risk):
    response = risk.client.post(
        f"{URL}action-plans/{plan.pk}/submit/", {"on": "2026-08-03"}, format="json"
    )
    assert response.status_code == 400
    assert "measures" in response.json()["errors"]
    plan.refresh_from_db()
    assert plan.status == ActionPlan.Status.DRAFT


def test_the_plan_goes_through_remarks_to_approval(plan, risk):
    url = f"{URL}action-plans/{plan.pk}/"
    short = risk.client.post(f"{url}period/", {"period_to": "2026-10-30"}, format="json")
    assert short.status_code == 400 and "period_to" in short.json()["errors"]
    longer = risk.client.post(f"{url}period/", {"period_to": "2026-12-31"}, format="json")
    assert longer.status_code == 200 and longer.json()["period_to"] == "2026-12-31"

    added = measure(plan, risk, deadline="2026-12-15")
    assert added.status_code == 201
    assert added.json()["responsible"] == risk.user.pk
    assert added.json()["deadline"] == "2026-12-15"

    submitted = risk.client.post(f"{url}submit/", {"on": "2026-08-03"}, format="json")
    assert submitted.status_code == 200
    assert submitted.json()["status"] == "submitted"
    assert submitted.json()["reply_by"] == "2026-08-06"  # 3 business days
    late_measure = measure(plan, risk)
    assert late_measure.status_code == 409 and late_measure.json()["code"] == "wrong_state"

    objection = {"kind": "objection", "on": "2026-08-05", "text": "We disagree."}
    assert risk.client.post(f"{url}notes/", objection, format="json").status_code == 409
    remark = {"kind": "remark", "on": "2026-08-05", "text": "Name a deadline per branch."}
    noted = risk.client.post(f"{url}notes/", remark, format="json")
    assert noted.status_code == 201 and noted.json()["kind"] == "remark"
    assert noted.json()["recorded_by"] == "risk"
    assert risk.client.post(f"{url}notes/", objection, format="json").status_code == 201
    bad_kind = risk.client.post(f"{url}notes/", {**remark, "kind": "praise"}, format="json")
    assert bad_kind.status_code == 400 and "kind" in bad_kind.json()["errors"]

    assert risk.client.post(f"{url}submit/", {"on": "2026-08-06"}, format="json").status_code == 200
    approved = risk.client.post(f"{url}approve/", {"on": "2026-08-07"}, format="json")
    assert approved.status_code == 200
    body = approved.json()
    assert body["status"] == "approved" and body["approved_on"] == "2026-08-07"
    assert [row["kind"] for row in body["notes"]] == ["remark", "objection"]
    assert len(body["measures"]) == 1 and body["measures"][0]["responsible_username"] == "risk"
    assert risk.client.get(url).json() == body
    twice = risk.client.post(f"{url}approve/", {"on": "2026-08-07"}, format="json")
    assert twice.status_code == 409
    assert risk.client.get(f"{URL}action-plans/", {"status": "approved"}).json()["count"] == 1


def test_the_return_notice_is_drafted_and_sent(book, risk):
    run(risk.client, JUNE_END)
    # a limit raised from 31 July (a dated regulatory value): the share is back within it
    RegulatoryValue.objects.create(
        key=RegulatoryValue.Key.K1_OVERDUE90_LIMIT,
        value=Decimal(90),
        effective_from=JULY_END,
        source="test",
    )
    back = run(risk.client, JULY_END).json()
    assert not back["breached"] and back["return_notice"] is not None
    notices = risk.client.get(f"{URL}return-notices/").json()
    assert notices["count"] == 1
    notice = notices["results"][0]
    assert notice["id"] == back["return_notice"] and notice["due_by"] == "2026-08-01"
    assert notice["sent_on"] is None and notice["share"] == back["share"]

    sent = risk.client.post(
        f"{URL}return-notices/{notice['id']}/sent/", {"on": "2026-08-01"}, format="json"
    )
    assert sent.status_code == 200
    assert sent.json()["sent_on"] == "2026-08-01" and sent.json()["sent_by"] == "risk"
    again = risk.client.post(
        f"{URL}return-notices/{notice['id']}/sent/", {"on": "2026-08-01"}, format="json"
    )
    assert again.status_code == 409


def test_the_administrator_may_run_k1(book, api_as):
    response = run(api_as(Role.ADMINISTRATOR), MID_JULY)
    assert response.status_code == 201


CALLS = [
    ("get", "k1-runs/", None),
    ("post", "k1-runs/", {"on": "2026-07-31"}),
    ("get", "k1-runs/2026-07-31/", None),
    ("get", "k1-runs/2026-07-31/loans/", None),
    ("get", "alerts/", None),
    ("post", "alerts/{alert}/acknowledge/", None),
    ("get", "action-plans/", None),
    ("get", "action-plans/{plan}/", None),
    ("post", "action-plans/{plan}/measures/", {"what": "x", "how": "y"}),
    ("post", "action-plans/{plan}/period/", {"period_to": "2026-12-31"}),
    ("post", "action-plans/{plan}/submit/", {"on": "2026-08-03"}),
    ("post", "action-plans/{plan}/notes/", {"kind": "remark", "on": "2026-08-03", "text": "x"}),
    ("post", "action-plans/{plan}/approve/", {"on": "2026-08-03"}),
    ("get", "return-notices/", None),
    ("post", "return-notices/1/sent/", {"on": "2026-08-03"}),
]


@pytest.mark.parametrize(
    "role", [Role.ACCOUNTANT, Role.BRANCH_SYSTEM, Role.CREDIT_ADMINISTRATOR, Role.COLLECTOR]
)
def test_other_roles_are_refused(plan, api_as, role):
    client = api_as(role)
    alert = Alert.objects.first()
    before = (
        K1Run.objects.get().finished_at,
        plan.status,
        Alert.objects.filter(acknowledged_at__isnull=False).count(),
    )
    for method, path, body in CALLS:
        url = URL + path.format(plan=plan.pk, alert=alert.pk)
        response = getattr(client, method)(url, body, format="json")
        assert response.status_code == 403, (method, url)
        assert response.json()["code"] == "permission_denied"
    plan.refresh_from_db()
    after = (
        K1Run.objects.get().finished_at,
        plan.status,
        Alert.objects.filter(acknowledged_at__isnull=False).count(),
    )
    assert after == before


def test_an_anonymous_call_is_refused(api_client):
    assert api_client.get(f"{URL}k1-runs/").status_code == 401
