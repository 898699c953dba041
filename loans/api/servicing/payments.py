"""Repayments: the loan's payments, posting one (idempotently) and reversing one (DOMAIN.md §9)."""

from __future__ import annotations

import hashlib
import json

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.schema import error_response
from loans import services
from loans.api.common import (
    LIST_ACTION,
    LOAN_ERRORS,
    READ_ERRORS,
    REPLAYED_HEADER,
    idempotency_key,
    idempotency_parameters,
)
from loans.api.servicing.serializers import (
    LoanPaymentSerializer,
    PaymentInputSerializer,
    PaymentReversalSerializer,
)
from loans.models import Payment

PAYMENT_ERRORS = {
    **LOAN_ERRORS,
    400: error_response(
        "Invalid input (`errors` names the field), or an `Idempotency-Key` header longer than "
        "100 characters (`errors.Idempotency-Key`)."
    ),
    409: error_response(
        "The loan is not disbursed (`errors.loan`), or the `Idempotency-Key` was used for a "
        "different payment (`errors.idempotency_key`)."
    ),
}


def payment_fingerprint(loan_id: int, fields: dict) -> str:
    """The request a key stands for: a repeat with another body is refused, not replayed."""
    canonical = {
        "loan": loan_id,
        "amount": f"{fields['amount']:.2f}",
        "value_date": fields["value_date"].isoformat(),
        "channel": fields["channel"],
        "reference": fields["reference"],
        "payer": fields["payer"],
    }
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


class PaymentActions:
    """``loans/{id}/payments/`` and ``loans/{id}/payments/{payment_id}/reverse/``."""

    @extend_schema(responses={200: LoanPaymentSerializer(many=True), **READ_ERRORS})
    @action(detail=True, methods=["get"], **LIST_ACTION)
    def payments(self, request, pk=None):
        """Payments received for the loan, the latest first, with where each went."""
        loan = self.get_object()
        payments = loan.payments.select_related("received_by").prefetch_related("entries")
        return self._page(payments.order_by("-value_date", "-id"), LoanPaymentSerializer)

    @extend_schema(
        request=PaymentInputSerializer,
        parameters=idempotency_parameters("payment"),
        responses={
            201: LoanPaymentSerializer,
            200: OpenApiResponse(
                LoanPaymentSerializer, description="A repeat of a key: the payment posted first."
            ),
            **PAYMENT_ERRORS,
        },
    )
    @payments.mapping.post
    def post_payment(self, request, pk=None):
        """Post a repayment; what is more than due is held for the next instalment."""
        loan = self.get_object()
        key = idempotency_key(request)
        data = PaymentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        payment, created = services.payment_post(
            loan_id=loan.pk,
            **fields,
            idempotency_key=key,
            fingerprint=payment_fingerprint(loan.pk, fields),
            by=request.user,
        )
        payment = (
            Payment.objects.select_related("received_by")
            .prefetch_related("entries")
            .get(pk=payment.pk)
        )
        context = self.get_serializer_context()
        body = LoanPaymentSerializer(payment, context=context).data
        if created:
            return Response(body, status=status.HTTP_201_CREATED)
        return Response(body, headers={REPLAYED_HEADER: "true"})

    @extend_schema(
        request=PaymentReversalSerializer,
        responses={
            200: LoanPaymentSerializer,
            **LOAN_ERRORS,
            400: error_response("No reason given (`errors.reason`)."),
            409: error_response("Already reversed, or moved between contracts."),
        },
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"payments/(?P<payment_id>\d+)/reverse",
        url_name="payment-reverse",
    )
    def reverse_payment(self, request, pk=None, payment_id=None):
        """Undo a payment posted in error: its entries are reversed, the close re-run."""
        loan = self.get_object()
        payment = get_object_or_404(Payment, pk=payment_id, loan=loan)
        data = PaymentReversalSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.payment_reverse(payment_id=payment.pk, by=request.user, **data.validated_data)
        payment = Payment.objects.prefetch_related("entries").get(pk=payment.pk)
        return Response(LoanPaymentSerializer(payment, context=self.get_serializer_context()).data)
