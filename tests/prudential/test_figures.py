"""The portfolio risk figures on a hand-built portfolio with known answers.

The loans are made through the services (``active_loan``); their figures on the date are
snapshot rows written here, as the daily close would leave them, so each answer is exact.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from applications.models import Applicant, Application, DebtBurdenAssessment, RefusalGround, Stage
from core.models import AuditEvent, Branch
from core.money import ZERO
from core.roles import Role
from loans.domain.servicing import Bucket
from loans.models import DayClose, Loan, LoanSnapshot, Payment, WriteOff
from prudential import figures
from prudential.domain.provisions import Stage as ProvisionStage
from prudential.models import RiskSettings

pytestmark = pytest.mark.django_db

DISBURSED = date(2026, 3, 2)
ON = date(2026, 4, 16)  # the closed business date of the figures
WRITTEN_OFF_ON = date(2026, 4, 10)
ALMATY = ZoneInfo("Asia/Almaty")
PAGE = reverse("risk-figures:page")
EXPORT = reverse("risk-figures:export")
ZERO_FIELDS = (
    "principal",
    "interest",
    "penalty",
    "held",
    "overdue_principal",
    "overdue_interest",
    "accrued_interest",
    "interest_accrued_total",
    "principal_due",
    "interest_due",
    "principal_late",
    "interest_late",
    "scheduled_interest_posted",
    "late_principal_days",
    "overdue_interest_posted",
    "penalty_exact",
    "penalty_exact_this_year",
    "penalty_posted",
)


@pytest.fixture(autouse=True)
def _english_pages(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def snapshot(loan: Loan, on: date = ON, **values) -> LoanSnapshot:
    """The loan's figures at the close of ``on``; the amounts not given are zero."""
    DayClose.objects.get_or_create(business_date=on)
    LoanSnapshot.objects.filter(loan=loan, on=on).delete()  # a re-run replaces the row
    return LoanSnapshot.objects.create(
        loan=loan, on=on, **(dict.fromkeys(ZERO_FIELDS, ZERO) | {"days_past_due": 0} | values)
    )


def money(value: str) -> Decimal:
    return Decimal(value)


@pytest.fixture
def book(active_loan, make_user, officer, products):
    """Four loans on the balance sheet and one written off, on ``ON``:

    ===  ==========  ============  ========  =======  ===  ======================
    loan  amount      principal     interest  accrued  dpd  other
    ===  ==========  ============  ========  =======  ===  ======================
    a    1 000 000    900 000.00    5 000    1 000      0   borrower 2, branch 2
    b      500 000    400 000.00    2 000      500      2   officer 2
    c      300 000    250 000.00   10 000        0     45
    d      200 000    150 000.55   20 000        0    120   disbursed in February
    e      100 000     80 000.00    5 000        0    200   written off 10 April
    ===  ==========  ============  ========  =======  ===  ======================
    """
    a = active_loan(on=DISBURSED, amount="1000000")
    b = active_loan(on=DISBURSED, amount="500000")
    c = active_loan(on=DISBURSED, amount="300000")
    d = active_loan(on=DISBURSED, amount="200000")
    e = active_loan(on=DISBURSED, amount="100000")
    other = Applicant.objects.get(pk=a.borrower_id)
    other.pk, other.iin, other.name = None, "850512400709", "ТОО Второй"
    other.save()
    branch = Branch.objects.create(
        code="shymkent", name_kk="Шымкент", name_ru="Шымкент", name_en="Shymkent"
    )
    Loan.objects.filter(pk=a.pk).update(borrower=other, branch=branch)
    second_officer = make_user(Role.CREDIT_ADMINISTRATOR, username="second-officer")
    Loan.objects.filter(pk=b.pk).update(officer=second_officer)
    Loan.objects.filter(pk=d.pk).update(disbursed_on=date(2026, 2, 10))
    Loan.objects.filter(pk=e.pk).update(
        status=Loan.Status.WRITTEN_OFF, written_off_on=WRITTEN_OFF_ON
    )
    snapshot(a, principal=money("900000"), interest=money("5000"), accrued_interest=money("1000"))
    snapshot(
        b,
        principal=money("400000"),
        interest=money("2000"),
        accrued_interest=money("500"),
        days_past_due=2,
    )
    snapshot(c, principal=money("250000"), interest=money("10000"), days_past_due=45)
    snapshot(d, principal=money("150000.55"), interest=money("20000"), days_past_due=120)
    snapshot(e, principal=money("80000"), interest=money("5000"), days_past_due=200)
    WriteOff.objects.create(
        loan=e,
        on=WRITTEN_OFF_ON,
        decision_number="WO-1",
        decided_on=WRITTEN_OFF_ON,
        decided_by_body="Board",
        reason="Hopeless",
        principal=money("80000"),
        interest=money("5000"),
        penalty=money("1000"),
        days_past_due=194,
        recorded_by=officer,
    )
    for value_date, amount, reversed_at in (
        (date(2026, 4, 1), "7000", None),  # before the write-off: not a recovery
        (date(2026, 4, 12), "10000", None),
        (date(2026, 4, 13), "3000", datetime(2026, 4, 14, tzinfo=ALMATY)),  # reversed
        (date(2026, 4, 20), "5000", None),  # after the date of the figures
    ):
        Payment.objects.create(
            loan=e,
            amount=money(amount),
            value_date=value_date,
            channel=Payment.Channel.CASH,
            received_by=officer,
            reversed_at=reversed_at,
        )
    return {
        "a": a,
        "b": b,
        "c": c,
        "d": d,
        "e": e,
        "branch": branch,
        "officer": second_officer,
        "borrower": other,
    }


