"""The loan's viewset: the portfolio, one loan, and its actions assembled from their modules."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response

from applications.selectors import credit_file_open
from core.roles import Role
from loans.api.common import READ_ERRORS, WRITE_ERRORS, RowsMixin
from loans.api.servicing.contacts import ContactActions
from loans.api.servicing.contracts import ContractActions
from loans.api.servicing.payments import PaymentActions
from loans.api.servicing.serializers import (
    LoanDetailSerializer,
    LoanListQuerySerializer,
    LoanSummarySerializer,
)
from loans.api.servicing.state import StateActions
from loans.branches import visible_loans
from loans.models import Loan
from loans.selectors import loan_list, portfolio

READ_ROLES = frozenset(
    {
        Role.CREDIT_ADMINISTRATOR,
        Role.ACCOUNTANT,
        Role.MONITORING_MANAGER,
        Role.RISK_MANAGER,
        Role.COLLECTOR,
        Role.ADMINISTRATOR,
        Role.BRANCH_SYSTEM,
    }
)
CONTRACT_ROLES = frozenset({Role.CREDIT_ADMINISTRATOR, Role.ADMINISTRATOR})
DISBURSE_ROLES = frozenset({Role.ACCOUNTANT})  # DOMAIN.md §2; the service checks it too
PAYMENT_ROLES = frozenset({Role.ACCOUNTANT, Role.BRANCH_SYSTEM, Role.ADMINISTRATOR})
CONTACT_ROLES = frozenset({Role.COLLECTOR, Role.MONITORING_MANAGER, Role.ADMINISTRATOR})
REVERSAL_ROLES = frozenset({Role.ACCOUNTANT, Role.ADMINISTRATOR})


class LoanViewSet(
    ContractActions,
    StateActions,
    PaymentActions,
    ContactActions,
    RowsMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """Loans from the draft contract to closure; each change is its own action."""

    allowed_roles = READ_ROLES
    allowed_roles_by_action = {
        "create": CONTRACT_ROLES,
        "sign": CONTRACT_ROLES,
        "disburse": DISBURSE_ROLES,
        "post_payment": PAYMENT_ROLES,
        "post_contact": CONTACT_ROLES,
        "reverse_payment": REVERSAL_ROLES,
    }
    serializer_class = LoanSummarySerializer
    filter_backends = [OrderingFilter]
    ordering_fields = ["number", "disbursed_on", "amount"]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Loan.objects.none()
        return visible_loans(self.request.user, loan_list())

    def _answer(self, loan_id: int, status_code: int = status.HTTP_200_OK) -> Response:
        # the service has audited the change; answering with its result opens nothing new
        loan = loan_list().get(pk=loan_id)
        context = self.get_serializer_context()
        return Response(LoanDetailSerializer(loan, context=context).data, status=status_code)

    @extend_schema(
        parameters=[LoanListQuerySerializer],
        responses={
            200: LoanSummarySerializer(many=True),
            400: WRITE_ERRORS[400],
            403: READ_ERRORS[403],
        },
    )
    def list(self, request, *args, **kwargs):
        """Disbursed loans, most days past due first, with the figures of the last closed date."""
        query = LoanListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        loans = portfolio(filters=query.validated_data)
        loans = self.filter_queryset(visible_loans(request.user, loans))
        return self._page(loans, LoanSummarySerializer)

    @extend_schema(responses={200: LoanDetailSerializer, **READ_ERRORS})
    def retrieve(self, request, pk=None):
        """The loan's state; every opening is recorded in the audit trail as its credit file's."""
        loan = self.get_object()
        credit_file_open(application_id=loan.application_id, user=request.user)
        return self._answer(loan.pk)
