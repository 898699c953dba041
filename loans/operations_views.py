"""Browser pages from the accepted decision to the money: contract, signature, disbursement and
repayments at the desk (DOMAIN.md §2, §9).

One service call per POST; a refusal re-renders the form with the reason beside its field and
nothing written. The loan page belongs to the portfolio pages; until it exists the pages fall
back to the next step of the work.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, get_script_prefix, reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications.branches import visible_applications
from applications.models import Application, Stage
from applications.selectors import credit_file_open
from core.branches import user_branch
from core.errors import DomainError
from core.forms import add_domain_error
from core.models import Branch
from core.permissions import role_required
from core.roles import Role, has_role
from loans import services
from loans.branches import visible_loans
from loans.domain.ledger import Component
from loans.forms_operations import ContractForm, DisburseForm, PaymentForm, SignForm
from loans.models import Loan, Payment
from loans.payout_display import payout_context
from loans.selectors import contracts_to_draw, disbursement_queue, loan_list

CONTRACT_ROLES = (Role.CREDIT_ADMINISTRATOR, Role.ADMINISTRATOR)
DISBURSEMENT_VIEW_ROLES = (Role.ACCOUNTANT, Role.ADMINISTRATOR)
DISBURSE_ROLES = (Role.ACCOUNTANT,)  # the service refuses anyone else (DOMAIN.md §2)
PAYMENT_ROLES = (Role.ACCOUNTANT, Role.ADMINISTRATOR)
RECEIPT_LANGUAGES = ("ru", "kk")  # the receipt is issued in Russian and Kazakh (DOMAIN.md §14)

COMPONENT_LABELS = {
    Component.PRINCIPAL: gettext_lazy("Principal"),
    Component.INTEREST: gettext_lazy("Interest"),
    Component.PENALTY: gettext_lazy("Penalty"),
    Component.HELD: gettext_lazy("Held for the next instalment"),
}


def loan_page_url(loan_id: int, *, fallback: str) -> str:
    """The loan page of the portfolio pages, or ``fallback`` while they do not exist."""
    try:
        return reverse("portfolio:loan", args=[loan_id])
    except NoReverseMatch:
        return fallback


def _status(form) -> int:
    return 400 if form.is_bound and form.errors else 200


def _loan(pk: int) -> Loan:
    return get_object_or_404(loan_list().select_related("application"), pk=pk)


def _amount(value: Decimal) -> str:
    return formats.number_format(value, 2, force_grouping=True)


def draft_contracts():
    """Contracts drawn and waiting for both parties' signatures, the oldest first."""
    return loan_list().filter(status=Loan.Status.DRAFT).order_by("contract_date", "id")


# --- contracts ----------------------------------------------------------------------------


@role_required(*CONTRACT_ROLES)
def contracts_to_draw_page(request):
    return render(
        request,
        "loans/operations/contracts_to_draw.html",
        {
            "applications": visible_applications(request.user, contracts_to_draw()),
            "drafts": visible_loans(request.user, draft_contracts()),
        },
    )


def _open_credit_file(request, application_id: int) -> Application:
    try:
        return credit_file_open(application_id=application_id, user=request.user)
    except Application.DoesNotExist as exc:
        raise Http404 from exc


@role_required(*CONTRACT_ROLES)
def contract_create(request, application_id: int):
    application = _open_credit_file(request, application_id)
    existing = Loan.objects.filter(application=application).first()
    own = user_branch(request.user)
    initial = application.branch or own or Branch.objects.first()
    form = ContractForm(request.POST or None, initial={"branch": initial})
    if own is not None:  # a branch's staff book loans at their branch (core.branches)
        form.fields["branch"].queryset = Branch.objects.filter(pk=own.pk)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            loan = services.contract_create(
                application_id=application.pk,
                planned_disbursement_date=data["planned_disbursement_date"],
                contract_date=data["contract_date"],
                branch_id=data["branch"].pk,
                payout_account=data["payout_account"],
                payout_account_source=data["payout_account_source"],
                by=request.user,
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("Contract %(number)s is drawn on the decided terms; have it signed.")
                % {"number": loan.number},
            )
            fallback = reverse("servicing:contract-sign", args=[loan.pk])
            return redirect(loan_page_url(loan.pk, fallback=fallback))
    return render(
        request,
        "loans/operations/contract_form.html",
        {
            "form": form,
            "application": application,
            "decision": getattr(application, "decision", None),
            "existing": existing,
            "is_accepted": application.stage == Stage.ACCEPTED,
        },
        status=_status(form),
    )


@role_required(*CONTRACT_ROLES)
def contract_sign(request, pk: int):
    loan = _loan(pk)
    form = SignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.contract_sign(
                loan_id=loan.pk, signed_on=form.cleaned_data["signed_on"], by=request.user
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("Contract %(number)s is signed; it is in the accountants' disbursement queue.")
                % {"number": loan.number},
            )
            fallback = reverse("servicing:contracts-to-draw")
            return redirect(loan_page_url(loan.pk, fallback=fallback))
    return render(
        request,
        "loans/operations/sign_form.html",
        {"form": form, "loan": loan, "is_draft": loan.status == Loan.Status.DRAFT},
        status=_status(form),
    )


