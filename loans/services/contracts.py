"""The contract: drawn from the committee's accepted decision, then signed (DOMAIN.md §7, §14)."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import ApplicantKind, Application, Stage
from applications.services import lock_application
from core.audit import audit
from core.branches import user_branch
from core.errors import ConflictError, DomainError
from core.models import Branch
from core.money import to_tiyn
from core.payout_accounts import payout_account_checked
from lending.calculator import calculate
from lending.domain.errors import InvalidLoanTerms
from lending.models import Purpose
from loans.guards import check_payout_source, lock_loan
from loans.ledger.schedules import loan_terms, schedule_store
from loans.models import Loan
from loans.selectors import penalty_caps

DRAFT_SCHEDULE = 0  # the schedule of the contract, from the planned disbursement date


def _to_individual(application: Application) -> bool:
    """A consumer loan, under the lower legal caps on penalties (DOMAIN.md §12)."""
    return (
        application.applicant.kind == ApplicantKind.INDIVIDUAL
        and application.purpose == Purpose.ANY_LAWFUL
    )


@transaction.atomic(durable=True)
def contract_create(
    *,
    application_id: int,
    planned_disbursement_date: date,
    by,
    branch_id: int | None = None,
    contract_date: date | None = None,
    payout_account: str = "",
    payout_account_source: str = "",
) -> Loan:
    """A draft contract on the terms the committee approved and the borrower accepted.

    ``payout_account`` (an IBAN or a full card number, kept masked) is where the loan will be
    paid, taken from ``payout_account_source``; the pages and the API require it. A contract
    drawn without one is paid out only to an account a second person approved.
    """
    application = lock_application(application_id)
    if application.stage != Stage.ACCEPTED:
        raise ConflictError(
            _("A contract is drawn only for an application whose decision the borrower accepted."),
            field="application",
            code="decision_not_accepted",
        )
    if Loan.objects.filter(application=application).exists():
        raise ConflictError(
            _("This application already has a contract."), field="application", code="exists"
        )
    contract_date = contract_date or timezone.localdate()
    if planned_disbursement_date < contract_date:
        raise DomainError(
            _("The planned disbursement cannot precede the contract date."),
            field="planned_disbursement_date",
            code="disbursement_before_contract",
        )
    account = None
    if payout_account or payout_account_source:
        account = payout_account_checked(payout_account, field="payout_account")
        check_payout_source(payout_account_source)
    decision = application.decision
    product = application.product
    # by default where the application was registered, else the user's branch, else the first
    own = user_branch(by)
    branch = (
        Branch.objects.get(pk=branch_id)
        if branch_id
        else application.branch or own or Branch.objects.order_by("id").first()
    )
    if own is not None and branch != own:
        raise DomainError(
            _("Loans are booked at your branch only."), field="branch", code="other_branch"
        )
    loan = Loan(
        number=f"MK-{application.number}",
        application=application,
        borrower=application.applicant,
        product=product,
        branch=branch,
        officer=application.prepared_by,
        purpose=application.purpose,
        amount=decision.amount,
        annual_rate=decision.rate,
        term_months=decision.term_months,
        method=decision.method or application.method,
        grace_months=decision.grace_months,
        day_count=product.day_count,
        payment_multiple=product.payment_multiple,
        contract_date=contract_date,
        planned_disbursement_date=planned_disbursement_date,
        payout_account=account.value if account else "",
        payout_account_source=payout_account_source if account else "",
        created_by=by,
    )
    _fix_penalty_terms(loan, application)
    calculation = _calculation(loan, product, planned_disbursement_date)
    loan.gesv, loan.gesv_cap = calculation.gesv, calculation.gesv_cap
    _refuse_above_cap(loan)
    loan.save()
    schedule_store(loan, calculation.schedule, version=DRAFT_SCHEDULE)
    audit(
        loan,
        "loan.contract_drawn",
        by=by,
        data={
            "application": application.number,
            "amount": str(loan.amount),
            "gesv": str(loan.gesv),
            "payout_account": loan.payout_account,
            "payout_account_source": loan.payout_account_source,
        },
    )
    return loan


def _fix_penalty_terms(loan: Loan, application: Application) -> None:
    caps = penalty_caps(on=loan.contract_date, to_individual=_to_individual(application))
    rate = application.product.penalty_rate_daily
    if caps.max_daily_rate is not None:
        rate = min(rate, caps.max_daily_rate)
    loan.penalty_rate_daily = rate
    share = caps.max_total_share_of_loan_per_contract_year
    loan.penalty_year_cap = to_tiyn(share * loan.amount) if share is not None else None
    loan.penalty_stop_days = caps.stop_after_days_overdue
    loan.overdue_stop_scope = caps.stop_scope if caps.stop_after_days_overdue else ""


def _calculation(loan: Loan, product, disbursement_date: date):
    try:
        return calculate(
            terms=loan_terms(loan, disbursement_date=disbursement_date),
            product=product,
            on=loan.contract_date,
        )
    except InvalidLoanTerms as error:
        # the contract names its disbursement date "planned" (a loan ending after 9999-12-31)
        field = "planned_disbursement_date" if error.field == "disbursement_date" else error.field
        raise DomainError(error.message, field=field, code=error.code) from error


def _refuse_above_cap(loan: Loan) -> None:
    if loan.gesv > loan.gesv_cap:
        raise DomainError(
            _("GESV %(gesv)s %% is above the cap of %(cap)s %%: the contract cannot be signed.")
            % {"gesv": loan.gesv, "cap": f"{loan.gesv_cap.normalize():f}"},
            field="gesv",
            code="gesv_above_cap",
        )


@transaction.atomic(durable=True)
def contract_sign(*, loan_id: int, signed_on: date, by) -> Loan:
    """Both parties signed: from now the terms change only by additional agreement."""
    loan = lock_loan(loan_id)
    if loan.status != Loan.Status.DRAFT:
        raise ConflictError(
            _("Only a draft contract can be signed; this one is %(status)s.")
            % {"status": loan.get_status_display()},
            field="status",
            code="not_draft",
        )
    if signed_on < loan.contract_date or signed_on > timezone.localdate():
        raise DomainError(
            _("The signing date must be between the contract date and today."),
            field="signed_on",
            code="invalid_signing_date",
        )
    _refuse_above_cap(loan)
    loan.status = Loan.Status.SIGNED
    loan.signed_on, loan.signed_by = signed_on, by
    loan.save(update_fields=["status", "signed_on", "signed_by"])
    audit(loan, "loan.contract_signed", by=by, data={"signed_on": signed_on.isoformat()})
    return loan