# --- the date ---------------------------------------------------------------------------------


def test_figures_date_is_the_last_closed_date_or_a_closed_one_asked_for(db):
    assert figures.figures_date() is None
    DayClose.objects.create(business_date=date(2026, 4, 15))
    DayClose.objects.create(business_date=ON)
    assert figures.figures_date() == ON
    assert figures.figures_date(date(2026, 4, 15)) == date(2026, 4, 15)
    assert figures.figures_date(date(2026, 4, 14)) is None


# --- 1. outstanding ---------------------------------------------------------------------------


def test_outstanding_is_principal_interest_and_accrued_with_written_off_apart(book):
    totals = figures.outstanding(on=ON)
    assert (totals.count, totals.amount) == (4, money("1738500.55"))
    assert (totals.written_off_count, totals.written_off_amount) == (1, money("85000.00"))

    (product,) = totals.by_product
    assert (product.count, product.amount) == (4, money("1738500.55"))
    assert (product.written_off_count, product.written_off_amount) == (1, money("85000"))

    by_branch = {group.key: group for group in totals.by_branch}
    assert by_branch[book["branch"].pk].label == "Shymkent"
    assert (by_branch[book["branch"].pk].count, by_branch[book["branch"].pk].amount) == (
        1,
        money("906000"),
    )
    head = by_branch[book["b"].branch_id]
    assert (head.count, head.amount, head.written_off_count) == (3, money("832500.55"), 1)

    by_officer = {group.key: group for group in totals.by_officer}
    assert by_officer[book["officer"].pk].amount == money("402500")
    assert by_officer[book["a"].officer_id].amount == money("1336000.55")
    assert by_officer[book["a"].officer_id].written_off_amount == money("85000")
    # the largest first
    assert [group.amount for group in totals.by_officer] == sorted(
        (group.amount for group in totals.by_officer), reverse=True
    )


# --- 2. PAR -----------------------------------------------------------------------------------


def test_par_is_the_principal_more_than_n_days_past_due_over_the_principal(book):
    result = figures.par(on=ON)
    assert (result.count, result.principal) == (4, money("1700000.55"))
    assert [(f.days, f.count, f.principal, f.percent) for f in result.figures] == [
        (1, 3, money("800000.55"), money("47.06")),
        (30, 2, money("400000.55"), money("23.53")),
        (60, 1, money("150000.55"), money("8.82")),
        (90, 1, money("150000.55"), money("8.82")),
    ]


