"""Paying a loan to an account other than the contract's, over the API (four eyes).

The accountant requests (``POST loans/{id}/payout-account-changes/``); another accountant or the
administrator approves or rejects (``POST payout-account-changes/{id}/approve/``); the
requester's own approval is refused (403, `own_request`). The disbursement and the refund then
name the approved account as their `payee_account` / `account`, once.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.schema import error_response
from loans import services
from loans.api.common import LIST_ACTION, READ_ERRORS, WRITE_ERRORS
from loans.api.payout_serializers import (
    PayoutAccountChangeInputSerializer,
    PayoutAccountChangeSerializer,
)
from loans.branches import visible_by_loan, visible_loans
from loans.models import Loan, PayoutAccountChange
from loans.roles import PAYOUT_ACCOUNT_APPROVE_ROLES, PAYOUT_ACCOUNT_REQUEST_ROLES
from loans.selectors import loan_list

READ_ROLES = PAYOUT_ACCOUNT_REQUEST_ROLES | PAYOUT_ACCOUNT_APPROVE_ROLES
REQUEST_ERRORS = {
    **WRITE_ERRORS,
    400: error_response(
        "An account that is not a valid Kazakhstan IBAN or card number (`errors.account`), the "
        "contract's own account, no source or no reason: `errors` names the field."
    ),
    404: READ_ERRORS[404],
    409: error_response("No payout is due: the loan is neither signed nor closed (`errors.loan`)."),
}
DECIDE_ERRORS = {
    403: error_response(
        "The role may not decide, or the request is the user's own (`errors.change`, code "
        "`own_request`): a second person decides."
    ),
    404: error_response("No such request."),
    409: error_response(
        "Already decided (`errors.state`), or no payout is due any more (`errors.loan`)."
    ),
}


def _changes():
    return PayoutAccountChange.objects.select_related("loan", "requested_by", "decided_by")


class LoanPayoutAccountViewSet(viewsets.GenericViewSet):
    """A loan's requests to pay to another account, under ``loans/{id}/``."""

    allowed_roles = READ_ROLES
    allowed_roles_by_action = {"post_payout_account_change": PAYOUT_ACCOUNT_REQUEST_ROLES}
    serializer_class = PayoutAccountChangeSerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Loan.objects.none()
        return visible_loans(self.request.user, loan_list())

    @extend_schema(responses={200: PayoutAccountChangeSerializer(many=True), **READ_ERRORS})
    @action(detail=True, methods=["get"], url_path="payout-account-changes", **LIST_ACTION)
    def payout_account_changes(self, request, pk=None):
        """The loan's requests to pay to another account, the latest first."""
        loan = self.get_object()
        page = self.paginate_queryset(_changes().filter(loan=loan).order_by("-requested_at", "-id"))
        body = PayoutAccountChangeSerializer(page, many=True, context=self.get_serializer_context())
        return self.get_paginated_response(body.data)

    @extend_schema(
        request=PayoutAccountChangeInputSerializer,
        responses={201: PayoutAccountChangeSerializer, **REQUEST_ERRORS},
    )
    @payout_account_changes.mapping.post
    def post_payout_account_change(self, request, pk=None):
        """Ask to pay the loan's disbursement or refund to another account; a second person
        approves it before it can be used."""
        loan = self.get_object()
        data = PayoutAccountChangeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        change = services.payout_account_change_request(
            loan_id=loan.pk, **data.validated_data, by=request.user
        )
        body = PayoutAccountChangeSerializer(
            _changes().get(pk=change.pk), context=self.get_serializer_context()
        )
        return Response(body.data, status=status.HTTP_201_CREATED)


class PayoutAccountChangeViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Requests to pay to another account, for the second person who decides them."""

    allowed_roles = READ_ROLES
    allowed_roles_by_action = {
        "approve": PAYOUT_ACCOUNT_APPROVE_ROLES,
        "reject": PAYOUT_ACCOUNT_APPROVE_ROLES,
    }
    serializer_class = PayoutAccountChangeSerializer
    filterset_fields = ["state"]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return PayoutAccountChange.objects.none()
        return visible_by_loan(self.request.user, _changes()).order_by("-requested_at", "-id")

    @extend_schema(
        responses={
            200: PayoutAccountChangeSerializer(many=True),
            403: READ_ERRORS[403],
        }
    )
    def list(self, request, *args, **kwargs):
        """Requests to pay to another account, the latest first; `state=requested` for those
        waiting for a decision."""
        return super().list(request, *args, **kwargs)

    @extend_schema(responses={200: PayoutAccountChangeSerializer, **READ_ERRORS})
    def retrieve(self, request, *args, **kwargs):
        """One request, with who asked and who decided."""
        return super().retrieve(request, *args, **kwargs)

    def _decided(self, change: PayoutAccountChange) -> Response:
        body = PayoutAccountChangeSerializer(
            _changes().get(pk=change.pk), context=self.get_serializer_context()
        )
        return Response(body.data)

    @extend_schema(request=None, responses={200: PayoutAccountChangeSerializer, **DECIDE_ERRORS})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve the account (not your own request): the loan's next payout may go there."""
        change = self.get_object()
        return self._decided(
            services.payout_account_change_approve(change_id=change.pk, by=request.user)
        )

    @extend_schema(request=None, responses={200: PayoutAccountChangeSerializer, **DECIDE_ERRORS})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """Reject the account (not your own request); the loan is paid to the contract's."""
        change = self.get_object()
        return self._decided(
            services.payout_account_change_reject(change_id=change.pk, by=request.user)
        )
