"""The loan's state: its schedule with what is paid, its ledger and its daily snapshots."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.schema import error_response
from core.money import ZERO
from loans.api.common import LIST_ACTION, READ_ERRORS
from loans.api.servicing.serializers import (
    LedgerEntrySerializer,
    LoanScheduleSerializer,
    LoanSnapshotSerializer,
    SnapshotQuerySerializer,
)
from loans.domain.servicing import LineProgress, LineState
from loans.models import Loan
from loans.selectors import current_installments, schedule_with_progress


def _schedule_lines(loan: Loan, *, on):
    """Each line with its progress; a contract not yet paid out has nothing repaid.

    ``schedule_with_progress`` counts a loan's whole amount as repaid until its disbursement
    posts the principal (``loan_position`` starts from the amount), so it is asked only after.
    """
    if loan.disbursed_on is None:
        return [
            (line, LineProgress(line.number, ZERO, ZERO, LineState.NOT_DUE))
            for line in current_installments(loan)
        ]
    return schedule_with_progress(loan, on=on)


def schedule_as_dict(loan: Loan, *, on) -> dict:
    lines = []
    totals = dict.fromkeys(
        ("principal", "interest", "total", "principal_paid", "interest_paid"), ZERO
    )
    for line, progress in _schedule_lines(loan, on=on):
        row = {
            "number": line.number,
            "due_date": line.due_date,
            "grace_date": line.grace_date,
            "days": line.days,
            "principal": line.principal,
            "interest": line.interest,
            "total": line.total,
            "balance": line.balance,
            "principal_paid": progress.principal_paid,
            "interest_paid": progress.interest_paid,
            "state": progress.state.value,
        }
        for name in totals:
            totals[name] += row[name]
        lines.append(row)
    return {
        "loan": loan.pk,
        "version": loan.schedule_version,
        "on": on,
        "installments": lines,
        "totals": totals,
    }


class StateActions:
    """``loans/{id}/schedule/``, ``loans/{id}/ledger/`` and ``loans/{id}/snapshots/``."""

    @extend_schema(responses={200: LoanScheduleSerializer, **READ_ERRORS})
    @action(detail=True, methods=["get"])
    def schedule(self, request, pk=None):
        """The current schedule, each instalment with what is paid of it and its state today."""
        loan = self.get_object()
        body = schedule_as_dict(loan, on=timezone.localdate())
        return Response(LoanScheduleSerializer(body).data)

    @extend_schema(responses={200: LedgerEntrySerializer(many=True), **READ_ERRORS})
    @action(detail=True, methods=["get"], **LIST_ACTION)
    def ledger(self, request, pk=None):
        """The loan's ledger entries, oldest first; a correction is a reversal, never an edit."""
        loan = self.get_object()
        return self._page(loan.entries.order_by("value_date", "id"), LedgerEntrySerializer)

    @extend_schema(
        parameters=[SnapshotQuerySerializer],
        responses={
            200: LoanSnapshotSerializer(many=True),
            **READ_ERRORS,
            400: error_response("`to` precedes `from`, or a date is invalid."),
        },
    )
    @action(detail=True, methods=["get"], **LIST_ACTION)
    def snapshots(self, request, pk=None):
        """The loan at the end of each closed business date, oldest first."""
        loan = self.get_object()
        query = SnapshotQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        snapshots = loan.snapshots.order_by("on")
        if query.validated_data.get("from"):
            snapshots = snapshots.filter(on__gte=query.validated_data["from"])
        if query.validated_data.get("to"):
            snapshots = snapshots.filter(on__lte=query.validated_data["to"])
        return self._page(snapshots, LoanSnapshotSerializer)
