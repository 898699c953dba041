from __future__ import annotations

import csv
import io
import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from applications.models import Applicant
from core.models import AuditEvent
from core.money import ZERO
from core.roles import Role
from loans import services
from loans.domain.servicing import Bucket
from loans.forms_portfolio import bucket_range
from loans.models import DayClose, Loan, LoanSnapshot

pytestmark = pytest.mark.django_db

DISBURSED = date(2026, 3, 2)  # the first instalment falls due on 2 April
CLOSED = date(2026, 4, 16)  # the business day the figures are of
EARLIER = date(2026, 4, 2)
IIN = "900101300017"  # the borrower of the lending fixtures
MASKED = "9001******17"
LIST = reverse("portfolio:list")
READERS = [
    Role.CREDIT_ADMINISTRATOR,
    Role.ACCOUNTANT,
    Role.MONITORING_MANAGER,
    Role.RISK_MANAGER,
    Role.COLLECTOR,
    Role.ADMINISTRATOR,
]
# The snapshot's amounts; a test sets the few the list shows, the others stay zero.
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


def export_url(fmt: str) -> str:
    return reverse("portfolio:export", args=[fmt])


@pytest.fixture(autouse=True)
def _english_pages(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def figures(loan: Loan, on: date = CLOSED, **values) -> LoanSnapshot:
    """A loan's snapshot as the daily close of ``on`` leaves it: the list reads only these.

    (The daily close itself takes a while per date; one test below runs it end to end.)
    """
    DayClose.objects.get_or_create(business_date=on)
    amounts = dict.fromkeys(ZERO_FIELDS, ZERO) | {"principal": loan.amount, "days_past_due": 0}
    amounts |= values
    return LoanSnapshot.objects.create(loan=loan, on=on, **amounts)


@pytest.fixture
def book(active_loan):
    """A late loan (45 days past due) and a current one, with the figures of ``CLOSED``."""
    late = active_loan(on=DISBURSED, amount="1000000")
    current = active_loan(on=DISBURSED, amount="500000")
    figures(
        late,
        overdue_principal=Decimal("78515.46"),
        overdue_interest=Decimal("10542.71"),
        days_past_due=45,
    )
    figures(current, principal=Decimal("460742.28"))
    return late, current


def listed(html: str) -> set[int]:
    return {int(pk) for pk in re.findall(r'data-loan="(\d+)"', html)}


def pks(*loans: Loan) -> set[int]:
    return {loan.pk for loan in loans}


def row_of(html: str, loan: Loan) -> str:
    return html.split(f'data-loan="{loan.pk}"')[1].split("</tr>")[0]


def totals_of(html: str) -> str:
    return html.split("data-totals")[1].split("</tr>")[0]


# --- access ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", READERS)
def test_portfolio_list_opens_for_the_roles_that_follow_loans(client_as, role):
    response = client_as(role).get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert "No loan matches the filters." in html
    assert "No business day has been closed yet" in html


@pytest.mark.parametrize("role", [Role.COMMITTEE_MEMBER, Role.BRANCH_SYSTEM])
@pytest.mark.parametrize("url", [LIST, export_url("csv"), export_url("xlsx")])
def test_portfolio_pages_refuse_other_roles(client_as, role, url):
    assert client_as(role).get(url).status_code == 403


@pytest.mark.parametrize("url", [LIST, export_url("csv"), export_url("xlsx")])
def test_portfolio_pages_send_anonymous_users_to_log_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_export_in_an_unknown_format_is_not_found(client_as):
    assert client_as(Role.RISK_MANAGER).get(export_url("pdf")).status_code == 404


# --- the list --------------------------------------------------------------------------------


def test_list_shows_the_figures_of_the_daily_close(client_as, active_loan, accountant):
    """End to end: the close of 10 April finds one loan 8 days late; a payment that day on
    the other settles its first instalment and the close is re-run for it."""
    late = active_loan(on=DISBURSED, amount="1000000")
    current = active_loan(on=DISBURSED, amount="500000")
    services.close_day(on=date(2026, 4, 10))
    services.payment_post(
        loan_id=current.pk,
        amount=Decimal("50000.00"),  # the instalment and its late charges; the rest is held
        value_date=date(2026, 4, 10),
        channel="cash",
        by=accountant,
        today=date(2026, 4, 10),
    )
    html = client_as(Role.RISK_MANAGER).get(LIST).content.decode()
    assert "Figures as of the close of 10.04.2026." in html
    assert html.index(late.number) < html.index(current.number)  # the latest first
    late_row, current_row = row_of(html, late), row_of(html, current)
    assert "data-dpd>8</td>" in late_row
    assert 'data-bucket="1-30"' in late_row
    assert "data-dpd>0</td>" in current_row
    assert 'data-bucket="current"' in current_row
    snap = LoanSnapshot.objects.get(loan=current, on=date(2026, 4, 10))
    assert snap.principal < current.amount
    assert f"{snap.principal:,}" in current_row


def test_list_rows_link_the_loan_and_show_its_figures(client_as, book):
    late, current = book
    html = client_as(Role.RISK_MANAGER).get(LIST).content.decode()
    assert "Figures as of the close of 16.04.2026." in html
    assert listed(html) == pks(late, current)
    assert html.index(late.number) < html.index(current.number)  # the latest first
    row = row_of(html, late)
    assert f'href="{reverse("portfolio:loan", args=[late.pk])}"' in row
    assert "ИП Сейтқали" in row
    assert "data-dpd>45</td>" in row
    assert 'data-bucket="31-60"' in row
    assert "1,000,000.00" in row  # the amount, and the principal outstanding
    assert '<td class="num" data-overdue>89,058.17</td>' in row
    assert "460,742.28" in row_of(html, current)


def test_totals_row_sums_the_whole_filtered_set(client_as, book):
    client = client_as(Role.RISK_MANAGER)
    totals = totals_of(client.get(LIST).content.decode())
    assert "Total: 2 loans" in totals
    assert "data-total-principal>1,460,742.28<" in totals
    assert "data-total-overdue>89,058.17<" in totals
    late_only = totals_of(client.get(LIST, {"min_dpd": 1}).content.decode())
    assert "Total: 1 loan" in late_only
    assert "data-total-principal>1,000,000.00<" in late_only


def test_a_late_loan_is_found_by_days_past_due_not_by_status_closed(client_as, book):
    late, current = book
    client = client_as(Role.COLLECTOR)

    def found(**query) -> set[int]:
        return listed(client.get(LIST, query).content.decode())

    assert found(min_dpd=1) == pks(late)
    assert found(min_dpd=46) == set()
    assert found(max_dpd=0) == pks(current)
    assert found(min_dpd=40, max_dpd=50) == pks(late)
    assert found(bucket="31-60") == pks(late)
    assert found(bucket="current") == pks(current)
    assert found(bucket="1-30") == set()
    assert found(bucket="31-60", min_dpd=50) == set()  # both narrow
    assert found(status="closed") == set()
    assert found(status="active") == pks(late, current)


def test_filters_by_product_branch_and_officer(client_as, book, officer, make_user):
    late, current = book
    client = client_as(Role.RISK_MANAGER)
    query = {"product": late.product_id, "branch": late.branch_id, "officer": officer.pk}
    assert listed(client.get(LIST, query).content.decode()) == pks(late, current)
    Loan.objects.filter(pk=current.pk).update(officer=make_user(Role.CREDIT_ADMINISTRATOR))
    assert listed(client.get(LIST, {"officer": officer.pk}).content.decode()) == pks(late)


def test_figures_of_an_earlier_date_on_request(client_as, book):
    late, current = book
    figures(late, on=date(2026, 4, 2))
    client = client_as(Role.RISK_MANAGER)
    html = client.get(LIST, {"on": "2026-04-02"}).content.decode()
    assert "Figures as of the close of 02.04.2026." in html
    assert "data-dpd>0</td>" in row_of(html, late)
    assert "data-dpd>—</td>" in row_of(html, current)  # no figures that day
    assert listed(client.get(LIST, {"on": "2026-04-02", "min_dpd": 1}).content.decode()) == set()


def test_invalid_filters_show_the_error_beside_the_field(client_as, book):
    late, current = book
    response = client_as(Role.RISK_MANAGER).get(
        LIST, {"min_dpd": "many", "product": "99999", "on": "someday", "status": "active"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    for field in ("min_dpd", "product", "on"):
        assert f'data-error-for="{field}"' in html
    assert listed(html) == pks(late, current)  # the valid filters still apply


def test_a_reversed_range_of_days_is_an_error(client_as, book):
    html = client_as(Role.RISK_MANAGER).get(LIST, {"min_dpd": 5, "max_dpd": 1}).content.decode()
    assert 'data-error-for="max_dpd"' in html
    assert "The upper bound is below the lower one." in html


def test_bucket_ranges_follow_the_bounds():
    assert bucket_range(Bucket.CURRENT) == (0, 0)
    assert bucket_range(Bucket.DPD_1_30) == (1, 30)
    assert bucket_range(Bucket.DPD_61_90) == (61, 90)
    assert bucket_range(Bucket.DPD_90_PLUS) == (91, None)


def test_identifiers_are_masked_for_the_risk_manager(client_as, book):
    html = client_as(Role.RISK_MANAGER).get(LIST).content.decode()
    assert MASKED in html
    assert IIN not in html
    assert "Identification numbers are masked for your role." in html


def test_identifiers_are_shown_to_the_credit_administrator(client_as, book):
    html = client_as(Role.CREDIT_ADMINISTRATOR).get(LIST).content.decode()
    assert IIN in html
    assert MASKED not in html


def test_the_list_is_paginated(client_as, book, monkeypatch):
    monkeypatch.setattr("loans.portfolio_views.PAGE_SIZE", 1)
    client = client_as(Role.RISK_MANAGER)
    first = client.get(LIST, {"status": "active"}).content.decode()
    assert len(listed(first)) == 1
    assert "Page 1 of 2" in first
    assert "?status=active&amp;page=2" in first
    second = client.get(LIST, {"status": "active", "page": 2}).content.decode()
    assert listed(first) | listed(second) == pks(*book)
    assert "Total: 2 loans" in totals_of(second)  # the totals are of the whole set


@pytest.fixture
def five_loans(active_loan):
    """Five loans: two with figures on ``EARLIER``, all five on ``CLOSED`` (written after the
    loans, so that no disbursement is taken for a backdated one and re-closed)."""
    loans = [active_loan(on=DISBURSED, amount="300000") for _ in range(5)]
    for loan in loans[:2]:
        figures(loan, on=EARLIER)
    for loan in loans:
        figures(loan, days_past_due=3)
    return loans


def test_the_list_does_not_query_per_loan(client_as, five_loans, django_assert_max_num_queries):
    client = client_as(Role.RISK_MANAGER)
    client.get(LIST)  # the session and the user's roles are warm
    with django_assert_max_num_queries(12) as two:
        html = client.get(LIST, {"on": EARLIER.isoformat(), "max_dpd": 10}).content.decode()
    assert len(listed(html)) == 2
    with django_assert_max_num_queries(len(two.captured_queries)):
        html = client.get(LIST, {"on": CLOSED.isoformat(), "max_dpd": 10}).content.decode()
    assert len(listed(html)) == 5


# --- exports ---------------------------------------------------------------------------------


def test_csv_export_streams_the_filtered_rows_with_exact_amounts(client_as, book):
    late, _current = book
    response = client_as(Role.RISK_MANAGER).get(export_url("csv"), {"min_dpd": 1})
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="portfolio-2026-04-16.csv"' in response["Content-Disposition"]
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    header, *data = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert header[0] == "Contract number"
    assert [row[0] for row in data] == [late.number]
    record = dict(zip(header, data[0], strict=True))
    assert record["Borrower"] == "ИП Сейтқали"  # Kazakh letters survive
    assert record["IIN/BIN"] == MASKED
    assert record["Amount, KZT"] == "1000000.00"
    assert record["Principal outstanding, KZT"] == "1000000.00"
    assert record["Overdue principal, KZT"] == "78515.46"
    assert record["Overdue interest, KZT"] == "10542.71"
    assert record["Overdue, KZT"] == "89058.17"
    assert record["Days past due"] == "45"
    assert record["Overdue bucket"] == "31–60 days"


def test_xlsx_export_holds_numbers_not_text(client_as, book):
    late, current = book
    response = client_as(Role.CREDIT_ADMINISTRATOR).get(export_url("xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    header, *data = list(sheet.iter_rows(values_only=True))
    assert header[:3] == ("Contract number", "Borrower", "IIN/BIN")
    assert [row[0] for row in data] == [late.number, current.number]
    late_row, current_row = (dict(zip(header, row, strict=True)) for row in data)
    assert late_row["IIN/BIN"] == IIN
    assert late_row["Days past due"] == 45
    for value, exact in (
        (late_row["Overdue principal, KZT"], "78515.46"),
        (late_row["Overdue interest, KZT"], "10542.71"),
        (late_row["Overdue, KZT"], "89058.17"),
        (current_row["Principal outstanding, KZT"], "460742.28"),
        (current_row["Amount, KZT"], "500000.00"),
    ):
        assert isinstance(value, int | float)
        assert Decimal(str(value)) == Decimal(exact)


def test_export_with_invalid_filters_is_refused_not_widened(client_as, book):
    response = client_as(Role.RISK_MANAGER).get(export_url("csv"), {"min_dpd": "x"})
    assert response.status_code == 400
    assert "min_dpd" in response.content.decode()


def test_export_is_logged_with_its_filters(client_as, book):
    client_as(Role.RISK_MANAGER).get(export_url("xlsx"), {"bucket": "31-60"})
    event = AuditEvent.objects.get(action="loan.portfolio_exported")
    assert event.data["format"] == "xlsx"
    assert (event.data["filters"]["min_dpd"], event.data["filters"]["max_dpd"]) == (31, 60)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_do_not_query_per_loan(client_as, five_loans, django_assert_max_num_queries, fmt):
    client = client_as(Role.RISK_MANAGER)

    def export(on: date) -> bytes:
        response = client.get(export_url(fmt), {"on": on.isoformat(), "max_dpd": 10})
        return b"".join(response.streaming_content) if response.streaming else response.content

    export(EARLIER)
    with django_assert_max_num_queries(12) as two:
        export(EARLIER)
    with django_assert_max_num_queries(len(two.captured_queries)):
        body = export(CLOSED)
    if fmt == "csv":
        assert body.count(b"\r\n") == 6  # the header and five loans
    else:
        assert load_workbook(io.BytesIO(body)).active.max_row == 6


def test_exported_text_never_runs_as_a_formula(client_as, book):
    late, _current = book
    Applicant.objects.filter(pk=late.borrower_id).update(name='=HYPERLINK("http://x","y")')
    client = client_as(Role.RISK_MANAGER)
    body = b"".join(client.get(export_url("csv"), {"min_dpd": 1}).streaming_content)
    _header, row = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert row[1] == '\'=HYPERLINK("http://x","y")'
    workbook = client.get(export_url("xlsx"), {"min_dpd": 1}).content
    cell = load_workbook(io.BytesIO(workbook)).active["B2"]
    assert cell.data_type == "s"
    assert cell.value == '=HYPERLINK("http://x","y")'
