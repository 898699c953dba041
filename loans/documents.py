"""The loan contract with its schedule, and the payment receipt, in Kazakh and Russian.

DOMAIN.md §6–§9, §14: the contract on the decided terms, with the mandatory sections and the
repayment schedule as Annex 1; the receipt for money taken and how it was applied. Each
context is plain values read once; the legal text lives in the templates, one per language,
and products and branches stay objects so that they print in the document's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone
from django.utils.functional import Promise

from applications.models import ApplicantKind
from collateral.models import CollateralItem, Guarantee, Kind, PledgeAgreement
from core.models import Branch, OverdueStop
from core.money import ZERO
from core.pdf import Party, Printed, mfo_party, render_pdf
from core.privacy import mask_identifier
from lending.models import Product, Purpose
from loans.domain.ledger import Component
from loans.models import Loan, Payment
from loans.selectors import current_installments

DOCUMENT_LANGUAGES = ("kk", "ru")
TEMPLATES = "loans/documents/"


@dataclass(frozen=True)
class Borrower(Party):
    address: str = ""
    phone: str = ""


@dataclass(frozen=True)
class ScheduleRow:
    number: int
    due_date: date
    principal: Decimal
    interest: Decimal
    total: Decimal
    balance: Decimal


@dataclass(frozen=True)
class Schedule:
    rows: tuple[ScheduleRow, ...]
    principal: Decimal
    interest: Decimal
    total: Decimal


@dataclass(frozen=True)
class CollateralLine:
    kind_label: Promise
    description: str
    pledgor: Party
    pledge_number: str


@dataclass(frozen=True)
class GuaranteeLine:
    guarantor: Party
    amount: Decimal
    joint_and_several: bool


@dataclass(frozen=True)
class ContractDocument:
    number: str
    contract_date: date
    branch: Branch
    mfo: Party
    borrower: Borrower
    product: Product
    purpose: Promise
    amount: Decimal
    annual_rate: Decimal
    term_months: int
    method: str
    grace_months: int
    day_count: str
    gesv: Decimal
    gesv_cap: Decimal
    planned_disbursement_date: date
    disbursed_on: date | None
    signed_on: date | None
    is_draft: bool
    penalty_rate_daily: Decimal
    penalty_year_cap: Decimal | None
    penalty_stop_days: int | None
    stops_all_interest: bool  # the full stop after those days (DOMAIN.md §12), else penalty only
    collateral: tuple[CollateralLine, ...]
    guarantees: tuple[GuaranteeLine, ...]
    schedule: Schedule


@dataclass(frozen=True)
class AppliedSplit:
    """Where the money went, each part positive (the ledger lowers debts with negatives)."""

    principal: Decimal = ZERO
    interest: Decimal = ZERO
    penalty: Decimal = ZERO
    held: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.principal + self.interest + self.penalty + self.held


@dataclass(frozen=True)
class ReceiptDocument:
    number: str
    issued_on: date
    mfo: Party
    loan_number: str
    borrower: Party
    payer: str
    amount: Decimal
    value_date: date
    channel: str
    reference: str
    split: AppliedSplit
    moved_to_loan: str
    received_by: str


# --- reading ------------------------------------------------------------------------------


def _shown(identifier: str, show_identifiers: bool) -> str:
    return identifier if show_identifiers else mask_identifier(identifier)


def borrower_party(loan: Loan, *, show_identifiers: bool, show_contacts: bool = True) -> Borrower:
    """``show_contacts`` off: the address and phone left out, for a role that does not see them
    (core.privacy)."""
    applicant = loan.borrower
    return Borrower(
        name=applicant.name,
        identifier=_shown(applicant.identifier, show_identifiers),
        is_legal_entity=applicant.kind == ApplicantKind.LEGAL_ENTITY,
        address=(applicant.legal_address or applicant.actual_address) if show_contacts else "",
        phone=applicant.phone if show_contacts else "",
    )


def _schedule(loan: Loan) -> Schedule:
    rows = tuple(
        ScheduleRow(
            number=line.number,
            due_date=line.due_date,
            principal=line.principal,
            interest=line.interest,
            total=line.total,
            balance=line.balance,
        )
        for line in current_installments(loan)
    )
    return Schedule(
        rows=rows,
        principal=sum((row.principal for row in rows), ZERO),
        interest=sum((row.interest for row in rows), ZERO),
        total=sum((row.total for row in rows), ZERO),
    )


def _collateral(loan: Loan, *, show_identifiers: bool) -> tuple[CollateralLine, ...]:
    items = CollateralItem.objects.filter(application_id=loan.application_id).select_related(
        "pledgor"
    )
    numbers = dict(PledgeAgreement.objects.filter(item__in=items).values_list("item_id", "number"))
    return tuple(
        CollateralLine(
            kind_label=Kind(item.kind).label,
            description=item.description,
            pledgor=Party(
                name=item.pledgor.name,
                identifier=_shown(item.pledgor.identifier, show_identifiers),
                is_legal_entity=item.pledgor.is_legal_entity,
            ),
            pledge_number=numbers.get(item.pk, ""),
        )
        for item in items.order_by("id")
    )


def _guarantees(loan: Loan, *, show_identifiers: bool) -> tuple[GuaranteeLine, ...]:
    return tuple(
        GuaranteeLine(
            guarantor=Party(
                name=guarantee.guarantor_name,
                identifier=_shown(guarantee.identifier, show_identifiers),
                is_legal_entity=guarantee.is_legal_entity,
            ),
            amount=guarantee.amount,
            joint_and_several=guarantee.joint_and_several,
        )
        for guarantee in Guarantee.objects.filter(application_id=loan.application_id).order_by("id")
    )


def contract_context(
    loan: Loan, *, show_identifiers: bool = True, show_contacts: bool = True
) -> ContractDocument:
    return ContractDocument(
        number=loan.number,
        contract_date=loan.contract_date,
        branch=loan.branch,
        mfo=mfo_party(),
        borrower=borrower_party(
            loan, show_identifiers=show_identifiers, show_contacts=show_contacts
        ),
        product=loan.product,
        purpose=Purpose(loan.purpose).label,
        amount=loan.amount,
        annual_rate=loan.annual_rate,
        term_months=loan.term_months,
        method=loan.method,
        grace_months=loan.grace_months,
        day_count=loan.day_count,
        gesv=loan.gesv,
        gesv_cap=loan.gesv_cap,
        planned_disbursement_date=loan.planned_disbursement_date,
        disbursed_on=loan.disbursed_on,
        signed_on=loan.signed_on,
        is_draft=loan.status == Loan.Status.DRAFT,
        penalty_rate_daily=loan.penalty_rate_daily,
        penalty_year_cap=loan.penalty_year_cap,
        penalty_stop_days=loan.penalty_stop_days,
        stops_all_interest=loan.overdue_stop_scope == OverdueStop.PENALTY_AND_INTEREST,
        collateral=_collateral(loan, show_identifiers=show_identifiers),
        guarantees=_guarantees(loan, show_identifiers=show_identifiers),
        schedule=_schedule(loan),
    )


def applied_split(payment: Payment) -> AppliedSplit:
    """The payment's ledger entries summed by component; money moved from a closed contract
    to the borrower's active one is shown as applied there (DOMAIN.md §9)."""
    applied = Payment.objects.filter(moved_from=payment).first() or payment
    rows = applied.entries.values("component").annotate(total=Sum("amount")).order_by()
    parts = {row["component"]: -row["total"] for row in rows}
    return AppliedSplit(
        principal=parts.get(Component.PRINCIPAL, ZERO),
        interest=parts.get(Component.INTEREST, ZERO),
        penalty=parts.get(Component.PENALTY, ZERO),
        held=parts.get(Component.HELD, ZERO),
    )


