"""The contract: drawn on the approved terms, signed, paid out (DOMAIN.md §8)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action

from core.api.schema import error_response
from core.branches import require_visible
from loans import services
from loans.api.common import LOAN_ERRORS, WRITE_ERRORS
from loans.api.servicing.serializers import (
    LoanCreateSerializer,
    LoanDetailSerializer,
    LoanDisburseSerializer,
    LoanSignSerializer,
)

CREATE_ERRORS = {
    **WRITE_ERRORS,
    409: error_response(
        "The borrower has not accepted the decision, or the application already has a "
        "contract: `errors.application`."
    ),
}
SIGN_ERRORS = {**LOAN_ERRORS, 409: error_response("Not a draft contract: `errors.status`.")}
DISBURSE_ERRORS = {
    **LOAN_ERRORS,
    409: error_response(
        "Not a signed contract (`errors.status`), or the collateral is not registered "
        "(`errors.collateral`)."
    ),
}


class ContractActions:
    """``loans/`` (POST), ``loans/{id}/sign/`` and ``loans/{id}/disburse/``."""

    @extend_schema(
        request=LoanCreateSerializer, responses={201: LoanDetailSerializer, **CREATE_ERRORS}
    )
    def create(self, request):
        """Draw the contract on the terms the committee approved and the borrower accepted."""
        data = LoanCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        require_visible(request.user, "application", fields["application"], field="application")
        branch = fields.get("branch")
        loan = services.contract_create(
            application_id=fields["application"].pk,
            planned_disbursement_date=fields["planned_disbursement_date"],
            branch_id=branch.pk if branch else None,
            contract_date=fields.get("contract_date"),
            payout_account=fields["payout_account"],
            payout_account_source=fields["payout_account_source"],
            by=request.user,
        )
        return self._answer(loan.pk, status.HTTP_201_CREATED)

    @extend_schema(request=LoanSignSerializer, responses={200: LoanDetailSerializer, **SIGN_ERRORS})
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        """Both parties signed the draft contract."""
        loan = self.get_object()
        data = LoanSignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.contract_sign(loan_id=loan.pk, **data.validated_data, by=request.user)
        return self._answer(loan.pk)

    @extend_schema(
        request=LoanDisburseSerializer, responses={200: LoanDetailSerializer, **DISBURSE_ERRORS}
    )
    @action(detail=True, methods=["post"])
    def disburse(self, request, pk=None):
        """Pay a signed loan out; its schedule is fixed from the value date."""
        loan = self.get_object()
        data = LoanDisburseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.loan_disburse(loan_id=loan.pk, **data.validated_data, by=request.user)
        return self._answer(loan.pk)
