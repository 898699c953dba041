"""The documents of a loan's life after disbursement, in Kazakh and Russian.

DOMAIN.md §7–§9, §14: the additional agreement that a partial prepayment or a change of terms
needs, with the new schedule as its annex and the recalculated GESV; the written demand for
early repayment (more than 40 days late, or a targeted loan misused, with the 10 % fine); and
the payoff statement of what closes the loan on a date. As in ``loans.documents``, each context
is plain values read once and the legal text lives in the templates, one per language.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import timezone

from applications.models import AgendaItem
from core.models import Branch
from core.money import ZERO
from core.pdf import Party, Printed, mfo_party, person_label, render_pdf
from core.regulation import regulatory_value
from loans.documents import (
    DOCUMENT_LANGUAGES,
    TEMPLATES,
    Borrower,
    Schedule,
    ScheduleRow,
    borrower_party,
)
from loans.domain.prepayment import PayoffQuote
from loans.models import Demand, Installment, Loan, ScheduleVersion

Reason = ScheduleVersion.Reason
AGREEMENT_REASONS = (Reason.PARTIAL_PREPAYMENT, Reason.RESTRUCTURING)


@dataclass(frozen=True)
class LoanTerms:
    """The terms of the schedule still to be repaid, before or after a change."""

    principal: Decimal  # scheduled to be repaid from the change
    annual_rate: Decimal
    method: str
    grace_months: int
    instalments: int
    payment: Decimal  # the level payment, or the largest one where payments vary
    level_payment: bool
    last_due_date: date | None
    gesv: Decimal | None


@dataclass(frozen=True)
class PrepaymentFacts:
    application_number: str
    applied_on: date
    on: date
    amount: Decimal
    mode: str
    due_paid: Decimal
    interest_paid: Decimal
    principal_paid: Decimal


@dataclass(frozen=True)
class RestructuringFacts:
    number: str
    requested_on: date
    reason: str
    consent_to_higher_rate: bool
    decided_on: date | None  # the meeting's date: the committee decides at its meeting
    meeting_number: str


@dataclass(frozen=True)
class AgreementDocument:
    number: str  # the agreement's sequence number on the contract
    agreement_date: date
    version: int
    reason: str
    branch: Branch
    mfo: Party
    borrower: Borrower
    contract_number: str
    contract_date: date
    effective_on: date
    prepayment: PrepaymentFacts | None
    restructuring: RestructuringFacts | None
    before: LoanTerms
    after: LoanTerms
    gesv: Decimal | None
    schedule: Schedule

    @property
    def printed_number(self) -> str:
        return f"{self.contract_number}/{self.number}"


@dataclass(frozen=True)
class DemandDocument:
    number: str
    kind: str
    issued_on: date
    pay_by: date
    branch: Branch
    mfo: Party
    borrower: Borrower
    contract_number: str
    contract_date: date
    loan_amount: Decimal
    days_past_due: int
    principal: Decimal
    interest: Decimal
    penalty: Decimal
    misused_amount: Decimal
    fine: Decimal
    fine_percent: Decimal
    details: str
    total: Decimal
    issued_by: str


@dataclass(frozen=True)
class PayoffDocument:
    on: date
    issued_on: date
    branch: Branch
    mfo: Party
    borrower: Borrower
    contract_number: str
    contract_date: date
    loan_amount: Decimal
    disbursed_on: date
    annual_rate: Decimal
    principal: Decimal
    interest: Decimal
    overdue: Decimal
    penalties: Decimal
    held: Decimal
    total: Decimal
    to_pay: Decimal

    @property
    def printed_number(self) -> str:
        return f"{self.contract_number}/{self.on:%Y%m%d}"


# --- reading ------------------------------------------------------------------------------


def agreement_version(loan: Loan, version: int) -> ScheduleVersion:
    """The schedule version an additional agreement was signed for; DoesNotExist otherwise."""
    return ScheduleVersion.objects.select_related("prepayment", "restructuring", "created_by").get(
        loan=loan, version=version, reason__in=AGREEMENT_REASONS
    )


def _schedule(rows: list[Installment]) -> Schedule:
    lines = tuple(
        ScheduleRow(
            number=index,
            due_date=row.due_date,
            principal=row.principal,
            interest=row.interest,
            total=row.total,
            balance=row.balance,
        )
        for index, row in enumerate(rows, start=1)
    )
    return Schedule(
        rows=lines,
        principal=sum((line.principal for line in lines), ZERO),
        interest=sum((line.interest for line in lines), ZERO),
        total=sum((line.total for line in lines), ZERO),
    )


def _terms(version: ScheduleVersion, rows: list[Installment], principal: Decimal) -> LoanTerms:
    level = version.payment is not None and version.method == "annuity"
    return LoanTerms(
        principal=principal,
        annual_rate=version.annual_rate,
        method=version.method,
        grace_months=version.grace_months,
        instalments=len(rows),
        payment=version.payment if level else max((row.total for row in rows), default=ZERO),
        level_payment=level,
        last_due_date=rows[-1].due_date if rows else None,
        gesv=version.gesv,
    )


def _before(loan: Loan, version: ScheduleVersion) -> LoanTerms:
    """The previous version's instalments the change replaced: those after a prepayment's
    date, or from a change of terms' date on (loans.services.prepayment, .restructuring)."""
    previous = (
        ScheduleVersion.objects.filter(loan=loan, version__lt=version.version)
        .order_by("-version")
        .first()
    )
    rows = loan.installments.filter(version=previous.version).order_by("number")
    if version.reason == Reason.PARTIAL_PREPAYMENT:
        rows = rows.filter(due_date__gt=version.effective_on)
    else:
        rows = rows.filter(due_date__gte=version.effective_on)
    rows = list(rows)
    return _terms(previous, rows, sum((row.principal for row in rows), ZERO))


