"""Whose files a user may see when the MFO works through branches (issue 9, item 4).

The one place that decides it. A user assigned to a branch (``loans.BranchStaff``, set in the
admin) sees only that branch's files, whatever the role; a user with no branch works at head
office and sees every branch, so an MFO that assigns nobody sees nothing change. A branch
system's API token acts as its user, so a token's user with a branch is scoped the same way.
An integration account (the branch-system role) is the exception (issue 15, item 4): with no
branch it sees nothing at all, unless it holds the all-branches grant (the group
``ALL_BRANCHES_GROUP``) that ``manage.py create_branch_token --all-branches`` gives the head
office's own integration, on the record of the audit trail.

What a branch B sees:

- a **loan** booked at B (``Loan.branch``, chosen when the contract is drawn);
- an **application** registered at B (``Application.branch``, the registering user's branch)
  or whose loan is booked at B;
- an **applicant** registered at B (``Applicant.branch``), or with an application or a loan B
  sees: a borrower known at several branches is seen by each of them;
- a **correction of an applicant's identity** through its applicant;
- a **collateral item** or a **guarantee** through its application, a committee **agenda item**
  through its application; a **payment**, **demand** or **change of terms** through its loan.

Lists show only what the user sees (``visible_*``); a page or an endpoint that opens one file
by its id answers 404 for a file of another branch, as if it did not exist (``ROUTES``, checked
for every page by ``BranchScopeMiddleware`` and for every API call by ``BranchScope``); an API
input naming another branch's file by its id is refused as an unknown id (``require_visible``).

New applicants and applications are registered at the user's branch (head office may choose
one for an application). A borrower known at another branch is taken on by registering an
application for them by their whole IIN/BIN on the page, which one who does not know it cannot
do; the API names the applicant by id, so there only an applicant the user already sees.

Not scoped, on purpose (``UNSCOPED``): the committee's meetings and minutes (the committee
decides for the whole MFO), the prudential and risk pages (figures of the whole MFO) and the
audit trail (administrators).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.relations import PrimaryKeyRelatedField

from core.errors import NotPermittedError
from core.roles import Role, has_role

_UNSET = object()

# The grant that lets an integration account with no branch see every branch: a group, not a
# role (it widens what the branch-system role sees, it allows nothing more).
ALL_BRANCHES_GROUP = "integration_all_branches"


def user_branch(user):
    """The branch the user works at, or None at head office (cached on the user object)."""
    if not getattr(user, "is_authenticated", False):
        return None
    cached = getattr(user, "_mfo_branch", _UNSET)
    if cached is _UNSET:
        from loans.models import BranchStaff

        staff = BranchStaff.objects.select_related("branch").filter(user=user).first()
        cached = staff.branch if staff else None
        user._mfo_branch = cached
    return cached


def holds_all_branches_grant(user) -> bool:
    """Whether the user holds ``ALL_BRANCHES_GROUP`` (cached on the user object)."""
    cached = getattr(user, "_mfo_all_branches", None)
    if cached is None:
        cached = user.groups.filter(name=ALL_BRANCHES_GROUP).exists()
        user._mfo_all_branches = cached
    return cached


def sees_every_branch(user) -> bool:
    """Head office: a user with no branch, but an integration account only with the grant."""
    if user_branch(user) is not None:
        return False
    if not has_role(user, {Role.BRANCH_SYSTEM}):
        return True
    return holds_all_branches_grant(user)


def sees_no_branch(user) -> bool:
    """An integration account with neither a branch nor the all-branches grant."""
    return user_branch(user) is None and not sees_every_branch(user)


def default_branch(user):
    """The branch a new applicant or application of this user is registered at."""
    if sees_no_branch(user):  # it would register files that nobody's branch owns
        raise NotPermittedError(
            _("This integration account has no branch: ask an administrator to assign one."),
            code="no_branch",
        )
    return user_branch(user)


# --- what a branch sees: conditions on a model reached through ``prefix`` --------------------


def loan_condition(branch, prefix: str = "") -> Q:
    return Q(**{f"{prefix}branch": branch})


def application_condition(branch, prefix: str = "") -> Q:
    return Q(**{f"{prefix}branch": branch}) | Q(**{f"{prefix}loan__branch": branch})


def applicant_condition(branch, prefix: str = "") -> Q:
    from applications.models import Application
    from loans.models import Loan

    applications = Application.objects.filter(application_condition(branch))
    loans = Loan.objects.filter(loan_condition(branch))
    return (
        Q(**{f"{prefix}branch": branch})
        | Q(**{f"{prefix}pk__in": applications.values("applicant_id")})
        | Q(**{f"{prefix}pk__in": loans.values("borrower_id")})
    )


def _scoped(user, queryset: QuerySet, condition: Callable[..., Q], prefix: str = "") -> QuerySet:
    branch = user_branch(user)
    if branch is not None:
        return queryset.filter(condition(branch, prefix))
    return queryset if sees_every_branch(user) else queryset.none()


def visible_loans(user, loans: QuerySet | None = None) -> QuerySet:
    from loans.models import Loan

    return _scoped(user, Loan.objects.all() if loans is None else loans, loan_condition)


def visible_applications(user, applications: QuerySet | None = None) -> QuerySet:
    from applications.models import Application

    queryset = Application.objects.all() if applications is None else applications
    return _scoped(user, queryset, application_condition)


def visible_applicants(user, applicants: QuerySet | None = None) -> QuerySet:
    from applications.models import Applicant

    queryset = Applicant.objects.all() if applicants is None else applicants
    return _scoped(user, queryset, applicant_condition)


def choices_seen_by(visible: Callable[..., QuerySet]) -> Callable:
    """The ``queryset`` of a list filter naming a file by id (django-filter calls it with the
    request): only what the user sees, so another branch's id is as unknown as a wrong one."""

    def queryset(request) -> QuerySet:
        user = getattr(request, "user", None)
        return visible(user) if user is not None else visible(None).none()

    return queryset