def test_par_30_starts_on_the_31st_day(active_loan):
    on_30 = active_loan(on=DISBURSED, amount="100000")
    on_31 = active_loan(on=DISBURSED, amount="300000")
    snapshot(on_30, principal=money("100000"), days_past_due=30)
    snapshot(on_31, principal=money("300000"), days_past_due=31)
    par_30 = next(f for f in figures.par(on=ON).figures if f.days == 30)
    assert (par_30.count, par_30.principal, par_30.percent) == (1, money("300000"), money("75.00"))


def test_par_of_an_empty_portfolio_is_zero(db):
    DayClose.objects.create(business_date=ON)
    result = figures.par(on=ON)
    assert result.principal == ZERO
    assert {f.percent for f in result.figures} == {Decimal("0.00")}


# --- 3. buckets -------------------------------------------------------------------------------


def test_buckets_count_and_principal_of_the_loans_on_the_balance_sheet(book):
    assert [(b.bucket, b.count, b.principal, b.percent) for b in figures.buckets(on=ON)] == [
        (Bucket.CURRENT, 1, money("900000"), money("52.94")),
        (Bucket.DPD_1_30, 1, money("400000"), money("23.53")),
        (Bucket.DPD_31_60, 1, money("250000"), money("14.71")),
        (Bucket.DPD_61_90, 0, ZERO, money("0.00")),
        (Bucket.DPD_90_PLUS, 1, money("150000.55"), money("8.82")),
    ]


# --- 4. provisions ----------------------------------------------------------------------------


def test_provisions_are_the_exposure_per_stage_at_the_risk_managers_rates(book):
    RiskSettings.objects.create(
        provision_stage1=money("1.5"), provision_stage2=money("25"), provision_stage3=money("33.33")
    )
    result = figures.provisions(on=ON)
    assert [(s.stage, s.count, s.exposure, s.rate, s.provision) for s in result.stages] == [
        (ProvisionStage.ONE, 2, money("1308500"), money("1.5"), money("19627.50")),
        (ProvisionStage.TWO, 1, money("260000"), money("25"), money("65000.00")),
        # 170 000.55 × 33.33 % = 56 661.183315, half-up to the tiyn
        (ProvisionStage.THREE, 1, money("170000.55"), money("33.33"), money("56661.18")),
    ]
    assert result.exposure == money("1738500.55")
    assert result.provision == money("141288.68")


def test_provisions_use_the_default_rates_without_risk_settings(book):
    result = figures.provisions(on=ON)
    assert [s.rate for s in result.stages] == [Decimal(1), Decimal(20), Decimal(100)]
    assert result.provision == money("13085.00") + money("52000.00") + money("170000.55")


# --- 5. vintages ------------------------------------------------------------------------------


def test_vintages_show_the_share_of_each_month_now_late(book):
    result = figures.vintages(on=ON)
    assert [(v.month, v.count, v.disbursed) for v in result] == [
        (date(2026, 2, 1), 1, money("200000")),
        (date(2026, 3, 1), 4, money("1900000")),
    ]
    february, march = result
    assert february.late == {30: money("150000.55"), 90: money("150000.55")}
    assert february.late_percent == {30: money("75.00"), 90: money("75.00")}
    # c (45 days) and the written-off e (200 days) count in their vintage
    assert march.late == {30: money("330000"), 90: money("80000")}
    assert march.late_percent == {30: money("17.37"), 90: money("4.21")}


def test_vintages_leave_out_loans_disbursed_after_the_date(book):
    assert figures.vintages(on=date(2026, 2, 28))[0].count == 1
    assert len(figures.vintages(on=date(2026, 2, 28))) == 1


# --- 6. write-offs ----------------------------------------------------------------------------


def test_write_offs_per_month_with_what_was_recovered_since_up_to_the_date(book):
    (april,) = figures.write_off_months(on=ON)
    assert (april.month, april.count, april.principal, april.amount) == (
        date(2026, 4, 1),
        1,
        money("80000"),
        money("86000"),
    )
    assert april.recovered == money("10000")  # not before, not reversed, not after the date
    assert april.recovered_percent == money("11.63")
    assert figures.write_off_months(on=date(2026, 4, 30))[0].recovered == money("15000")
    assert figures.write_off_months(on=date(2026, 4, 9)) == []