def _prepayment(version: ScheduleVersion) -> PrepaymentFacts | None:
    prepayment = getattr(version, "prepayment", None)
    if prepayment is None:
        return None
    return PrepaymentFacts(
        application_number=prepayment.application_number,
        applied_on=prepayment.applied_on,
        on=prepayment.on,
        amount=prepayment.amount,
        mode=prepayment.mode,
        due_paid=prepayment.due_paid,
        interest_paid=prepayment.interest_paid,
        principal_paid=prepayment.principal_paid,
    )


def _local_date(moment) -> date | None:
    return timezone.localdate(moment) if moment else None


def _restructuring(version: ScheduleVersion) -> RestructuringFacts | None:
    request = getattr(version, "restructuring", None)
    if request is None:
        return None
    item = (
        AgendaItem.objects.filter(restructuring=request)
        .select_related("meeting")
        .order_by("-meeting__held_on", "-pk")
        .first()
    )
    return RestructuringFacts(
        number=request.number,
        requested_on=request.requested_on,
        reason=request.reason,
        consent_to_higher_rate=request.consent_to_higher_rate,
        decided_on=item.meeting.held_on if item else _local_date(request.decided_at),
        meeting_number=item.meeting.number if item else "",
    )


def agreement_context(
    loan: Loan,
    version: ScheduleVersion,
    *,
    show_identifiers: bool = True,
    show_contacts: bool = True,
) -> AgreementDocument:
    rows = list(
        loan.installments.filter(
            version=version.version, number__gt=version.history_lines
        ).order_by("number")
    )
    sequence = ScheduleVersion.objects.filter(
        loan=loan, reason__in=AGREEMENT_REASONS, version__lte=version.version
    ).count()
    return AgreementDocument(
        number=str(sequence),
        agreement_date=version.effective_on,
        version=version.version,
        reason=version.reason,
        branch=loan.branch,
        mfo=mfo_party(),
        borrower=borrower_party(
            loan, show_identifiers=show_identifiers, show_contacts=show_contacts
        ),
        contract_number=loan.number,
        contract_date=loan.contract_date,
        effective_on=version.effective_on,
        prepayment=_prepayment(version),
        restructuring=_restructuring(version),
        before=_before(loan, version),
        after=_terms(version, rows, version.amount),
        gesv=version.gesv,
        schedule=_schedule(rows),
    )


