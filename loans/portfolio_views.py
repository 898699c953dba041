"""Browser pages for disbursed loans: the portfolio list and one loan's page (DOMAIN.md §8–§9).

Read only: the actions on a loan live in the servicing pages, linked from here. The list is
set-based (the snapshot figures come annotated by ``loans.selectors.portfolio``); opening a
loan's page is a view of a credit file, so it is logged (DOMAIN.md §14).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.paginator import Paginator
from django.db.models import Count, F, QuerySet, Sum
from django.http import Http404
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from collateral.domain.monitoring import value_drop_flag
from collateral.models import CollateralItem
from collateral.selectors import pledge_values, required_coverage
from core.audit import audit
from core.money import ZERO
from core.permissions import role_required
from core.privacy import Category, identifier_for, sees
from core.roles import Role, has_role
from loans.branches import visible_loans
from loans.domain.ledger import Component, Kind
from loans.domain.servicing import Bucket, LineState, bucket_of
from loans.ending_views import loan_changes
from loans.forms_portfolio import BUCKET_LABELS, PortfolioFilterForm
from loans.models import LedgerEntry, Loan
from loans.selectors import (
    current_installments,
    last_closed_date,
    latest_snapshot,
    loan_list,
    loan_position,
    portfolio,
    schedule_with_progress,
)

READ_ROLES = (
    Role.CREDIT_ADMINISTRATOR,
    Role.ACCOUNTANT,
    Role.MONITORING_MANAGER,
    Role.RISK_MANAGER,
    Role.COLLECTOR,
    Role.ADMINISTRATOR,
)
# Who may open a collateral item's own page (as ``collateral.views.common.READ_ROLES``).
COLLATERAL_ROLES = (
    Role.CREDIT_ADMINISTRATOR,
    Role.ADMINISTRATOR,
    Role.COMMITTEE_MEMBER,
    Role.MONITORING_MANAGER,
    Role.RISK_MANAGER,
)
PAGE_SIZE = 50
DOCUMENT_LANGUAGES = ("kk", "ru")
VIEWED = "loan.viewed"

LINE_STATE_LABELS = {
    LineState.PAID: _("Paid"),
    LineState.PARTLY_PAID: _("Partly paid"),
    LineState.OVERDUE: _("Overdue"),
    LineState.DUE: pgettext_lazy("instalment state", "Due"),
    LineState.NOT_DUE: _("Not yet due"),
}
KIND_LABELS = {
    Kind.DISBURSEMENT: _("Disbursement"),
    Kind.REPAYMENT: _("Repayment"),
    Kind.HELD_APPLIED: _("Held money applied"),
    Kind.INTEREST_ACCRUAL: _("Interest charged"),
    Kind.OVERDUE_INTEREST_ACCRUAL: _("Interest on overdue principal"),
    Kind.PENALTY_ACCRUAL: _("Penalty charged"),
    Kind.REFUND: _("Refund"),
    Kind.TRANSFER: _("Transfer between contracts"),
    Kind.WRITE_OFF: _("Write-off"),
    Kind.REVERSAL: _("Reversal"),
}
COMPONENT_LABELS = {
    Component.PRINCIPAL: _("Principal"),
    Component.INTEREST: _("Interest"),
    Component.PENALTY: _("Penalty"),
    Component.HELD: _("Held for the borrower"),
}


@dataclass(frozen=True)
class LoanAction:
    """A button on the loan page: a servicing page, for some roles, in some statuses."""

    label: str
    url_name: str
    roles: frozenset[Role]
    statuses: frozenset[str]


# The servicing pages (namespace "servicing") check for themselves; these only hide buttons,
# with the roles of loans.operations_views and loans.collection_views.
LOAN_ACTIONS: tuple[LoanAction, ...] = (
    LoanAction(
        _("Sign the contract"),
        "servicing:contract-sign",
        frozenset({Role.CREDIT_ADMINISTRATOR, Role.ADMINISTRATOR}),
        frozenset({Loan.Status.DRAFT}),
    ),
    LoanAction(
        _("Disburse"),
        "servicing:disburse",
        frozenset({Role.ACCOUNTANT}),  # the service refuses anyone else
        frozenset({Loan.Status.SIGNED}),
    ),
    LoanAction(
        _("Post a payment"),
        "servicing:payment-new",
        frozenset({Role.ACCOUNTANT, Role.ADMINISTRATOR}),
        # a payment on a closed contract moves to the borrower's active one (DOMAIN.md §9)
        frozenset({Loan.Status.ACTIVE, Loan.Status.CLOSED}),
    ),
    LoanAction(
        _("Record a contact"),
        "servicing:contact-new",
        frozenset({Role.COLLECTOR, Role.MONITORING_MANAGER, Role.ADMINISTRATOR}),
        frozenset({Loan.Status.ACTIVE}),
    ),
)


def url_or_blank(name: str, *args) -> str:
    """The URL of a page another part of the project may not have built yet; "" if not."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def document_url(kind: str, object_id: int, language: str) -> str:
    """Contract and receipt PDFs (``loans.document_urls``, under /loans/documents/)."""
    if kind == "receipt":
        url = url_or_blank("loan-documents:receipt", object_id, language)
        return url or f"/loans/documents/payments/{object_id}/receipt/{language}.pdf"
    url = url_or_blank("loan-documents:contract", object_id, language)
    return url or f"/loans/documents/{object_id}/contract/{language}.pdf"