# --- disbursement -------------------------------------------------------------------------


@role_required(*DISBURSEMENT_VIEW_ROLES)
def disbursement_queue_page(request):
    return render(
        request,
        "loans/operations/disbursement_queue.html",
        {
            "loans": visible_loans(request.user, disbursement_queue()),
            "can_disburse": has_role(request.user, DISBURSE_ROLES),
        },
    )


@role_required(*DISBURSE_ROLES)
def disburse(request, pk: int):
    loan = _loan(pk)
    form = DisburseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.loan_disburse(loan_id=loan.pk, by=request.user, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("%(amount)s KZT paid out on contract %(number)s; its schedule is fixed.")
                % {"amount": _amount(loan.amount), "number": loan.number},
            )
            fallback = reverse("servicing:disbursement-queue")
            return redirect(loan_page_url(loan.pk, fallback=fallback))
    return render(
        request,
        "loans/operations/disburse_form.html",
        {
            "form": form,
            "loan": loan,
            "is_signed": loan.status == Loan.Status.SIGNED,
            **payout_context(loan, request.user),
        },
        status=_status(form),
    )


# --- payments -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AllocationLine:
    component: Component
    label: str
    amount: Decimal  # shown positive: what the payment repaid, or held


@dataclass(frozen=True)
class PostedPayment:
    payment: Payment
    lines: list[AllocationLine]
    moved_to: Payment | None  # money on a closed contract goes to the active one (DOMAIN.md §9)
    receipts: list[tuple[str, str]]  # (language, url)


def payment_allocation(payment: Payment) -> list[AllocationLine]:
    """Where a payment went: its ledger entries summed by component, shown positive."""
    totals = {
        row["component"]: -row["total"]
        for row in payment.entries.values("component").annotate(total=Sum("amount")).order_by()
    }
    return [
        AllocationLine(component, str(COMPONENT_LABELS[component]), totals[component])
        for component in Component
        if totals.get(component)
    ]


def receipt_url(payment_id: int, language: str) -> str:
    # served by loans.document_urls under /loans/documents/ (built alongside these pages)
    return f"{get_script_prefix()}loans/documents/payments/{payment_id}/receipt/{language}.pdf"


def _posted(loan: Loan, payment_id: str | None) -> PostedPayment | None:
    if not payment_id or not payment_id.isdigit():
        return None
    payment = get_object_or_404(Payment, pk=int(payment_id), loan=loan)
    try:
        moved_to = payment.moved_to
    except ObjectDoesNotExist:
        moved_to = None
    return PostedPayment(
        payment=payment,
        lines=payment_allocation(moved_to or payment),
        moved_to=moved_to,
        receipts=[(language, receipt_url(payment.pk, language)) for language in RECEIPT_LANGUAGES],
    )


def _fingerprint(loan: Loan, data: dict) -> str:
    """The request a token was first used for: the same token with other data is refused."""
    parts = [loan.pk, data["amount"], data["value_date"], data["channel"]]
    parts += [data["reference"], data["payer"]]
    return hashlib.sha256("|".join(str(part) for part in parts).encode()).hexdigest()


def _bound_payment_form(data) -> PaymentForm:
    """A form without a valid one-time token is not posted: it gets a fresh token and goes
    back to the user (its figures kept), so a stale or hand-made form cannot post twice."""
    try:
        uuid.UUID(str(data.get("token", "")))
    except ValueError:
        data = data.copy()
        data["token"] = str(uuid.uuid4())
        form = PaymentForm(data)
        form.is_valid()
        form.add_error(None, _("The form has expired; check the figures and submit it again."))
        return form
    return PaymentForm(data)


@role_required(*PAYMENT_ROLES)
def payment_new(request, pk: int):
    loan = _loan(pk)
    if request.method == "POST":
        form = _bound_payment_form(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                payment, created = services.payment_post(
                    loan_id=loan.pk,
                    amount=data["amount"],
                    value_date=data["value_date"],
                    channel=data["channel"],
                    reference=data["reference"],
                    payer=data["payer"],
                    idempotency_key=str(data["token"]),
                    fingerprint=_fingerprint(loan, data),
                    by=request.user,
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                if created:
                    messages.success(
                        request,
                        _("%(amount)s KZT is posted to contract %(number)s.")
                        % {"amount": _amount(payment.amount), "number": loan.number},
                    )
                else:
                    messages.info(
                        request,
                        _("This form was already submitted; the payment is posted once."),
                    )
                url = reverse("servicing:payment-new", args=[loan.pk])
                return redirect(f"{url}?payment={payment.pk}")
    else:
        form = PaymentForm(initial={"token": uuid.uuid4(), "payer": loan.borrower.name})
    return render(
        request,
        "loans/operations/payment_form.html",
        {
            "form": form,
            "loan": loan,
            "posted": _posted(loan, request.GET.get("payment")),
            # a written-off loan takes recoveries; a closed one passes money to the active loan
            "takes_payments": loan.status
            in (Loan.Status.ACTIVE, Loan.Status.WRITTEN_OFF, Loan.Status.CLOSED),
        },
        status=_status(form),
    )