# --- 7. concentration -------------------------------------------------------------------------


def test_concentration_ranks_borrowers_by_outstanding_with_their_share(book):
    result = figures.concentration(on=ON)
    assert result.portfolio == money("1738500.55")
    assert [(b.name, b.amount, b.percent) for b in result.top] == [
        ("ТОО Второй", money("906000"), money("52.11")),
        ("ИП Сейтқали", money("832500.55"), money("47.89")),
    ]
    assert [number for _pk, number in result.top[0].loans] == [book["a"].number]
    assert {pk for pk, _number in result.top[1].loans} == {
        book["b"].pk,
        book["c"].pk,
        book["d"].pk,
    }  # the written-off e is off the balance sheet
    assert (result.top_amount, result.top_percent) == (money("1738500.55"), money("100.00"))
    (product,) = result.by_product
    assert (product.count, product.amount, product.percent) == (4, money("1738500.55"), 100)


def clone_loan(loan: Loan, *, name: str, iin: str, number: str) -> Loan:
    """Another borrower's copy of a loan (its application and applicant copied too)."""
    borrower = Applicant.objects.get(pk=loan.borrower_id)
    borrower.pk, borrower.iin, borrower.name = None, iin, name
    borrower.save()
    application = Application.objects.get(pk=loan.application_id)
    application.pk, application.number = None, f"A-{number}"
    application.save()
    copy = Loan.objects.get(pk=loan.pk)
    copy.pk, copy.number, copy.application, copy.borrower = None, number, application, borrower
    copy.save()
    return copy


def test_concentration_keeps_the_ten_largest_borrowers(active_loan):
    loan = active_loan(on=DISBURSED, amount="100000")
    snapshot(loan, principal=money("1000"))  # the smallest: left out
    for n in range(1, 12):
        copy = clone_loan(loan, name=f"Borrower {n:02}", iin=f"9901013{n:05}", number=f"C-{n:02}")
        snapshot(copy, principal=money(1000 + n))
    result = figures.concentration(on=ON)
    assert [b.name for b in result.top] == [f"Borrower {n:02}" for n in range(11, 1, -1)]
    assert result.portfolio == money(12000 + 66)
    assert result.top_amount == money(10000 + sum(range(2, 12)))
    assert result.top_percent == money("83.42")  # 10 065 / 12 066


# --- 8. series --------------------------------------------------------------------------------


def test_series_gives_par_and_bucket_shares_per_closed_date(book):
    earlier = date(2026, 4, 15)
    snapshot(book["a"], on=earlier, principal=money("900000"))
    snapshot(book["c"], on=earlier, principal=money("100000"), days_past_due=44)
    points = figures.series(on=ON)
    assert [p.on for p in points] == [earlier, ON]
    first, last = points
    assert (first.count, first.principal) == (2, money("1000000"))
    assert first.par == {1: money("10.00"), 30: money("10.00"), 60: ZERO, 90: ZERO}
    assert first.buckets[Bucket.CURRENT] == money("90.00")
    assert first.buckets[Bucket.DPD_31_60] == money("10.00")
    assert last.par == {p.days: p.percent for p in figures.par(on=ON).figures}
    assert last.buckets == {b.bucket: b.percent for b in figures.buckets(on=ON)}
    assert [p.on for p in figures.series(on=ON, days=1)] == [ON]
    assert [p.on for p in figures.series(on=earlier)] == [earlier]


def test_the_figures_take_the_same_queries_whatever_the_portfolio(book, active_loan):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            figures.portfolio_figures(on=ON)
        return len(captured)

    before = queries()
    for amount in ("150000", "250000"):
        loan = active_loan(on=DISBURSED, amount=amount)
        snapshot(loan, principal=money(amount), days_past_due=70)
    assert queries() == before
    assert before <= 25


