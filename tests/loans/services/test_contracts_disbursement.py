from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from collateral import services as collateral
from collateral.models import CollateralItem, PledgeAgreement, Pledgor
from core.errors import ConflictError, DomainError, NotPermittedError
from core.models import AuditEvent
from loans import services
from loans.models import Installment, LedgerEntry, Loan
from loans.selectors import current_installments

pytestmark = pytest.mark.django_db

ON = date(2026, 3, 2)


@pytest.fixture
def draft(accepted, officer):
    def make(**terms):
        application = accepted(**terms)
        return services.contract_create(
            application_id=application.pk,
            planned_disbursement_date=ON,
            contract_date=ON - timedelta(days=3),
            payout_account="KZ86125KZT5004100100",
            payout_account_source="borrower_file",
            by=officer,
        )

    return make


@pytest.fixture
def signed(draft, officer):
    def make(**terms):
        loan = draft(**terms)
        return services.contract_sign(loan_id=loan.pk, signed_on=ON - timedelta(days=2), by=officer)

    return make


def _disburse(loan, by, **changes):
    arguments = {
        "loan_id": loan.pk,
        "on": ON,
        "channel": "account",
        "payee_account": "KZ86125KZT5004100100",
        "by": by,
        "today": ON,
        **changes,
    }
    return services.loan_disburse(**arguments)


def test_a_contract_is_drawn_on_the_decided_terms_with_its_schedule_and_gesv(draft):
    loan = draft(amount="1000000", term=12, rate="12")
    decision = loan.application.decision
    assert (loan.amount, loan.term_months, loan.annual_rate) == (
        decision.amount,
        decision.term_months,
        decision.rate,
    )
    assert loan.status == Loan.Status.DRAFT
    lines = list(loan.installments.filter(version=0))
    assert len(lines) == 12
    assert sum(line.principal for line in lines) == loan.amount
    assert lines[-1].cumulative_principal == loan.amount
    assert Decimal("12") < loan.gesv < loan.gesv_cap
    assert AuditEvent.objects.filter(action="loan.contract_drawn").exists()


def test_a_contract_needs_a_decision_the_borrower_accepted(at_committee, officer):
    application = at_committee()
    with pytest.raises(ConflictError) as refused:
        services.contract_create(
            application_id=application.pk, planned_disbursement_date=ON, by=officer
        )
    assert refused.value.code == "decision_not_accepted"
    assert not Loan.objects.exists()


def test_one_contract_per_application(draft, officer):
    loan = draft()
    with pytest.raises(ConflictError):
        services.contract_create(
            application_id=loan.application_id, planned_disbursement_date=ON, by=officer
        )
    assert Loan.objects.count() == 1


def test_a_contract_above_the_gesv_cap_is_refused_and_nothing_is_written(accepted, officer):
    application = accepted(rate="12")
    application.product.gesv_cap = Decimal("10")
    application.product.save()
    with pytest.raises(DomainError) as refused:
        services.contract_create(
            application_id=application.pk,
            planned_disbursement_date=ON,
            contract_date=ON,
            by=officer,
        )
    assert refused.value.field == "gesv"
    assert not Loan.objects.exists() and not Installment.objects.exists()


def test_signing_fixes_the_date_and_signer_and_happens_once(draft, officer):
    loan = draft()
    signed = services.contract_sign(loan_id=loan.pk, signed_on=ON - timedelta(days=1), by=officer)
    assert (signed.status, signed.signed_on, signed.signed_by) == (
        Loan.Status.SIGNED,
        ON - timedelta(days=1),
        officer,
    )
    with pytest.raises(ConflictError):
        services.contract_sign(loan_id=loan.pk, signed_on=ON, by=officer)


def test_a_signing_date_before_the_contract_is_refused(draft, officer):
    loan = draft()
    with pytest.raises(DomainError) as refused:
        services.contract_sign(loan_id=loan.pk, signed_on=ON - timedelta(days=30), by=officer)
    assert refused.value.field == "signed_on"


def test_only_an_accountant_disburses(signed, officer):
    loan = signed()
    with pytest.raises(NotPermittedError):
        _disburse(loan, officer)
    assert not LedgerEntry.objects.exists()


def test_an_unsigned_contract_is_not_disbursed(draft, accountant):
    loan = draft()
    with pytest.raises(ConflictError) as refused:
        _disburse(loan, accountant)
    assert refused.value.code == "not_signed"
    assert not LedgerEntry.objects.exists()


