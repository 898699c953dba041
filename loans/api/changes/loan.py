"""The loan's changes as one viewset under ``loans/{id}/``, assembled from their modules."""

from __future__ import annotations

from rest_framework import viewsets

from loans.api.changes.closure import ClosureActions
from loans.api.changes.demands import DemandActions
from loans.api.changes.prepayments import PrepaymentActions
from loans.api.changes.quotes import PayoffActions
from loans.api.changes.refunds import RefundActions
from loans.api.changes.restructurings import RestructuringActions
from loans.api.changes.serializers import PayoffQuoteSerializer
from loans.api.changes.versions import ScheduleVersionActions
from loans.api.changes.write_offs import WriteOffActions
from loans.api.common import RowsMixin
from loans.branches import visible_loans
from loans.models import Loan
from loans.roles import (
    CLOSURE_ROLES,
    DEMAND_ROLES,
    PREPAYMENT_ROLES,
    QUOTE_ROLES,
    REFUND_ROLES,
    RESTRUCTURING_ROLES,
    WRITE_OFF_ROLES,
)
from loans.selectors import loan_list


class LoanChangesViewSet(
    PayoffActions,
    PrepaymentActions,
    ScheduleVersionActions,
    RestructuringActions,
    DemandActions,
    WriteOffActions,
    ClosureActions,
    RefundActions,
    RowsMixin,
    viewsets.GenericViewSet,
):
    """A disbursed loan's quotes and changes, each its own action under ``loans/{id}/``."""

    allowed_roles = QUOTE_ROLES
    allowed_roles_by_action = {
        "post_prepayment": PREPAYMENT_ROLES,
        "post_restructuring": RESTRUCTURING_ROLES,
        "post_demand": DEMAND_ROLES,
        "write_off": WRITE_OFF_ROLES,
        "close": CLOSURE_ROLES,
        "post_refund": REFUND_ROLES,
    }
    serializer_class = PayoffQuoteSerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Loan.objects.none()
        return visible_loans(self.request.user, loan_list())