# --- 9. debt burden ---------------------------------------------------------------------------


@pytest.fixture
def assessed(new_application, officer, products):
    """Applications with coefficients at decision; and one still open, one assessed later."""

    def make(coefficient, stage, *, at, product="almaty-unsecured", applies=True, ground=""):
        application = new_application()
        Application.objects.filter(pk=application.pk).update(
            stage=stage, refusal_ground=ground, product=products[product]
        )
        limit = Decimal("0.5")
        assessment = DebtBurdenAssessment.objects.create(
            application=application,
            monthly_income=money("100000"),
            existing_payments=ZERO,
            new_loan_payment=money("100000") * Decimal(coefficient),
            coefficient=Decimal(coefficient),
            limit=limit,
            passes=Decimal(coefficient) <= limit,
            applies=applies,
            computed_by=officer,
        )
        DebtBurdenAssessment.objects.filter(pk=assessment.pk).update(computed_at=at)
        return assessment

    march = datetime(2026, 3, 15, 10, tzinfo=ALMATY)
    # 1 April 00:30 in Almaty is still March in UTC: the month is Almaty's
    april_first = datetime(2026, 4, 1, 0, 30, tzinfo=ALMATY)
    make("0.25", Stage.APPROVED, at=march)
    make("0.30", Stage.ACCEPTED, at=march)  # the band "up to 0.3" includes 0.3
    make("0.45", Stage.DECLINED, at=march)
    make("0.62", Stage.REFUSED, at=march, ground=RefusalGround.INSUFFICIENT_SOLVENCY)
    make("0.70", Stage.APPROVED, at=march, applies=False)  # exempt
    make("0.55", Stage.REFUSED, at=march, ground=RefusalGround.DOCUMENTS_MISSING)
    make("0.35", Stage.COMMITTEE, at=march)  # not decided yet: left out
    make("0.40", Stage.APPROVED, at=datetime(2026, 2, 5, 12, tzinfo=ALMATY), product="efg-standard")
    make("0.20", Stage.APPROVED, at=april_first)
    make("0.90", Stage.REFUSED, at=datetime(2026, 4, 20, 9, tzinfo=ALMATY), ground="aml_cft")
    DayClose.objects.get_or_create(business_date=ON)
    return products


def test_debt_burden_is_summarised_by_product_and_month_of_assessment(assessed):
    rows = figures.debt_burden_summary(on=ON)
    unsecured = assessed["almaty-unsecured"].pk
    shape = [
        (r.product_id, r.month, r.count, r.above_limit, r.exempt, r.bands, r.refused_for_limit)
        for r in rows
    ]
    assert shape == [
        (unsecured, date(2026, 4, 1), 1, 0, 0, (1, 0, 0, 0), 0),
        (unsecured, date(2026, 3, 1), 6, 3, 1, (2, 0, 1, 3), 1),
        (assessed["efg-standard"].pk, date(2026, 2, 1), 1, 0, 0, (0, 1, 0, 0), 0),
        (None, None, 8, 3, 1, (3, 1, 1, 3), 1),  # the total
    ]
    assert rows[1].above_limit_percent == money("50.00")
    assert rows[1].label == str(assessed["almaty-unsecured"])


def test_debt_burden_summary_is_empty_without_decided_applications(db):
    assert figures.debt_burden_summary(on=ON) == []


# --- the page ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.RISK_MANAGER, Role.ADMINISTRATOR])
def test_the_page_opens_for_the_risk_manager_and_the_administrator(client_as, role):
    response = client_as(role).get(PAGE)
    assert response.status_code == 200
    assert "No business day has been closed yet" in response.content.decode()


@pytest.mark.parametrize(
    "role",
    [Role.ACCOUNTANT, Role.CREDIT_ADMINISTRATOR, Role.COLLECTOR, Role.MONITORING_MANAGER],
)
def test_other_roles_get_403_on_the_page_and_the_export(client_as, role):
    client = client_as(role)
    assert client.get(PAGE).status_code == 403
    assert client.get(EXPORT).status_code == 403