def test_disbursement_fixes_the_schedule_from_the_actual_date(signed, accountant):
    loan = signed()
    actual = ON + timedelta(days=3)
    loan = _disburse(loan, accountant, on=actual, today=actual)
    lines = list(current_installments(loan))
    assert loan.status == Loan.Status.ACTIVE and loan.schedule_version == 1
    assert lines[0].due_date == date(2026, 4, 5)
    assert sum(line.principal for line in lines) == loan.amount
    entry = LedgerEntry.objects.get(loan=loan)
    assert (entry.kind, entry.component, entry.amount, entry.value_date) == (
        "disbursement",
        "principal",
        loan.amount,
        actual,
    )


@pytest.mark.parametrize(
    ("on", "today", "code"),
    [
        (date(2026, 3, 5), date(2026, 3, 4), "future_value_date"),
        (date(2026, 2, 27), date(2026, 3, 4), "closed_period"),
    ],
)
def test_the_value_date_is_today_or_earlier_within_the_open_period(
    signed, accountant, on, today, code
):
    loan = signed()
    with pytest.raises(DomainError) as refused:
        _disburse(loan, accountant, on=on, today=today)
    assert (refused.value.field, refused.value.code) == ("on", code)


def test_a_payment_to_a_seller_needs_the_payee_and_purpose(signed, accountant):
    loan = signed()
    with pytest.raises(DomainError) as refused:
        _disburse(loan, accountant, channel="third_party", payee_name="ТОО Техника")
    assert refused.value.field == "payee_purpose"
    loan.refresh_from_db()
    assert loan.status == Loan.Status.SIGNED


def _pledged_item(loan) -> CollateralItem:
    applicant = loan.borrower
    pledgor = Pledgor.objects.create(
        applicant=applicant, name=applicant.name, identifier=applicant.identifier
    )
    return CollateralItem.objects.create(
        application=loan.application,
        kind="vehicle",
        pledgor=pledgor,
        description="Toyota Hilux",
        free_of_third_party_rights=True,
        free_of_budget_arrears=True,
        registered_by=loan.officer,
    )


def test_a_secured_loan_waits_for_the_registered_encumbrance(signed, accountant, officer):
    loan = signed()
    item = _pledged_item(loan)
    collateral.pledge_agreement_register(
        item_id=item.pk, encumbrance=PledgeAgreement.Encumbrance.SUBMITTED, by=officer
    )
    with pytest.raises(ConflictError) as refused:
        _disburse(loan, accountant)
    assert refused.value.code == "pledge_not_registered"
    collateral.pledge_agreement_register(
        item_id=item.pk,
        encumbrance=PledgeAgreement.Encumbrance.REGISTERED,
        authority="ЦОН",
        registered_on=ON - timedelta(days=1),
        registration_number="R-1",
        by=officer,
    )
    assert _disburse(loan, accountant).status == Loan.Status.ACTIVE


def test_a_secured_product_without_collateral_is_not_disbursed(signed, accountant):
    loan = signed()
    loan.product.secured = True
    loan.product.save()
    with pytest.raises(ConflictError) as refused:
        _disburse(loan, accountant)
    assert refused.value.code == "no_collateral"


def test_a_consumer_loan_carries_the_legal_penalty_caps(accepted, officer):
    from applications.models import Applicant, Application

    application = accepted(amount="1000000")
    Applicant.objects.filter(pk=application.applicant_id).update(kind="individual")
    Application.objects.filter(pk=application.pk).update(purpose="any_lawful")
    loan = services.contract_create(
        application_id=application.pk,
        planned_disbursement_date=ON,
        contract_date=ON,
        by=officer,
    )
    # The product says 1 % a day; the law caps a consumer loan at 0.5 %, 10 % of the amount
    # a contract year, and nothing after 90 days late (DOMAIN.md §12).
    assert loan.penalty_rate_daily == Decimal("0.5")
    assert loan.penalty_year_cap == Decimal("100000.00")
    assert loan.penalty_stop_days == 90


def test_a_business_loan_keeps_the_product_penalty_without_yearly_caps(draft):
    loan = draft()
    assert loan.penalty_rate_daily == Decimal("1")
    assert (loan.penalty_year_cap, loan.penalty_stop_days) == (None, None)
