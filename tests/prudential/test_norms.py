"""The other MFO norms of res. 192 on hand-made figures with known answers (DOMAIN.md §12)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from applications import committee
from applications import services as application_services
from applications.models import Decision
from core.errors import DomainError
from core.identifiers import check_digit
from core.models import AuditEvent
from core.roles import Role
from loans.models import DayClose, Loan, LoanSnapshot
from prudential import norms
from prudential.domain.norms import Figures, Limits, k2_limit_amount, norms_verdict
from prudential.models import Alert, BorrowerGroup, MonthlyFinancials, NormsRun
from tests.prudential.snapshots import SNAPSHOT_ZEROS

D = Decimal
ON = date(2026, 3, 31)
MARCH = date(2026, 3, 1)
LIMITS = Limits(min_capital=D("100000000"), k1a_min=D("0.1"), k2_max=D("0.25"), k3_max=D("10"))


# --- the formulas, no database -----------------------------------------------------------------


def verdict(own_capital, assets, liabilities, exposure="0"):
    return norms_verdict(
        Figures(
            own_capital=D(own_capital),
            assets=D(assets),
            liabilities=D(liabilities),
            largest_exposure=D(exposure),
        ),
        LIMITS,
    )


def test_every_norm_equal_to_its_limit_complies():
    result = verdict("100000000", "1000000000", "1000000000", "25000000")
    assert result.k1a == D("0.1") and result.k2 == D("0.25") and result.k3 == D("10")
    assert not result.min_capital_breached
    assert not (result.k1a_breached or result.k2_breached or result.k3_breached)
    assert not result.breached


@pytest.mark.parametrize(
    ("figures", "breached"),
    [
        (("99999999.99", "500000000", "300000000", "0"), "min_capital"),
        (("120000000", "1200000000.01", "300000000", "0"), "k1a"),
        (("120000000", "500000000", "300000000", "30000000.01"), "k2"),
        (("120000000", "1200000000", "1200000000.01", "0"), "k3"),
    ],
)
def test_a_tiyn_past_a_limit_breaches_that_norm_only(figures, breached):
    result = verdict(*figures)
    flags = {
        "min_capital": result.min_capital_breached,
        "k1a": result.k1a_breached,
        "k2": result.k2_breached,
        "k3": result.k3_breached,
    }
    assert flags == {name: name == breached for name in flags}


def test_the_ratios_on_known_figures():
    result = verdict("150000000", "600000000", "450000000", "30000000")
    assert result.k1a == D("0.25")
    assert result.k2 == D("0.2")
    assert result.k3 == D("3")
    assert k2_limit_amount(D("150000000"), D("0.25")) == D("37500000.00")


def test_negative_own_capital_breaches_every_norm_without_a_ratio_over_it():
    result = verdict("-5000000", "400000000", "405000000", "1000000")
    assert result.min_capital_breached and result.k1a_breached
    assert result.k1a == D("-0.0125")
    assert result.k2 is None and result.k2_breached
    assert result.k3 is None and result.k3_breached
    assert k2_limit_amount(D("-5000000"), D("0.25")) == D("0.00")


# --- building blocks ---------------------------------------------------------------------------


@pytest.fixture
def risk_manager(make_user):
    user = make_user(Role.RISK_MANAGER, username="risk")
    user.email = "risk@mfo.kz"
    user.save(update_fields=["email"])
    return user


@pytest.fixture
def borrower(officer):
    """``borrower(n)`` -> another applicant with a valid IIN."""

    def make(n: int, name: str | None = None):
        first_eleven = f"8505053{n:04d}"
        digit = check_digit(first_eleven)
        assert digit is not None
        return application_services.applicant_create(
            data={
                "kind": "individual",
                "iin": f"{first_eleven}{digit}",
                "name": name or f"Borrower {n}",
                "region": "almaty_city",
                "monthly_income": D("500000"),
            },
            by=officer,
        )

    return make


def figures(own_capital="100000000", assets="1000000000", liabilities="900000000", month=MARCH):
    return norms.financials_enter(
        month=month,
        own_capital=D(own_capital),
        assets=D(assets),
        liabilities=D(liabilities),
        by=None,
    )


def close_day(on: date, rows) -> None:
    """The date's snapshots, as the daily close would leave them: (loan, principal, interest
    due, accrued interest) each."""
    LoanSnapshot.objects.filter(on=on).delete()
    LoanSnapshot.objects.bulk_create(
        LoanSnapshot(
            loan=loan,
            on=on,
            principal=D(principal),
            interest=D(interest),
            accrued_interest=D(accrued),
            days_past_due=0,
            **SNAPSHOT_ZEROS,
        )
        for loan, principal, interest, accrued in rows
    )
    DayClose.objects.get_or_create(business_date=on)


@pytest.fixture
def three_loans(active_loan, borrower):
    """Loans of three borrowers (the fixtures lend to one applicant; the loans are moved)."""
    loans = [active_loan(on=date(2026, 3, 2), amount="1000000", term=12) for _ in range(3)]
    for number, loan in enumerate(loans, start=2):
        Loan.objects.filter(pk=loan.pk).update(borrower=borrower(number))
        loan.refresh_from_db()
    return loans


# --- the run -----------------------------------------------------------------------------------


def test_k2_counts_two_related_borrowers_as_one_and_equal_to_the_limit_complies(three_loans):
    first, second, alone = three_loans
    close_day(
        ON,
        [
            (first, "14000000", "500000", "500000"),  # 15,000,000
            (second, "9800000", "100000", "100000"),  # 10,000,000
            (alone, "20000000", "0", "0"),  # 20,000,000
        ],
    )
    figures()

    run = norms.norms_run(on=ON)
    assert run.k2_borrower == alone.borrower and run.k2_group is None
    assert run.k2_exposure == D("20000000") and run.k2 == D("0.2")

    group = norms.borrower_group_set(
        name="Сейтқали family", member_ids=[first.borrower_id, second.borrower_id], by=None
    )
    run = norms.norms_run(on=ON)
    assert run.k2_group == group and run.k2_borrower is None
    assert run.k2_subject == "Сейтқали family"
    assert run.k2_exposure == D("25000000") and run.k2 == D("0.25")
    assert run.k2_limit_amount == D("25000000.00")
    assert not run.k2_breached

    close_day(
        ON, [(first, "14000000", "500000", "500000.01"), (second, "9800000", "100000", "100000")]
    )
    run = norms.norms_run(on=ON)
    assert run.k2_breached and run.k2_exposure == D("25000000.01")


def test_the_run_reads_the_latest_months_figures_and_the_limits_in_force(three_loans):
    close_day(ON, [(three_loans[0], "1000000", "0", "0")])
    figures(own_capital="150000000", assets="600000000", liabilities="450000000", month=MARCH)
    figures(own_capital="1", assets="1", liabilities="0", month=date(2026, 4, 1))  # later: unused
    run = norms.norms_run(on=ON)
    assert run.financials.month == MARCH
    assert (run.own_capital, run.assets, run.liabilities) == (
        D("150000000"),
        D("600000000"),
        D("450000000"),
    )
    assert run.k1a == D("0.25") and run.k3 == D("3")
    assert (run.min_capital, run.k1a_min, run.k2_max, run.k3_max) == (
        D("100000000"),
        D("0.1"),
        D("0.25"),
        D("10"),
    )
    assert run.status == NormsRun.Status.DONE and not run.breached
    assert AuditEvent.objects.filter(action="prudential.norms_run").count() == 1


def test_missing_figures_are_refused_on_the_date_naming_the_month(db):
    DayClose.objects.create(business_date=ON)
    with pytest.raises(DomainError) as caught:
        norms.norms_run(on=ON)
    assert caught.value.field == "on" and caught.value.code == "financials_missing"
    assert "03.2026" in caught.value.message
    assert not NormsRun.objects.exists()


def test_a_day_not_closed_is_refused(db):
    figures()
    with pytest.raises(DomainError) as caught:
        norms.norms_run(on=ON)
    assert caught.value.field == "on" and caught.value.code == "day_not_closed"


def test_a_rerun_of_a_date_replaces_it(three_loans):
    close_day(ON, [(three_loans[0], "1000000", "0", "0")])
    figures(own_capital="150000000")
    first = norms.norms_run(on=ON)
    figures(own_capital="200000000")  # the month corrected
    second = norms.norms_run(on=ON)
    assert NormsRun.objects.count() == 1 and second.pk == first.pk
    second.refresh_from_db()
    assert second.own_capital == D("200000000") and second.k1a == D("0.2")


def test_a_breach_warns_the_risk_managers_once_even_on_a_rerun(
    three_loans, risk_manager, django_capture_on_commit_callbacks
):
    close_day(ON, [(three_loans[0], "1000000", "0", "0")])
    figures(own_capital="90000000", assets="1000000000", liabilities="910000000")
    with django_capture_on_commit_callbacks(execute=True):
        run = norms.norms_run(on=ON)
    assert run.breached and run.min_capital_breached and run.k1a_breached and run.k3_breached
    assert not run.k2_breached
    with django_capture_on_commit_callbacks(execute=True):
        norms.norms_run(on=ON)

    alert = Alert.objects.get()
    assert alert.kind == Alert.Kind.NORM_BREACH and alert.on == ON
    assert "own capital 90 000 000.00 KZT is below the minimum" in alert.message
    assert "k1 capital adequacy 0.0900 is below 0.1" in alert.message
    assert "k3 leverage 10.1111 is above 10" in alert.message
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["risk@mfo.kz"]


def test_norms_within_their_limits_raise_no_alert(
    three_loans, risk_manager, django_capture_on_commit_callbacks
):
    close_day(ON, [(three_loans[0], "1000000", "0", "0")])
    figures()
    with django_capture_on_commit_callbacks(execute=True):
        assert not norms.norms_run(on=ON).breached
    assert not Alert.objects.exists() and not mail.outbox


# --- monthly figures ---------------------------------------------------------------------------


def test_figures_of_a_month_are_replaced_and_audited(db, risk_manager):
    figures(own_capital="150000000")
    row = norms.financials_enter(
        month=MARCH,
        own_capital=D("-2000000"),  # losses above the capital are reported as they are
        assets=D("500000000"),
        liabilities=D("502000000"),
        by=risk_manager,
    )
    assert MonthlyFinancials.objects.count() == 1
    assert row.own_capital == D("-2000000") and row.entered_by == risk_manager
    event = AuditEvent.objects.filter(action="prudential.financials_entered").latest("id")
    assert event.data["replaced"]["own_capital"] == "150000000.00"


@pytest.mark.parametrize(
    ("month", "assets", "liabilities", "field"),
    [
        (date(2026, 3, 2), "1", "0", "month"),
        (MARCH, "0", "0", "assets"),
        (MARCH, "1", "-1", "liabilities"),
        (MARCH, "1.001", "0", "assets"),
    ],
)
def test_wrong_figures_are_refused_naming_the_field(db, month, assets, liabilities, field):
    with pytest.raises(DomainError) as caught:
        norms.financials_enter(
            month=month, own_capital=D(1), assets=D(assets), liabilities=D(liabilities), by=None
        )
    assert caught.value.field == field
    assert not MonthlyFinancials.objects.exists()


def csv_file(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("figures.csv", text.encode(), content_type="text/csv")


def test_a_csv_is_imported_and_replaces_its_months(db):
    figures(own_capital="1")
    rows = norms.financials_import_csv(
        file=csv_file(
            "month,own_capital,assets,liabilities\n"
            "2026-02,140000000.00,900000000,760000000\n"
            "2026-03,150000000.50,950000000,800000000\n"
        ),
        by=None,
    )
    assert [row.month for row in rows] == [date(2026, 2, 1), MARCH]
    march = MonthlyFinancials.objects.get(month=MARCH)
    assert march.own_capital == D("150000000.50") and march.source == "csv"


def test_a_csv_with_one_bad_row_writes_nothing_and_names_the_row(db):
    with pytest.raises(DomainError) as caught:
        norms.financials_import_csv(
            file=csv_file(
                "month;own_capital;assets;liabilities\n"
                "2026-01;130 000 000,00;900000000;770000000\n"
                "2026-02;140000000;0;760000000\n"
                "2026-03;150000000;950000000;800000000\n"
            ),
            by=None,
        )
    assert caught.value.field == "file"
    assert caught.value.message.startswith("Row 3: assets:")
    assert not MonthlyFinancials.objects.exists()
    assert not AuditEvent.objects.filter(action="prudential.financials_entered").exists()


@pytest.mark.parametrize(
    ("body", "starts"),
    [
        ("month,own_capital,assets\n2026-03,1,1\n", "Row 1:"),
        ("month,own_capital,assets,liabilities\n2026-3-x,1,1,0\n", "Row 2: month:"),
        ("month,own_capital,assets,liabilities\n2026-03,abc,1,0\n", "Row 2: own_capital:"),
        ("month,own_capital,assets,liabilities\n2026-03,1,1,0\n2026-03,2,2,0\n", "Row 3:"),
    ],
)
def test_csv_errors_name_the_row(db, body, starts):
    with pytest.raises(DomainError) as caught:
        norms.financials_import_csv(file=csv_file(body), by=None)
    assert caught.value.message.startswith(starts)
    assert not MonthlyFinancials.objects.exists()


# --- groups ------------------------------------------------------------------------------------


def test_a_borrower_belongs_to_one_group_at_most(db, borrower):
    a, b, c = borrower(2), borrower(3), borrower(4)
    norms.borrower_group_set(name="First", member_ids=[a.pk, b.pk], by=None)
    with pytest.raises(DomainError) as caught:
        norms.borrower_group_set(name="Second", member_ids=[b.pk, c.pk], by=None)
    assert caught.value.field == "members" and "First" in caught.value.message
    assert BorrowerGroup.objects.count() == 1


def test_a_group_is_renamed_and_its_members_changed(db, borrower):
    a, b, c = borrower(2), borrower(3), borrower(4)
    group = norms.borrower_group_set(name="First", member_ids=[a.pk, b.pk], by=None)
    group = norms.borrower_group_set(
        group_id=group.pk, name="Renamed", member_ids=[a.pk, c.pk], by=None
    )
    assert group.name == "Renamed"
    assert set(group.members.values_list("pk", flat=True)) == {a.pk, c.pk}
    with pytest.raises(DomainError):
        norms.borrower_group_set(group_id=group.pk, name="Renamed", member_ids=[a.pk], by=None)


# --- k2 at the committee -----------------------------------------------------------------------


@pytest.fixture
def voted_for(make_user):
    """An agenda item for the application that the whole meeting voted for."""

    def make(application):
        members = [make_user(Role.COMMITTEE_MEMBER) for _ in range(3)]
        meeting = committee.meeting_create(
            held_on=timezone.localdate(), member_ids=[m.pk for m in members], by=members[0]
        )
        item = committee.agenda_add(
            meeting_id=meeting.pk, application_id=application.pk, by=members[0]
        )
        for member in members:
            committee.vote_cast(item_id=item.pk, choice="for", comment="ok", by=member)
        return item, members

    return make


def _last_month() -> date:
    """The latest month whose closing figures are known today."""
    return (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)


def test_the_committee_approves_without_figures(at_committee, voted_for):
    item, members = voted_for(at_committee(amount="1000000"))
    decision = committee.item_decide(item_id=item.pk, by=members[0])
    assert decision.outcome == Decision.Outcome.APPROVED


def test_the_committee_cannot_approve_a_loan_that_would_breach_k2(at_committee, voted_for):
    figures(own_capital="3000000", assets="30000000", liabilities="27000000", month=_last_month())
    item, members = voted_for(at_committee(amount="1000000"))
    with pytest.raises(DomainError) as caught:
        committee.item_decide(item_id=item.pk, by=members[0])
    assert caught.value.field == "amount" and caught.value.code == "k2_exceeded"
    assert "1 000 000.00 KZT, above the k2 limit of 750 000.00 KZT" in caught.value.message
    assert not Decision.objects.exists()


def test_an_approval_not_yet_disbursed_counts_toward_k2(applicant, at_committee, voted_for):
    figures(own_capital="6000000", assets="60000000", liabilities="54000000", month=_last_month())
    first, members = voted_for(at_committee(amount="1000000"))
    committee.item_decide(item_id=first.pk, by=members[0])  # 1,000,000 of 1,500,000

    after = norms.exposure_after(applicant=applicant, amount=D("1000000"), on=timezone.localdate())
    assert (after.booked, after.pending, after.exposure) == (D(0), D("1000000"), D("2000000"))
    assert after.limit == D("1500000.00") and not after.passes

    second, members = voted_for(at_committee(amount="1000000"))
    with pytest.raises(DomainError):
        committee.item_decide(item_id=second.pk, by=members[0])


def test_the_credit_package_shows_the_exposure_against_k2(at_committee, voted_for, client):
    figures(own_capital="8000000", assets="80000000", liabilities="72000000", month=_last_month())
    item, members = voted_for(at_committee(amount="1000000"))
    client.force_login(members[1])
    response = client.get(reverse("committee:item", args=[item.pk]), HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-k2-passes="yes"' in html
    assert "Exposure after this loan: 1,000,000.00 KZT of the limit 2,000,000.00 KZT (k2)" in html


# --- pages -------------------------------------------------------------------------------------

PAGES = [
    ("risk-norms:runs", []),
    ("risk-norms:financials", []),
    ("risk-norms:financials-import", []),
    ("risk-norms:groups", []),
    ("risk-norms:group-create", []),
]


@pytest.mark.parametrize(("name", "args"), PAGES)
def test_the_pages_are_the_risk_managers(client_as, name, args):
    assert client_as(Role.ACCOUNTANT).get(reverse(name, args=args)).status_code == 403


@pytest.mark.parametrize(("name", "args"), PAGES)
def test_the_risk_manager_opens_the_pages(client_as, name, args):
    assert client_as(Role.RISK_MANAGER).get(reverse(name, args=args)).status_code == 200


def test_the_accountant_cannot_post_figures(client_as):
    response = client_as(Role.ACCOUNTANT).post(
        reverse("risk-norms:financials"),
        {"month": "2026-03", "own_capital": "1", "assets": "1", "liabilities": "0"},
    )
    assert response.status_code == 403 and not MonthlyFinancials.objects.exists()


def test_figures_are_entered_on_the_page(client_as):
    client = client_as(Role.RISK_MANAGER)
    response = client.post(
        reverse("risk-norms:financials"),
        {"month": "2026-03", "own_capital": "150000000", "assets": "0", "liabilities": "0"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert 'data-error-for="assets"' in response.content.decode()
    response = client.post(
        reverse("risk-norms:financials"),
        {"month": "2026-03", "own_capital": "150000000", "assets": "900000000", "liabilities": "0"},
    )
    assert response.status_code == 302
    assert MonthlyFinancials.objects.get().month == MARCH


def test_a_bad_csv_shows_the_row_on_the_file_field(client_as):
    response = client_as(Role.RISK_MANAGER).post(
        reverse("risk-norms:financials-import"),
        {"file": csv_file("month,own_capital,assets,liabilities\n2026-03,1,-5,0\n")},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert 'data-error-for="file"' in html and "Row 2: assets:" in html
    assert not MonthlyFinancials.objects.exists()


def test_a_group_is_made_on_the_page_by_iin(client_as, borrower):
    a, b = borrower(2), borrower(3)
    client = client_as(Role.RISK_MANAGER)
    response = client.post(
        reverse("risk-norms:group-create"), {"name": "Related", "add": f"{a.iin}\n{b.iin}"}
    )
    assert response.status_code == 302
    group = BorrowerGroup.objects.get()
    assert set(group.members.values_list("pk", flat=True)) == {a.pk, b.pk}
    page = client.get(reverse("risk-norms:groups")).content.decode()
    assert "Related" in page and a.iin not in page  # the risk manager sees masked IINs


def test_the_runs_page_lists_the_verdicts(three_loans, client_as):
    close_day(ON, [(three_loans[0], "1000000", "0", "0")])
    figures(own_capital="90000000")
    norms.norms_run(on=ON)
    html = client_as(Role.RISK_MANAGER).get(reverse("risk-norms:runs")).content.decode()
    assert 'data-run="2026-03-31" data-breached="yes"' in html


def test_a_months_figures_count_only_once_it_has_ended(db):
    figures(own_capital="150000000", assets="600000000", liabilities="450000000", month=MARCH)
    assert norms.financials_for(date(2026, 3, 30)) is None  # March still running
    assert norms.financials_for(date(2026, 3, 31)).month == MARCH
    assert norms.financials_for(date(2026, 4, 15)).month == MARCH
