"""Browser pages for paying a loan to an account other than the contract's (four eyes): the
accountant's request, and the list where a second person approves or rejects it.

The disbursement and refund pages show the contract's account and the approved ones through
``loans.payout_display``. One service call per POST; a refusal is shown with nothing written.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.payout_accounts import stored_account
from core.permissions import role_required
from core.roles import has_role
from loans import services
from loans.branches import visible_by_loan
from loans.changes_views import open_loan, refused, show_error, status_of
from loans.forms_operations import PayoutAccountChangeForm
from loans.models import PayoutAccountChange
from loans.payout_display import payout_context
from loans.roles import PAYOUT_ACCOUNT_APPROVE_ROLES, PAYOUT_ACCOUNT_REQUEST_ROLES
from loans.services.payout_accounts import PAYOUT_DUE

PAGE_ROLES = tuple(PAYOUT_ACCOUNT_REQUEST_ROLES | PAYOUT_ACCOUNT_APPROVE_ROLES)
DECIDED_SHOWN = 50
State = PayoutAccountChange.State


@role_required(*PAYOUT_ACCOUNT_REQUEST_ROLES)
def payout_account_change_new(request, pk: int):
    loan = open_loan(pk)
    if loan.status not in PAYOUT_DUE:
        return refused(
            request,
            loan,
            _("No payout is due on this loan: it is %(status)s.")
            % {"status": loan.get_status_display()},
        )
    form = PayoutAccountChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.payout_account_change_request(
                loan_id=loan.pk, **form.cleaned_data, by=request.user
            )
        except DomainError as error:
            show_error(form, error)
        else:
            messages.success(
                request,
                _(
                    "The request is recorded; a second person approves the account before "
                    "it is paid."
                ),
            )
            return redirect("servicing:payout-account-changes")
    return render(
        request,
        "loans/operations/payout_account_change_form.html",
        {"form": form, "loan": loan, **payout_context(loan, request.user)},
        status=status_of(form),
    )


def _rows(user) -> dict:
    changes = visible_by_loan(
        user,
        PayoutAccountChange.objects.select_related("loan", "requested_by", "decided_by"),
    )
    may_decide = has_role(user, PAYOUT_ACCOUNT_APPROVE_ROLES)

    def row(change: PayoutAccountChange) -> dict:
        return {
            "change": change,
            "account": stored_account(change.account).shown,
            "may_decide": may_decide
            and change.state == State.REQUESTED
            and change.requested_by_id != user.pk,
        }

    waiting = changes.filter(state=State.REQUESTED).order_by("requested_at", "id")
    decided = changes.exclude(state=State.REQUESTED).order_by("-decided_at", "-id")
    return {
        "waiting": [row(change) for change in waiting],
        "decided": [row(change) for change in decided[:DECIDED_SHOWN]],
    }


@role_required(*PAGE_ROLES)
def payout_account_changes_page(request, *, error: DomainError | None = None):
    return render(
        request,
        "loans/operations/payout_account_changes.html",
        {**_rows(request.user), "error": error.message if error else ""},
        status=error.http_status if error else 200,
    )


@role_required(*PAYOUT_ACCOUNT_APPROVE_ROLES)
def payout_account_change_decide(request, pk: int):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    change = get_object_or_404(visible_by_loan(request.user, PayoutAccountChange.objects), pk=pk)
    decide = {
        "approve": services.payout_account_change_approve,
        "reject": services.payout_account_change_reject,
    }.get(request.POST.get("decision", ""))
    if decide is None:
        error = DomainError(_("Approve or reject the request."), field="decision")
        return payout_account_changes_page(request, error=error)
    try:
        decided = decide(change_id=change.pk, by=request.user)
    except DomainError as error:
        return payout_account_changes_page(request, error=error)
    if decided.state == State.APPROVED:
        text = _("The account is approved for contract %(number)s; its next payout may go there.")
    else:
        text = _("The account is rejected for contract %(number)s.")
    messages.success(request, text % {"number": change.loan.number})
    return redirect("servicing:payout-account-changes")
