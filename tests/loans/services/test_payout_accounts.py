"""The payout account comes from the contract; any other needs a second person's approval
(loans.services.payout_accounts, the disbursement and the refund)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from core.errors import ConflictError, DomainError, NotPermittedError
from core.models import AuditEvent
from core.roles import Role
from loans import services
from loans.models import LedgerEntry, Loan, PayoutAccountChange, Refund
from tests.fixtures.lending import (
    BORROWER_IBAN,
    CARD_MASKED,
    CARD_NUMBER,
    OTHER_IBAN,
    SELLER_IBAN,
)

pytestmark = pytest.mark.django_db

ON = date(2026, 3, 2)
BAD_ACCOUNTS = ["MY-OWN-CARD-4111", "KZ00125KZT5004100100"]  # both paid out before


@pytest.fixture
def signed(accepted, officer):
    def make(account: str = BORROWER_IBAN, source: str = "borrower_file") -> Loan:
        loan = services.contract_create(
            application_id=accepted().pk,
            planned_disbursement_date=ON,
            contract_date=ON - timedelta(days=3),
            payout_account=account,
            payout_account_source=source,
            by=officer,
        )
        return services.contract_sign(loan_id=loan.pk, signed_on=ON - timedelta(days=2), by=officer)

    return make


@pytest.fixture
def second_accountant(make_user):
    return make_user(Role.ACCOUNTANT, username="chief.accountant")


def disburse(loan: Loan, by, **changes) -> Loan:
    arguments = {"loan_id": loan.pk, "on": ON, "channel": "account", "by": by, "today": ON}
    return services.loan_disburse(**{**arguments, **changes})


def nothing_paid(loan: Loan) -> None:
    loan.refresh_from_db()
    assert loan.status == Loan.Status.SIGNED and loan.payee_account == ""
    assert not LedgerEntry.objects.filter(loan=loan).exists()
    assert not AuditEvent.objects.filter(action="loan.disbursed").exists()


def approved(loan: Loan, account: str, requester, approver, source="borrower_file"):
    change = services.payout_account_change_request(
        loan_id=loan.pk, account=account, source=source, reason="New bank account", by=requester
    )
    return services.payout_account_change_approve(change_id=change.pk, by=approver)


# --- the contract -----------------------------------------------------------------------------


def test_the_contract_keeps_the_verified_account_and_where_it_came_from(signed):
    loan = signed(account="kz86 125k zt50 0410 0100")
    assert loan.payout_account == BORROWER_IBAN
    assert loan.payout_account_source == "borrower_file"
    drawn = AuditEvent.objects.get(action="loan.contract_drawn")
    assert drawn.data["payout_account"] == BORROWER_IBAN


@pytest.mark.parametrize("account", BAD_ACCOUNTS)
def test_a_contract_with_a_bad_account_is_not_drawn(accepted, officer, account):
    with pytest.raises(DomainError) as refused:
        services.contract_create(
            application_id=accepted().pk,
            planned_disbursement_date=ON,
            contract_date=ON,
            payout_account=account,
            payout_account_source="borrower_file",
            by=officer,
        )
    assert refused.value.field == "payout_account"
    assert not Loan.objects.exists()


def test_a_contract_account_needs_its_source(accepted, officer):
    with pytest.raises(DomainError) as refused:
        services.contract_create(
            application_id=accepted().pk,
            planned_disbursement_date=ON,
            contract_date=ON,
            payout_account=BORROWER_IBAN,
            by=officer,
        )
    assert refused.value.field == "payout_account_source"


def test_a_card_is_kept_masked_everywhere(signed, accountant):
    loan = signed(account=CARD_NUMBER)
    assert loan.payout_account == CARD_MASKED
    disburse(loan, accountant, channel="card")
    loan.refresh_from_db()
    assert loan.payee_account == CARD_MASKED
    for event in AuditEvent.objects.all():
        assert CARD_NUMBER not in str(event.data)
    assert AuditEvent.objects.get(action="loan.disbursed").data["account"] == CARD_MASKED


# --- disbursement -----------------------------------------------------------------------------


def test_the_loan_is_paid_to_the_contracts_account_and_the_audit_says_where(signed, accountant):
    loan = disburse(signed(), accountant)
    assert loan.payee_account == BORROWER_IBAN
    event = AuditEvent.objects.get(action="loan.disbursed")
    assert event.data["account"] == BORROWER_IBAN
    assert event.data["account_source"] == "borrower_file"
    assert event.data["account_change"] is None


def test_naming_the_contracts_own_account_is_the_same(signed, accountant):
    loan = disburse(signed(), accountant, payee_account="KZ86 125K ZT50 0410 0100")
    assert loan.payee_account == BORROWER_IBAN


@pytest.mark.parametrize("account", BAD_ACCOUNTS)
def test_a_bad_account_is_refused_at_disbursement_and_nothing_is_paid(signed, accountant, account):
    loan = signed()
    with pytest.raises(DomainError) as refused:
        disburse(loan, accountant, payee_account=account)
    assert refused.value.field == "payee_account"
    nothing_paid(loan)


def test_another_valid_account_without_a_second_persons_approval_is_refused(signed, accountant):
    loan = signed()
    with pytest.raises(DomainError) as refused:
        disburse(loan, accountant, payee_account=OTHER_IBAN)
    assert (refused.value.field, refused.value.code) == ("payee_account", "account_not_approved")
    nothing_paid(loan)


def test_a_requested_but_not_yet_approved_account_is_refused(signed, accountant):
    loan = signed()
    services.payout_account_change_request(
        loan_id=loan.pk, account=OTHER_IBAN, source="borrower_file", reason="x", by=accountant
    )
    with pytest.raises(DomainError):
        disburse(loan, accountant, payee_account=OTHER_IBAN)
    nothing_paid(loan)


def test_with_a_second_persons_approval_the_other_account_is_paid_once(
    signed, accountant, second_accountant
):
    loan = signed()
    change = approved(loan, OTHER_IBAN, accountant, second_accountant)
    assert change.state == PayoutAccountChange.State.APPROVED
    assert change.decided_by == second_accountant

    loan = disburse(loan, accountant, payee_account="kz18 722s 0000 1234 5678")
    assert loan.payee_account == OTHER_IBAN
    change.refresh_from_db()
    assert change.state == PayoutAccountChange.State.USED and change.used_at
    event = AuditEvent.objects.get(action="loan.disbursed")
    assert event.data["account"] == OTHER_IBAN
    assert event.data["account_change"] == change.pk
    approval = AuditEvent.objects.get(action="loan.payout_account_change_approved")
    assert approval.actor == second_accountant
    assert approval.data["account"] == OTHER_IBAN
    assert approval.data["requested_by"] == accountant.username


def test_the_requester_cannot_approve_their_own_request(signed, accountant):
    loan = signed()
    change = services.payout_account_change_request(
        loan_id=loan.pk, account=OTHER_IBAN, source="borrower_file", reason="x", by=accountant
    )
    with pytest.raises(NotPermittedError) as refused:
        services.payout_account_change_approve(change_id=change.pk, by=accountant)
    assert refused.value.code == "own_request"
    change.refresh_from_db()
    assert change.state == PayoutAccountChange.State.REQUESTED and change.decided_by is None
    assert not AuditEvent.objects.filter(action="loan.payout_account_change_approved").exists()


@pytest.mark.parametrize(
    "role", [Role.COLLECTOR, Role.RISK_MANAGER, Role.CREDIT_ADMINISTRATOR, Role.BRANCH_SYSTEM]
)
def test_other_roles_neither_request_nor_approve(signed, accountant, make_user, role):
    loan = signed()
    other = make_user(role)
    with pytest.raises(NotPermittedError):
        services.payout_account_change_request(
            loan_id=loan.pk, account=OTHER_IBAN, source="borrower_file", reason="x", by=other
        )
    change = services.payout_account_change_request(
        loan_id=loan.pk, account=OTHER_IBAN, source="borrower_file", reason="x", by=accountant
    )
    with pytest.raises(NotPermittedError):
        services.payout_account_change_approve(change_id=change.pk, by=other)
    change.refresh_from_db()
    assert change.state == PayoutAccountChange.State.REQUESTED


def test_a_rejected_account_is_not_paid_and_a_decision_is_taken_once(
    signed, accountant, second_accountant, make_user
):
    loan = signed()
    change = services.payout_account_change_request(
        loan_id=loan.pk, account=OTHER_IBAN, source="borrower_file", reason="x", by=accountant
    )
    services.payout_account_change_reject(change_id=change.pk, by=second_accountant)
    with pytest.raises(ConflictError):
        services.payout_account_change_approve(
            change_id=change.pk, by=make_user(Role.ADMINISTRATOR)
        )
    with pytest.raises(DomainError):
        disburse(loan, accountant, payee_account=OTHER_IBAN)
    nothing_paid(loan)


def test_a_request_needs_a_valid_new_account_and_a_reason(signed, accountant):
    loan = signed()
    cases = [
        ({"account": "KZ00125KZT5004100100"}, "account"),
        ({"account": CARD_MASKED}, "account"),  # a masked card cannot be checked
        ({"account": BORROWER_IBAN}, "account"),  # the contract's already
        ({"source": ""}, "source"),
        ({"reason": " "}, "reason"),
    ]
    for change, field in cases:
        request = {"account": OTHER_IBAN, "source": "borrower_file", "reason": "x", **change}
        with pytest.raises(DomainError) as refused:
            services.payout_account_change_request(loan_id=loan.pk, **request, by=accountant)
        assert refused.value.field == field, change
    assert not PayoutAccountChange.objects.exists()


def test_the_channel_must_fit_the_account(signed, accountant, second_accountant):
    with pytest.raises(DomainError) as card:
        disburse(signed(), accountant, channel="card")  # an IBAN is not a card
    assert card.value.field == "channel"
    seller = signed(account=SELLER_IBAN, source="seller_invoice")
    with pytest.raises(DomainError) as to_borrower:
        disburse(seller, accountant, channel="account")
    assert to_borrower.value.field == "channel"
    loan = disburse(
        seller, accountant, channel="third_party", payee_name="ТОО Техника", payee_purpose="Станок"
    )
    assert loan.payee_account == SELLER_IBAN


def test_a_contract_without_an_account_is_paid_only_to_an_approved_one(
    accepted, officer, accountant, second_accountant
):
    loan = services.contract_create(
        application_id=accepted().pk,
        planned_disbursement_date=ON,
        contract_date=ON - timedelta(days=3),
        by=officer,
    )  # as contracts drawn before payout accounts were kept
    services.contract_sign(loan_id=loan.pk, signed_on=ON - timedelta(days=2), by=officer)
    with pytest.raises(DomainError) as refused:
        disburse(loan, accountant)
    assert (refused.value.field, refused.value.code) == ("payee_account", "no_contract_account")
    approved(loan, OTHER_IBAN, accountant, second_accountant)
    assert disburse(loan, accountant, payee_account=OTHER_IBAN).payee_account == OTHER_IBAN


# --- refund -----------------------------------------------------------------------------------


@pytest.fixture
def closed_with_held(active_loan, pay):
    def make() -> Loan:
        loan = active_loan(on=ON)
        quote = services.payoff_quote_on(loan_id=loan.pk, on=ON + timedelta(days=20))
        pay(loan, quote.to_pay + Decimal("5000"), ON + timedelta(days=20))
        loan.refresh_from_db()
        assert loan.status == Loan.Status.CLOSED
        return loan

    return make


def refund(loan: Loan, by, **changes) -> Refund:
    on = ON + timedelta(days=20)
    arguments = {"loan_id": loan.pk, "amount": Decimal("5000"), "on": on, "applied_on": on}
    return services.overpayment_refund(**{**arguments, "by": by, "today": on, **changes})


@pytest.mark.parametrize("account", BAD_ACCOUNTS)
def test_a_bad_account_is_refused_at_refund_and_nothing_is_paid(
    closed_with_held, accountant, account
):
    loan = closed_with_held()
    entries = LedgerEntry.objects.count()
    with pytest.raises(DomainError) as refused:
        refund(loan, accountant, account=account)
    assert refused.value.field == "account"
    assert not Refund.objects.exists() and LedgerEntry.objects.count() == entries
    assert not AuditEvent.objects.filter(action="loan.refunded").exists()


def test_the_refund_goes_to_the_contracts_account_or_an_approved_one(
    closed_with_held, accountant, second_accountant
):
    loan = closed_with_held()
    with pytest.raises(DomainError) as refused:
        refund(loan, accountant, amount=Decimal("1000"), account=OTHER_IBAN)
    assert refused.value.code == "account_not_approved"

    assert refund(loan, accountant, amount=Decimal("1000")).account == BORROWER_IBAN
    change = approved(loan, OTHER_IBAN, accountant, second_accountant)
    assert refund(loan, accountant, amount=Decimal("4000"), account=OTHER_IBAN).account == (
        OTHER_IBAN
    )
    first, second = AuditEvent.objects.filter(action="loan.refunded").order_by("id")
    assert (first.data["account"], first.data["account_change"]) == (BORROWER_IBAN, None)
    assert (second.data["account"], second.data["account_change"]) == (OTHER_IBAN, change.pk)
