"""Every page and endpoint that names a file by its id, and the check that a branch's staff
open only their branch's files (who sees what: ``core.branches``; what each app's files are
seen through: ``applications.branches``, ``collateral.branches``, ``loans.branches``).

The shell holds the table because it spans every app's URL names; ``BranchScopeMiddleware``
checks it for every page before its view runs, ``BranchScope`` for every API call.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import QuerySet
from rest_framework.permissions import BasePermission

from applications.branches import (
    visible_agenda_items,
    visible_applicants,
    visible_applications,
    visible_identity_corrections,
)
from collateral.branches import visible_collateral_items, visible_guarantees
from core.branches import get_visible_or_404, sees_every_branch
from loans.branches import visible_by_loan, visible_loans
from loans.models import Demand, Payment, PayoutAccountChange, Restructuring


def _by_loan(model) -> Callable[[object], QuerySet]:
    def visible(user) -> QuerySet:
        return visible_by_loan(user, model.objects.all())

    return visible


# The kinds of file a URL may name, each with what a user sees of it (registered in
# ``core.branches`` by ``ShellConfig.ready``, for ``require_visible``).
KINDS: dict[str, Callable[[object], QuerySet]] = {
    "applicant": visible_applicants,
    "application": visible_applications,
    "loan": visible_loans,
    "collateral_item": visible_collateral_items,
    "guarantee": visible_guarantees,
    "agenda_item": visible_agenda_items,
    "identity_correction": visible_identity_corrections,
    "payment": _by_loan(Payment),
    "demand": _by_loan(Demand),
    "restructuring": _by_loan(Restructuring),
    "payout_account_change": _by_loan(PayoutAccountChange),
}


# --- every page and endpoint that names a file by its id ---------------------------------------

# url name -> {url keyword: kind}. tests/security/test_branch_scope.py fails for any route with an
# id that is neither here nor in UNSCOPED, so a new page cannot forget the branches.
ROUTES: dict[str, dict[str, str]] = {
    # applicants and applications (pages)
    "applications:applicant-detail": {"pk": "applicant"},
    "applications:applicant-edit": {"pk": "applicant"},
    "applications:representative-add": {"pk": "applicant"},
    "applications:identity-correction-request": {"pk": "applicant"},
    "applications:identity-correction-approve": {"pk": "identity_correction"},
    "applications:identity-correction-reject": {"pk": "identity_correction"},
    **{
        f"applications:{name}": {"pk": "application"}
        for name in (
            "application-detail",
            "application-advance",
            "application-refuse",
            "application-withdraw",
            "application-answer",
            "document-receive",
            "document-missing",
            "document-file",
            "debt-burden-assess",
            "conclusion-record",
        )
    },
    # the committee's work on one application
    "committee:agenda-add": {"application_id": "application"},
    "committee:item": {"pk": "agenda_item"},
    "committee:item-vote": {"pk": "agenda_item"},
    "committee:item-conflict": {"pk": "agenda_item"},
    "committee:item-decide": {"pk": "agenda_item"},
    # collateral (pages and printed documents)
    "collateral:application": {"application_id": "application"},
    "collateral:item-create": {"application_id": "application"},
    "collateral:guarantee-add": {"application_id": "application"},
    **{
        f"collateral:{name}": {"pk": "collateral_item"}
        for name in (
            "item",
            "title-document-add",
            "appraisal-record",
            "pledge-register",
            "insurance-add",
            "item-release",
            "inspection-create",
            "payout-create",
        )
    },
    "collateral-documents:pledge-agreement": {"pk": "collateral_item"},
    "collateral-documents:guarantee-agreement": {"pk": "guarantee"},
    "collateral-documents:release-receipt": {"pk": "collateral_item"},
    "collateral-documents:encumbrance-letter": {"pk": "collateral_item"},
    # loans (pages and printed documents)
    "portfolio:loan": {"pk": "loan"},
    "servicing:contract-create": {"application_id": "application"},
    "servicing:contract-sign": {"pk": "loan"},
    "servicing:disburse": {"pk": "loan"},
    "servicing:payout-account-change-new": {"pk": "loan"},
    "servicing:payout-account-change-decide": {"pk": "payout_account_change"},
    "servicing:payment-new": {"pk": "loan"},
    "servicing:contact-new": {"pk": "loan"},
    "loan-documents:contract": {"loan_id": "loan"},
    "loan-documents:receipt": {"payment_id": "payment"},
    "loan-documents:agreement": {"loan_id": "loan"},
    "loan-documents:demand": {"demand_id": "demand"},
    "loan-documents:payoff": {"loan_id": "loan"},
    **{
        f"loan-changes:{name}": {"pk": "loan"}
        for name in (
            "prepayment",
            "restructuring-new",
            "version",
            "demand-acceleration",
            "demand-misuse",
            "write-off",
            "close",
            "refund",
        )
    },
    "loan-changes:restructuring-agenda": {"pk": "restructuring"},
    "loan-changes:restructuring-apply": {"pk": "restructuring"},
    # the API
    "api-applicant-detail": {"pk": "applicant"},
    "api-applicant-representatives": {"pk": "applicant"},
    **{
        f"api-identity-correction-{name}": {"pk": "identity_correction"}
        for name in ("detail", "approve", "reject")
    },
    **{
        f"api-application-{name}": {"pk": "application"}
        for name in (
            "detail",
            "advance",
            "answer",
            "conclusions",
            "debt-burden",
            "decision",
            "documents",
            "refuse",
            "withdraw",
        )
    },
    **{
        f"api-collateral-item-{name}": {"pk": "collateral_item"}
        for name in (
            "detail",
            "appraisals",
            "encumbrance",
            "inspection-photos",
            "inspections",
            "insurance-payouts",
            "insurances",
            "release",
            "title-documents",
        )
    },
    **{
        f"api-loan-{name}": {"pk": "loan"}
        for name in (
            "detail",
            "contacts",
            "disburse",
            "ledger",
            "payments",
            "schedule",
            "sign",
            "snapshots",
        )
    },
    "api-loan-payment-reverse": {"pk": "loan", "payment_id": "payment"},
    "api-loan-payout-payout-account-changes": {"pk": "loan"},
    **{
        f"api-payout-account-change-{name}": {"pk": "payout_account_change"}
        for name in ("detail", "approve", "reject")
    },
    **{
        f"api-loan-changes-{name}": {"pk": "loan"}
        for name in (
            "close",
            "demands",
            "payoff",
            "prepayment-preview",
            "prepayments",
            "refunds",
            "restructurings",
            "schedule-version",
            "schedule-versions",
            "write-off",
        )
    },
    **{
        f"api-restructuring-{name}": {"pk": "restructuring"}
        for name in ("detail", "agenda", "apply", "preview")
    },
}

# Routes with an id that a branch does not own, and why.
_COMMITTEE = "a meeting of the committee, which decides for the whole MFO"
_PRUDENTIAL = "a figure or a plan of the whole MFO (prudential norms, risk)"
UNSCOPED: dict[str, str] = {
    "committee:meeting": _COMMITTEE,
    "committee:meeting-close": _COMMITTEE,
    "committee:minutes-pdf": _COMMITTEE,
    "risk-norms:group-edit": _PRUDENTIAL,
    "risk-norms:group-delete": _PRUDENTIAL,
    "risk:alert-acknowledge": _PRUDENTIAL,
    "risk:plan": _PRUDENTIAL,
    "risk:plan-action": _PRUDENTIAL,
    "risk:plan-pdf": _PRUDENTIAL,
    "risk:notice": _PRUDENTIAL,
    "risk:notice-send": _PRUDENTIAL,
    "risk:notice-pdf": _PRUDENTIAL,
    "risk:k1-run": _PRUDENTIAL,
    "risk:k1-loans-export": _PRUDENTIAL,
    "risk:k1-report": _PRUDENTIAL,
    "api-k1-run-detail": _PRUDENTIAL,
    "api-k1-run-loans": _PRUDENTIAL,
    "api-prudential-alert-acknowledge": _PRUDENTIAL,
    **{
        f"api-action-plan-{name}": _PRUDENTIAL
        for name in ("detail", "approve", "measures", "notes", "period", "submit")
    },
    "api-return-notice-sent": _PRUDENTIAL,
    "audit-event-detail": "the audit trail, read by administrators",
}


def check_route(user, resolver_match) -> None:
    """404 when the URL names a file of another branch than the user's."""
    kinds = ROUTES.get(resolver_match.view_name, {}) if resolver_match is not None else {}
    if not kinds or sees_every_branch(user):
        return
    for keyword, kind in kinds.items():
        value = resolver_match.kwargs.get(keyword)
        if value is not None:
            get_visible_or_404(user, kind, value)


class BranchScopeMiddleware:
    """Checks ``ROUTES`` for every page before its view runs (the API: ``BranchScope``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # an API view authenticates its own user (a token) and checks with ``BranchScope``
        if not hasattr(view_func, "cls"):
            check_route(getattr(request, "user", None), request.resolver_match)


class BranchScope(BasePermission):
    """The API's check of ``ROUTES``, once the token or session user is known."""

    def has_permission(self, request, view) -> bool:
        check_route(request.user, request.resolver_match)
        return True
