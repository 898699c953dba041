"""The loans API (DOMAIN.md §8–§9): contracts, disbursement, repayments, state and collection.

Reads go through the selectors (opening a loan opens its credit file, audited); every change is
one service call, whose ``DomainError`` the exception handler turns into 400/403/409 naming the
field. A refused role is stopped before anything is read or written.
"""

from __future__ import annotations

import hashlib
import json

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response

from applications.selectors import credit_file_open
from core.api.schema import error_response
from core.branches import require_visible, visible_loans
from core.money import ZERO
from core.roles import Role
from loans import services
from loans.api.servicing_serializers import (
    ContactInputSerializer,
    ContactRecordSerializer,
    DayCloseSerializer,
    LedgerEntrySerializer,
    LoanCreateSerializer,
    LoanDetailSerializer,
    LoanDisburseSerializer,
    LoanListQuerySerializer,
    LoanPaymentSerializer,
    LoanScheduleSerializer,
    LoanSignSerializer,
    LoanSnapshotSerializer,
    LoanSummarySerializer,
    PaymentInputSerializer,
    PaymentReversalSerializer,
    SnapshotQuerySerializer,
)
from loans.domain.servicing import LineProgress, LineState
from loans.models import DayClose, Loan, Payment
from loans.selectors import current_installments, loan_list, portfolio, schedule_with_progress

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
DAY_CLOSE_ROLES = frozenset({Role.ACCOUNTANT, Role.RISK_MANAGER, Role.ADMINISTRATOR})

IDEMPOTENCY_HEADER = "Idempotency-Key"
IDEMPOTENCY_KEY_MAX = 100  # Payment.idempotency_key
REPLAYED_HEADER = "Idempotent-Replayed"

READ_ERRORS = {
    403: error_response("The role may not read this."),
    404: error_response("No such loan."),
}
WRITE_ERRORS = {
    400: error_response("Invalid input or a rule broken: `errors` names the field and says why."),
    403: error_response("The role may not do this."),
}
CREATE_ERRORS = {
    **WRITE_ERRORS,
    409: error_response(
        "The borrower has not accepted the decision, or the application already has a "
        "contract: `errors.application`."
    ),
}
LOAN_ERRORS = {**WRITE_ERRORS, 404: READ_ERRORS[404]}
SIGN_ERRORS = {**LOAN_ERRORS, 409: error_response("Not a draft contract: `errors.status`.")}
DISBURSE_ERRORS = {
    **LOAN_ERRORS,
    409: error_response(
        "Not a signed contract (`errors.status`), or the collateral is not registered "
        "(`errors.collateral`)."
    ),
}
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
CONTACT_ERRORS = {
    **LOAN_ERRORS,
    400: error_response(
        "Invalid input, or a promise without its amount or date: `errors` names the field."
    ),
    409: error_response("The loan is not disbursed, or closed: `errors.loan`."),
}
LIST_ACTION = {"filter_backends": []}  # a loan's own rows: paginated, in their natural order


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


def idempotency_parameters(what: str) -> list[OpenApiParameter]:
    """The request's key and the answer's replay header, as the schema publishes them."""
    return [
        OpenApiParameter(
            IDEMPOTENCY_HEADER,
            str,
            OpenApiParameter.HEADER,
            description="Up to 100 characters: the same key twice posts once. "
            f"The repeat is answered 200 with the first {what}.",
        ),
        OpenApiParameter(
            REPLAYED_HEADER,
            str,
            OpenApiParameter.HEADER,
            response=[200],
            description="`true`: the key was seen before; nothing was posted now.",
        ),
    ]


def idempotency_key(request) -> str | None:
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is None:
        return None
    if not key.strip() or len(key) > IDEMPOTENCY_KEY_MAX:
        raise ValidationError(
            {IDEMPOTENCY_HEADER: [_("Give a key of 1 to 100 characters, or leave the header out.")]}
        )
    return key


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


class LoanViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
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

    def _page(self, rows, serializer_class) -> Response:
        page = self.paginate_queryset(rows)
        context = self.get_serializer_context()
        return self.get_paginated_response(serializer_class(page, many=True, context=context).data)

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

    @extend_schema(responses={200: ContactRecordSerializer(many=True), **READ_ERRORS})
    @action(detail=True, methods=["get"], **LIST_ACTION)
    def contacts(self, request, pk=None):
        """Collection contacts with the borrower, the latest first."""
        loan = self.get_object()
        contacts = loan.contacts.select_related("recorded_by").order_by("-contacted_at", "-id")
        return self._page(contacts, ContactRecordSerializer)

    @extend_schema(
        request=ContactInputSerializer,
        responses={201: ContactRecordSerializer, **CONTACT_ERRORS},
    )
    @contacts.mapping.post
    def post_contact(self, request, pk=None):
        """Record a contact with the borrower: its channel, outcome and any promise to pay."""
        loan = self.get_object()
        data = ContactInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        record = services.contact_record(loan_id=loan.pk, **data.validated_data, by=request.user)
        context = self.get_serializer_context()
        return Response(
            ContactRecordSerializer(record, context=context).data, status=status.HTTP_201_CREATED
        )


class DayCloseViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The business dates the daily close has run for, the latest first."""

    allowed_roles = DAY_CLOSE_ROLES
    serializer_class = DayCloseSerializer
    filter_backends = [OrderingFilter]
    ordering_fields = ["business_date"]

    def get_queryset(self):
        return DayClose.objects.order_by("-business_date")

    @extend_schema(responses={200: DayCloseSerializer(many=True), 403: READ_ERRORS[403]})
    def list(self, request, *args, **kwargs):
        """Closed business dates with the loans and entries of their last run."""
        return super().list(request, *args, **kwargs)