def test_anonymous_users_go_to_the_login_page(client):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_the_page_shows_the_figures_with_links_to_the_loans_behind_them(client_as, book):
    RiskSettings.objects.create(
        provision_stage1=money("1.5"), provision_stage2=money("25"), provision_stage3=money("33.33")
    )
    response = client_as(Role.RISK_MANAGER).get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Figures as of the close of 16.04.2026." in html
    par_30 = html.split('data-par="30"')[1].split("</tr>")[0]
    assert "23.53" in par_30
    assert "/loans/portfolio/?on=2026-04-16&amp;status=active&amp;min_dpd=31" in par_30
    total = html.split("data-total")[1].split("</tr>")[0]
    assert "141,288.68" in total
    bucket = html.split('data-bucket="31-60"')[1].split("</tr>")[0]
    assert "min_dpd=31&amp;max_dpd=60" in bucket
    assert f"product={book['a'].product_id}" in html
    assert f"branch={book['branch'].pk}" in html
    assert "status=written_off" in html
    assert reverse("portfolio:loan", args=[book["a"].pk]) in html
    # the risk manager does not see identification numbers unmasked
    assert "850512400709" not in html
    assert "8505******09" in html


def test_the_page_reports_a_date_not_closed_and_shows_the_last_closed(client_as, book):
    response = client_as(Role.RISK_MANAGER).get(PAGE, {"on": "2026-04-14"})
    html = response.content.decode()
    assert "The daily close has not run for this date" in html
    assert "Figures as of the close of 16.04.2026." in html


def test_the_page_shows_an_earlier_closed_date(client_as, book):
    earlier = date(2026, 4, 15)
    snapshot(book["a"], on=earlier, principal=money("500000"))
    html = client_as(Role.ADMINISTRATOR).get(PAGE, {"on": "2026-04-15"}).content.decode()
    assert "Figures as of the close of 15.04.2026." in html
    assert "500,000.00" in html


# --- the workbook -----------------------------------------------------------------------------


def test_the_workbook_opens_and_holds_the_figures(client_as, book, assessed):
    RiskSettings.objects.create(
        provision_stage1=money("1.5"), provision_stage2=money("25"), provision_stage3=money("33.33")
    )
    response = client_as(Role.RISK_MANAGER).get(EXPORT, {"on": ON.isoformat()})
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('"risk-figures-2026-04-16.xlsx"')
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == [
        "Outstanding",
        "PAR",
        "Buckets",
        "Provisions",
        "Vintages",
        "Write-offs",
        "Concentration",
        "Series",
        "Debt burden",
    ]
    par = {row[0]: row for row in workbook["PAR"].iter_rows(min_row=2, values_only=True)}
    assert par[30][1:] == (2, 400000.55, 23.53)
    provisions = list(workbook["Provisions"].iter_rows(min_row=2, values_only=True))
    assert provisions[-1][-1] == 141288.68
    assert provisions[2][-1] == 56661.18
    buckets = list(workbook["Buckets"].iter_rows(min_row=2, values_only=True))
    assert buckets[-1][1:] == (1, 150000.55, 8.82)
    concentration = list(workbook["Concentration"].iter_rows(min_row=2, values_only=True))
    assert concentration[0][0] == "ТОО Второй"
    assert concentration[0][1] == "8505******09"
    write_offs = list(workbook["Write-offs"].iter_rows(min_row=2, values_only=True))
    assert write_offs == [("2026-04", 1, 80000, 86000, 10000, 11.63)]
    debt = list(workbook["Debt burden"].iter_rows(min_row=2, values_only=True))
    assert debt[-1][0] == "Total"
    assert debt[-1][2:] == (8, 3, 37.5, 1, 3, 1, 1, 3, 1)
    assert AuditEvent.objects.filter(action="prudential.figures_exported").count() == 1


def test_the_export_refuses_a_date_not_closed(client_as, book):
    response = client_as(Role.RISK_MANAGER).get(EXPORT, {"on": "2026-04-14"})
    assert response.status_code == 400
    assert "daily close has not run" in response.content.decode()