# --- the portfolio --------------------------------------------------------------------------


@dataclass(frozen=True)
class PortfolioRow:
    """One loan of the portfolio as the list and the exports show it."""

    loan: Loan
    borrower: str
    identifier: str
    product: str
    branch: str
    officer: str
    status: str
    amount: Decimal
    principal: Decimal | None
    overdue_principal: Decimal | None
    overdue_interest: Decimal | None
    days_past_due: int | None
    bucket: Bucket | None

    @property
    def overdue(self) -> Decimal | None:
        if self.overdue_principal is None:
            return None
        return self.overdue_principal + (self.overdue_interest or ZERO)

    @property
    def bucket_label(self) -> str:
        return str(BUCKET_LABELS[self.bucket]) if self.bucket else ""


def officer_name(user) -> str:
    return user.get_full_name() or user.get_username()


def portfolio_rows(loans: Iterable[Loan], user) -> Iterator[PortfolioRow]:
    """Rows from loans annotated by ``portfolio`` (no query per row: all is selected)."""
    for loan in loans:
        days = loan.snap_days_past_due
        yield PortfolioRow(
            loan=loan,
            borrower=loan.borrower.name,
            identifier=identifier_for(user, loan.borrower.identifier),
            product=str(loan.product),
            branch=str(loan.branch),
            officer=officer_name(loan.officer),
            status=loan.get_status_display(),
            amount=loan.amount,
            principal=loan.snap_principal,
            overdue_principal=loan.snap_overdue_principal,
            overdue_interest=loan.snap_overdue_interest,
            days_past_due=days,
            bucket=bucket_of(days) if days is not None else None,
        )


def filtered_portfolio(form: PortfolioFilterForm, user) -> tuple[QuerySet[Loan], date | None]:
    """The loans the form's valid fields select among those the user sees, and the date of
    their figures (None before the first daily close: then no loan has figures, and a
    days-past-due filter finds none)."""
    form.is_valid()  # errors are shown beside the fields; the valid ones still filter
    on = form.snapshot_date() or last_closed_date()
    loans = visible_loans(user, portfolio(on=on, filters=form.filters()))
    # loans without figures for the date last, not first (PostgreSQL sorts NULL high)
    return loans.order_by(F("snap_days_past_due").desc(nulls_last=True), "number"), on


def portfolio_totals(loans: QuerySet[Loan]) -> dict:
    """Count, principal outstanding and overdue of the whole filtered set: one query."""
    totals = loans.aggregate(
        count=Count("pk"),
        principal=Sum("snap_principal"),
        overdue_principal=Sum("snap_overdue_principal"),
        overdue_interest=Sum("snap_overdue_interest"),
    )
    for name in ("principal", "overdue_principal", "overdue_interest"):
        totals[name] = totals[name] or ZERO
    totals["overdue"] = totals["overdue_principal"] + totals["overdue_interest"]
    return totals


@role_required(*READ_ROLES)
def portfolio_list(request):
    form = PortfolioFilterForm(request.GET)
    loans, on = filtered_portfolio(form, request.user)
    totals = portfolio_totals(loans)
    paginator = Paginator(loans, PAGE_SIZE)
    paginator.count = totals["count"]  # known from the totals: no second COUNT query
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "loans/portfolio/list.html",
        {
            "form": form,
            "on": on,
            "page": page,
            "rows": list(portfolio_rows(page, request.user)),
            "totals": totals,
            "query": query.urlencode(),
            "personal": sees(request.user, Category.IDENTIFIER),
        },
    )


# --- one loan -------------------------------------------------------------------------------


def _open_loan(request, pk: int) -> Loan:
    """Open a loan's file; every opening is logged (DOMAIN.md §14)."""
    try:
        loan = loan_list().select_related("application", "signed_by", "disbursed_by").get(pk=pk)
    except Loan.DoesNotExist as exc:
        raise Http404 from exc
    audit(loan, VIEWED, by=request.user)
    return loan


def _schedule(loan: Loan, on: date) -> list[dict]:
    if loan.disbursed_on is None:
        # before disbursement nothing is owed yet, so no line is paid or late
        return [
            {"line": line, "paid": None, "overdue": None, "state": None, "state_label": ""}
            for line in current_installments(loan)
        ]
    rows = []
    for line, progress in schedule_with_progress(loan, on=on):
        paid = progress.principal_paid + progress.interest_paid
        rows.append(
            {
                "line": line,
                "paid": paid,
                "overdue": line.total - paid if progress.state is LineState.OVERDUE else None,
                "state": progress.state.value,
                "state_label": LINE_STATE_LABELS[progress.state],
            }
        )
    return rows


