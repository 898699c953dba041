"""Paying the loan out: by an accountant, on a signed contract, after the pledge is registered."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from collateral.models import CollateralItem, PledgeAgreement
from core.audit import audit
from core.errors import ConflictError, DomainError, NotPermittedError
from core.payout_accounts import AccountKind
from core.roles import Role, has_role
from lending.calculator import calculate
from lending.domain.errors import InvalidLoanTerms
from loans.guards import lock_loan
from loans.ledger.close import reclose_if_backdated
from loans.ledger.posting import post_disbursement
from loans.ledger.schedules import loan_terms, schedule_store
from loans.models import Loan, PayoutSource
from loans.payout_targets import PayoutTarget, payout_account_to_pay

DISBURSED_SCHEDULE = 1  # the schedule fixed from the actual disbursement date


def open_period_start(today: date) -> date:
    """The first value date still open: the current month (DOMAIN.md §9; accounting period)."""
    return today.replace(day=1)


@transaction.atomic(durable=True)
def loan_disburse(
    *,
    loan_id: int,
    on: date,
    channel: str,
    by,
    payee_name: str = "",
    payee_account: str = "",
    payee_purpose: str = "",
    today: date | None = None,
) -> Loan:
    """Pay out a signed loan and fix its schedule from the actual disbursement date.

    The money goes to the contract's payout account; ``payee_account``, when given, must be
    that account or one a second person approved (``loans.payout_targets``).
    """
    if not has_role(by, {Role.ACCOUNTANT}):
        raise NotPermittedError(_("Only an accountant disburses loans."), code="not_accountant")
    today = today or timezone.localdate()
    loan = lock_loan(loan_id)
    if loan.status != Loan.Status.SIGNED:
        raise ConflictError(
            _("Only a signed contract is disbursed; this one is %(status)s.")
            % {"status": loan.get_status_display()},
            field="status",
            code="not_signed",
        )
    _check_value_date(loan, on, today)
    _check_payee(channel, payee_name, payee_purpose)
    target = payout_account_to_pay(loan, payee_account, field="payee_account")
    _check_channel_fits(channel, target)
    _check_pledges_registered(loan)
    try:
        calculation = calculate(
            terms=loan_terms(loan, disbursement_date=on),
            product=loan.product,
            on=loan.contract_date,
        )
    except InvalidLoanTerms as error:
        raise DomainError(error.message, field="on", code=error.code) from error
    loan.status = Loan.Status.ACTIVE
    loan.disbursed_on, loan.disbursed_by = on, by
    loan.disbursement_channel = channel
    loan.payee_name, loan.payee_account, loan.payee_purpose = (
        payee_name,
        target.account.value,
        payee_purpose,
    )
    loan.gesv = calculation.gesv
    loan.schedule_version = DISBURSED_SCHEDULE
    loan.save()
    schedule_store(loan, calculation.schedule, version=DISBURSED_SCHEDULE)
    post_disbursement(loan, on=on, by=by)
    audit(
        loan,
        "loan.disbursed",
        by=by,
        data={
            "on": on.isoformat(),
            "amount": str(loan.amount),
            "channel": channel,
            **target.audit_data(),
        },
    )
    reclose_if_backdated(loan, on)
    return loan


def _check_value_date(loan: Loan, on: date, today: date) -> None:
    if on > today:
        raise DomainError(
            _("The value date cannot be in the future."), field="on", code="future_value_date"
        )
    if on < open_period_start(today):
        raise DomainError(
            _("The value date is in a closed period; the earliest open date is %(date)s.")
            % {"date": open_period_start(today).isoformat()},
            field="on",
            code="closed_period",
        )
    if on < loan.signed_on:
        raise DomainError(
            _("A loan cannot be paid out before its contract is signed."),
            field="on",
            code="before_signing",
        )


def _check_payee(channel: str, name: str, purpose: str) -> None:
    if channel not in Loan.Channel.values:
        raise DomainError(_("Choose how the money is paid out."), field="channel", code="invalid")
    if channel == Loan.Channel.THIRD_PARTY:
        for field, value in (("payee_name", name), ("payee_purpose", purpose)):
            if not value.strip():
                raise DomainError(
                    _("A payment to a seller of goods needs the payee and the purpose."),
                    field=field,
                    code="required",
                )


def _check_channel_fits(channel: str, target: PayoutTarget) -> None:
    """A card is paid as a card, a seller (their invoice's account) as a third party."""
    is_card = target.account.kind == AccountKind.CARD
    to_seller = target.source == PayoutSource.SELLER_INVOICE
    if (channel == Loan.Channel.CARD) != is_card or (channel == Loan.Channel.THIRD_PARTY) != (
        to_seller
    ):
        raise DomainError(
            _(
                "The channel does not fit the account: a card is paid to the card, an IBAN from "
                "the seller's invoice to the seller, the borrower's IBAN to their account."
            ),
            field="channel",
            code="channel_account_mismatch",
        )


def _check_pledges_registered(loan: Loan) -> None:
    items = CollateralItem.objects.filter(application_id=loan.application_id, released_at=None)
    if not items.exists():
        if loan.product.secured:
            raise ConflictError(
                _("A secured loan is paid out only against registered collateral; none is."),
                field="collateral",
                code="no_collateral",
            )
        return
    unregistered = items.exclude(pledge__encumbrance=PledgeAgreement.Encumbrance.REGISTERED)
    if unregistered.exists():
        raise ConflictError(
            _("The encumbrance of every pledged item must be registered before disbursement."),
            field="collateral",
            code="pledge_not_registered",
        )