def demand_context(
    demand: Demand, *, show_identifiers: bool = True, show_contacts: bool = True
) -> DemandDocument:
    loan = demand.loan
    return DemandDocument(
        number=demand.number,
        kind=demand.kind,
        issued_on=demand.issued_on,
        pay_by=demand.pay_by,
        branch=loan.branch,
        mfo=mfo_party(),
        borrower=borrower_party(
            loan, show_identifiers=show_identifiers, show_contacts=show_contacts
        ),
        contract_number=loan.number,
        contract_date=loan.contract_date,
        loan_amount=loan.amount,
        days_past_due=demand.days_past_due,
        principal=demand.principal,
        interest=demand.interest,
        penalty=demand.penalty,
        misused_amount=demand.misused_amount,
        fine=demand.fine,
        fine_percent=(
            regulatory_value("misuse_fine", on=demand.issued_on)
            if demand.kind == Demand.Kind.MISUSE
            else ZERO
        ),
        details=demand.details,
        total=demand.total,
        issued_by=person_label(demand.issued_by),
    )


def payoff_context(
    loan: Loan, quote: PayoffQuote, *, show_identifiers: bool = True
) -> PayoffDocument:
    return PayoffDocument(
        on=quote.on,
        issued_on=timezone.localdate(),
        branch=loan.branch,
        mfo=mfo_party(),
        borrower=borrower_party(loan, show_identifiers=show_identifiers),
        contract_number=loan.number,
        contract_date=loan.contract_date,
        loan_amount=loan.amount,
        disbursed_on=loan.disbursed_on,
        annual_rate=loan.annual_rate,
        principal=quote.principal,
        interest=quote.interest,
        overdue=quote.overdue,
        penalties=quote.penalties,
        held=quote.held,
        total=quote.total,
        to_pay=quote.to_pay,
    )


# --- rendering ----------------------------------------------------------------------------


def _render(template: str, name: str, document, *, language: str) -> bytes:
    if language not in DOCUMENT_LANGUAGES:
        raise ValueError(f"documents are written in {DOCUMENT_LANGUAGES}, not {language!r}")
    context = {name: document, "kk": language == "kk", "printed_at": timezone.localtime()}
    return render_pdf(TEMPLATES + template, context, language=language)


def agreement_pdf(
    loan: Loan,
    version: ScheduleVersion,
    *,
    language: str,
    show_identifiers: bool = True,
    show_contacts: bool = True,
) -> Printed:
    document = agreement_context(
        loan, version, show_identifiers=show_identifiers, show_contacts=show_contacts
    )
    return Printed(
        pdf=_render("agreement.html", "agreement", document, language=language),
        number=document.printed_number,
        filename=f"agreement-{loan.number}-{document.number}-{language}.pdf",
    )


def demand_pdf(
    demand: Demand, *, language: str, show_identifiers: bool = True, show_contacts: bool = True
) -> Printed:
    document = demand_context(
        demand, show_identifiers=show_identifiers, show_contacts=show_contacts
    )
    return Printed(
        pdf=_render("demand.html", "demand", document, language=language),
        number=document.number,
        filename=f"demand-{document.number}-{language}.pdf",
    )


def payoff_pdf(
    loan: Loan, quote: PayoffQuote, *, language: str, show_identifiers: bool = True
) -> Printed:
    document = payoff_context(loan, quote, show_identifiers=show_identifiers)
    return Printed(
        pdf=_render("payoff.html", "payoff", document, language=language),
        number=document.printed_number,
        filename=f"payoff-{loan.number}-{quote.on:%Y-%m-%d}-{language}.pdf",
    )