def receipt_context(payment: Payment, *, show_identifiers: bool = True) -> ReceiptDocument:
    loan = payment.loan
    moved = Payment.objects.filter(moved_from=payment).select_related("loan").first()
    cashier = payment.received_by
    return ReceiptDocument(
        number=str(payment.pk),
        issued_on=timezone.localdate(payment.received_at),
        mfo=mfo_party(),
        loan_number=loan.number,
        borrower=borrower_party(loan, show_identifiers=show_identifiers),
        payer=payment.payer or loan.borrower.name,
        amount=payment.amount,
        value_date=payment.value_date,
        channel=payment.channel,
        reference=payment.reference,
        split=applied_split(payment),
        moved_to_loan=moved.loan.number if moved else "",
        received_by=cashier.get_full_name() or cashier.get_username(),
    )


# --- rendering ----------------------------------------------------------------------------


def _render(template: str, name: str, document, *, language: str) -> bytes:
    if language not in DOCUMENT_LANGUAGES:
        raise ValueError(f"documents are written in {DOCUMENT_LANGUAGES}, not {language!r}")
    context = {name: document, "kk": language == "kk", "printed_at": timezone.localtime()}
    return render_pdf(TEMPLATES + template, context, language=language)


def contract_pdf(
    loan: Loan, *, language: str, show_identifiers: bool = True, show_contacts: bool = True
) -> Printed:
    document = contract_context(
        loan, show_identifiers=show_identifiers, show_contacts=show_contacts
    )
    return Printed(
        pdf=_render("contract.html", "contract", document, language=language),
        number=document.number,
        filename=f"contract-{document.number}-{language}.pdf",
    )


def receipt_pdf(payment: Payment, *, language: str, show_identifiers: bool = True) -> Printed:
    document = receipt_context(payment, show_identifiers=show_identifiers)
    return Printed(
        pdf=_render("receipt.html", "receipt", document, language=language),
        number=document.number,
        filename=f"receipt-{document.number}-{language}.pdf",
    )
