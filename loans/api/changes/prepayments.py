"""Partial prepayments: their preview, the loan's list and posting one (DOMAIN.md §7)."""

from __future__ import annotations

import hashlib
import json

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.schema import error_response
from loans import services
from loans.api.changes.common import CLOSED, lines_as_dicts
from loans.api.changes.serializers import (
    PrepaymentInputSerializer,
    PrepaymentPreviewInputSerializer,
    PrepaymentPreviewSerializer,
    PrepaymentSerializer,
)
from loans.api.common import (
    LIST_ACTION,
    LOAN_ERRORS,
    READ_ERRORS,
    REPLAYED_HEADER,
    idempotency_key,
    idempotency_parameters,
)
from loans.models import Prepayment

PREVIEW_ERRORS = {
    **LOAN_ERRORS,
    400: error_response(
        "Invalid input, or a prepayment the rules refuse (below three scheduled payments, the "
        "whole principal, a payment that would grow): `errors` names the field."
    ),
    409: error_response(
        f"The loan is not disbursed, {CLOSED}, or its schedule is out of step: `errors.loan`; "
        "or the daily close is running (`close_running`, `errors.on`)."
    ),
}
PREPAYMENT_ERRORS = {
    **PREVIEW_ERRORS,
    400: error_response(
        "Invalid input, or a prepayment the rules refuse: `errors` names the field; or an "
        "`Idempotency-Key` header longer than 100 characters (`errors.Idempotency-Key`)."
    ),
    409: error_response(
        f"The loan is not disbursed or {CLOSED} (`errors.loan`), or the `Idempotency-Key` was "
        "used for a different payment (`errors.idempotency_key`)."
    ),
}


def prepayment_fingerprint(loan_id: int, fields: dict) -> str:
    """The request a key stands for: a repeat with another body is refused, not replayed."""
    applied_on = fields["applied_on"]
    canonical = {
        "kind": "prepayment",  # never the fingerprint of a plain payment with the same key
        "loan": loan_id,
        "amount": f"{fields['amount']:.2f}",
        "on": fields["on"].isoformat(),
        "mode": fields["mode"],
        "channel": fields["channel"],
        "applied_on": applied_on.isoformat() if applied_on else None,
        "application_number": fields["application_number"],
        "reference": fields["reference"],
        "payer": fields["payer"],
    }
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


class PrepaymentActions:
    """``loans/{id}/prepayments/`` and ``loans/{id}/prepayments/preview/``."""

    @extend_schema(
        request=PrepaymentPreviewInputSerializer,
        responses={200: PrepaymentPreviewSerializer, **PREVIEW_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="prepayments/preview")
    def prepayment_preview(self, request, pk=None):
        """The schedule a partial prepayment would leave, and its GESV; nothing is kept."""
        loan = self.get_object()
        data = PrepaymentPreviewInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        plan = services.prepayment_preview(loan_id=loan.pk, **data.validated_data)
        rebuilt = plan.rebuilt
        body = {
            "loan": loan.pk,
            "on": plan.on,
            "amount": plan.amount,
            "mode": data.validated_data["mode"],
            "due_paid": plan.due_paid,
            "interest_paid": rebuilt.interest_paid,
            "principal_paid": rebuilt.principal_paid,
            "principal_before": rebuilt.principal_before,
            "old_payment": plan.old_payment,
            "new_payment": plan.new_payment,
            "gesv": plan.gesv,
            "installments": lines_as_dicts(rebuilt.schedule),
        }
        return Response(PrepaymentPreviewSerializer(body).data)

    @extend_schema(responses={200: PrepaymentSerializer(many=True), **READ_ERRORS})
    @action(detail=True, methods=["get"], **LIST_ACTION)
    def prepayments(self, request, pk=None):
        """The loan's partial prepayments, the latest first."""
        loan = self.get_object()
        rows = loan.prepayments.select_related("version", "recorded_by").order_by("-on", "-id")
        return self._page(rows, PrepaymentSerializer)

    @extend_schema(
        request=PrepaymentInputSerializer,
        parameters=idempotency_parameters("prepayment"),
        responses={
            201: PrepaymentSerializer,
            200: OpenApiResponse(
                PrepaymentSerializer, description="A repeat of a key: the prepayment posted first."
            ),
            **PREPAYMENT_ERRORS,
        },
    )
    @prepayments.mapping.post
    def post_prepayment(self, request, pk=None):
        """Post a partial prepayment on the borrower's application: what is due is paid first,
        then the interest to the day, then principal; the rest of the schedule is rebuilt."""
        loan = self.get_object()
        key = idempotency_key(request)
        data = PrepaymentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        prepayment, created = services.prepayment_post(
            loan_id=loan.pk,
            **fields,
            idempotency_key=key,
            fingerprint=prepayment_fingerprint(loan.pk, fields),
            by=request.user,
        )
        prepayment = Prepayment.objects.select_related("version", "recorded_by").get(
            pk=prepayment.pk
        )
        if created:
            return self._one(prepayment, PrepaymentSerializer, status.HTTP_201_CREATED)
        response = self._one(prepayment, PrepaymentSerializer)
        response[REPLAYED_HEADER] = "true"
        return response