def visible_collateral_items(user, items: QuerySet | None = None) -> QuerySet:
    from collateral.models import CollateralItem

    queryset = CollateralItem.objects.all() if items is None else items
    return _scoped(user, queryset, application_condition, "application__")


def visible_guarantees(user, guarantees: QuerySet | None = None) -> QuerySet:
    from collateral.models import Guarantee

    queryset = Guarantee.objects.all() if guarantees is None else guarantees
    return _scoped(user, queryset, application_condition, "application__")


def visible_agenda_items(user, items: QuerySet | None = None) -> QuerySet:
    from applications.models import AgendaItem

    queryset = AgendaItem.objects.all() if items is None else items
    return _scoped(user, queryset, application_condition, "application__")


def visible_identity_corrections(user, corrections: QuerySet | None = None) -> QuerySet:
    """A correction of an applicant's identity, through its applicant."""
    from applications.models import IdentityCorrection

    queryset = IdentityCorrection.objects.all() if corrections is None else corrections
    return _scoped(user, queryset, applicant_condition, "applicant__")


def visible_by_loan(user, queryset: QuerySet) -> QuerySet:
    """Rows of a model with a ``loan`` (payments, demands, changes of terms, write-offs...)."""
    return _scoped(user, queryset, loan_condition, "loan__")


def _by_loan(model_path: str) -> Callable[[object], QuerySet]:
    def visible(user) -> QuerySet:
        from django.apps import apps

        return visible_by_loan(user, apps.get_model(model_path).objects.all())

    return visible


# The kinds of file a URL may name, each with what a user sees of it.
KINDS: dict[str, Callable[[object], QuerySet]] = {
    "applicant": visible_applicants,
    "application": visible_applications,
    "loan": visible_loans,
    "collateral_item": visible_collateral_items,
    "guarantee": visible_guarantees,
    "agenda_item": visible_agenda_items,
    "identity_correction": visible_identity_corrections,
    "payment": _by_loan("loans.Payment"),
    "demand": _by_loan("loans.Demand"),
    "restructuring": _by_loan("loans.Restructuring"),
    "payout_account_change": _by_loan("loans.PayoutAccountChange"),
}


def is_visible(user, kind: str, pk) -> bool:
    if sees_every_branch(user):
        return True
    return KINDS[kind](user).filter(pk=pk).exists()


def get_visible_or_404(user, kind: str, pk) -> None:
    if not is_visible(user, kind, pk):
        raise Http404


def require_visible(user, kind: str, obj, *, field: str) -> None:
    """For an API input naming a file by its id: another branch's answers as a missing id."""
    if obj is not None and not is_visible(user, kind, obj.pk):
        message = PrimaryKeyRelatedField.default_error_messages["does_not_exist"]
        raise ValidationError(
            {field: [ErrorDetail(str(message).format(pk_value=obj.pk), code="does_not_exist")]}
        )


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