# A loan serviced for years by a daily payer has thousands of entries: the page shows the
# latest ones, so that its cost does not grow with the loan's age (?all=ledger shows them all;
# the API pages the whole history).
LOAN_PAGE_ROWS = 100


@dataclass(frozen=True)
class Latest:
    """The latest rows of a long list, in the list's order, and how many there are in all."""

    rows: list[dict]
    total: int

    @property
    def cut(self) -> bool:
        return len(self.rows) < self.total


def _ledger(loan: Loan, *, everything: bool) -> Latest:
    entries = LedgerEntry.objects.filter(loan=loan)
    latest = entries.order_by("-value_date", "-id")
    shown = list(latest if everything else latest[:LOAN_PAGE_ROWS])[::-1]
    reversed_by = dict(
        entries.filter(reverses_id__in=[entry.pk for entry in shown]).values_list(
            "reverses_id", "pk"
        )
    )
    rows = [
        {
            "entry": entry,
            "kind": KIND_LABELS.get(Kind(entry.kind), entry.kind),
            "component": COMPONENT_LABELS.get(Component(entry.component), entry.component),
            "reversed_by": reversed_by.get(entry.pk),
        }
        for entry in shown
    ]
    return Latest(rows, len(rows) if everything else entries.count())


def _payments(loan: Loan, *, everything: bool) -> Latest:
    payments = loan.payments.select_related("received_by").order_by("-value_date", "-id")
    shown = list(payments if everything else payments[:LOAN_PAGE_ROWS])
    rows = [
        {
            "payment": payment,
            "receipts": [
                (language, document_url("receipt", payment.pk, language))
                for language in DOCUMENT_LANGUAGES
            ],
        }
        for payment in shown
    ]
    return Latest(rows, len(rows) if everything else loan.payments.count())


# Who prints the release receipt and the encumbrance letter (collateral.document_views.PRINTERS).
RELEASE_PRINTERS = frozenset(
    {Role.CREDIT_ADMINISTRATOR, Role.ADMINISTRATOR, Role.MONITORING_MANAGER}
)


def _collateral(loan: Loan, user, principal: Decimal) -> dict:
    application = loan.application
    items = [
        {
            "item": item,
            "pledgor_identifier": identifier_for(user, item.pledgor.identifier),
            "pledge": getattr(item, "pledge", None),
        }
        for item in CollateralItem.objects.filter(application=application)
        .select_related("pledgor", "pledge")
        .order_by("pk")
    ]
    value_drop = None
    if items and principal > 0:
        values = pledge_values(application)
        if values:
            value_drop = value_drop_flag(values, principal, required_coverage(application))
    return {
        "items": items,
        "value_drop": value_drop,
        "coverage": _percent(value_drop.coverage) if value_drop else None,
        "required": _percent(value_drop.required) if value_drop else None,
        "can_open": has_role(user, COLLATERAL_ROLES),
        # at closure the originals go back against a receipt, with a letter lifting the pledge
        "release_due": loan.status == Loan.Status.CLOSED,
        "can_print_release": has_role(user, RELEASE_PRINTERS),
    }


def _percent(ratio: Decimal) -> Decimal:
    return (ratio * 100).quantize(Decimal("0.01"))


def _actions(loan: Loan, user) -> list[tuple[str, str]]:
    shown = []
    for action in LOAN_ACTIONS:
        if loan.status in action.statuses and has_role(user, action.roles):
            url = url_or_blank(action.url_name, loan.pk)
            if url:
                shown.append((action.label, url))
    return shown


@role_required(*READ_ROLES)
def loan_detail(request, pk: int):
    loan = _open_loan(request, pk)
    user = request.user
    position = loan_position(loan)
    snapshot = latest_snapshot(loan)
    # the schedule's states as of the last closed business day, like the snapshot's figures
    on = last_closed_date() or timezone.localdate()
    return render(
        request,
        "loans/portfolio/loan.html",
        {
            "loan": loan,
            "identifier": identifier_for(user, loan.borrower.identifier),
            "officer": officer_name(loan.officer),
            "position": position,
            "snapshot": snapshot,
            "bucket_label": BUCKET_LABELS[bucket_of(snapshot.days_past_due)] if snapshot else "",
            "schedule_on": on,
            "schedule": _schedule(loan, on),
            "ledger": _ledger(loan, everything=request.GET.get("all") == "ledger"),
            "payments": _payments(loan, everything=request.GET.get("all") == "payments"),
            "contracts": [
                (language, document_url("contract", loan.pk, language))
                for language in DOCUMENT_LANGUAGES
            ],
            "collateral": _collateral(loan, user, position.principal),
            "contacts": loan.contacts.select_related("recorded_by"),
            "actions": _actions(loan, user),
            # payoff, schedule versions, changes of terms, demands, write-off, refunds
            "changes": loan_changes(request, loan),
        },
    )
