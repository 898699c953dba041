"""What happens to a loan after disbursement, over the API (DOMAIN.md §7–§9, §11): the payoff
quote, partial prepayments, schedule versions, changes of terms, demands, write-off, closure and
refunds.

As in ``servicing_views``: reads are the loan's own rows; every change is one service call,
whose ``DomainError`` the exception handler turns into 400/403/409 naming the field; a refused
role is stopped before anything is read or written. Voting on a change of terms stays with the
committee (``applications.committee``).
"""

from __future__ import annotations

import hashlib
import json
from datetime import date

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response

from applications.committee_views import SCHEDULERS
from core.api.schema import error_response
from core.branches import visible_by_loan, visible_loans
from core.roles import Role
from loans import selectors, services
from loans.api.changes_serializers import (
    DemandInputSerializer,
    DemandSerializer,
    EffectiveOnSerializer,
    OnQuerySerializer,
    PayoffQuoteSerializer,
    PrepaymentInputSerializer,
    PrepaymentPreviewInputSerializer,
    PrepaymentPreviewSerializer,
    PrepaymentSerializer,
    RefundInputSerializer,
    RefundSerializer,
    RestructuringAgendaSerializer,
    RestructuringInputSerializer,
    RestructuringPreviewSerializer,
    RestructuringSerializer,
    ScheduleVersionDetailSerializer,
    ScheduleVersionSerializer,
    WriteOffInputSerializer,
    WriteOffReportSerializer,
    WriteOffSerializer,
)
from loans.api.servicing_serializers import LoanDetailSerializer
from loans.api.servicing_views import (
    LIST_ACTION,
    READ_ERRORS,
    REPLAYED_HEADER,
    WRITE_ERRORS,
    idempotency_key,
    idempotency_parameters,
)
from loans.models import Demand, Loan, Prepayment, Restructuring
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

# A change of terms goes on the agenda like an application: by whoever schedules the committee.
AGENDA_ROLES = frozenset(SCHEDULERS)
WRITE_OFF_REPORT_ROLES = frozenset({Role.RISK_MANAGER, Role.ACCOUNTANT, Role.ADMINISTRATOR})

CLOSED = "the loan is closed (`loan_closed`) or written off (`loan_written_off`)"
LOAN_ERRORS = {**WRITE_ERRORS, 404: READ_ERRORS[404]}
QUOTE_ERRORS = {
    **READ_ERRORS,
    400: error_response("A date that is invalid or already closed for the loan: `errors.on`."),
    409: error_response(
        f"The loan is not disbursed, or {CLOSED}: `errors.loan`; or the daily close is "
        "running (`close_running`, `errors.on`): ask again when it finishes."
    ),
}
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
VERSION_ERRORS = {**READ_ERRORS, 404: error_response("No such loan, or no such version of it.")}
LOAN_CHANGE_ERRORS = {
    **LOAN_ERRORS,
    409: error_response(f"The loan is not disbursed, or {CLOSED}: `errors.loan`."),
}
RESTRUCTURING_REQUEST_ERRORS = {
    **LOAN_ERRORS,
    409: error_response(
        f"The loan is not disbursed, {CLOSED}, or a request is already pending: `errors.loan`."
    ),
}
RESTRUCTURING_READ_ERRORS = {**READ_ERRORS, 404: error_response("No such change of terms.")}
RESTRUCTURING_PREVIEW_ERRORS = {
    **RESTRUCTURING_READ_ERRORS,
    400: error_response(
        "An invalid date (`errors.on`), or new terms the rules refuse (a grace not shorter than "
        "the term, a GESV above the cap): `errors` names the field."
    ),
    409: error_response(
        f"The loan is not disbursed, or {CLOSED}: `errors.loan`; or the daily close is "
        "running (`close_running`, `errors.on`)."
    ),
}
AGENDA_ERRORS = {
    **WRITE_ERRORS,
    404: RESTRUCTURING_READ_ERRORS[404],
    409: error_response(
        "The meeting is closed (`errors.meeting`), the request is not waiting for the committee "
        f"(`errors.restructuring`), or {CLOSED} (`errors.loan`)."
    ),
}
APPLY_ERRORS = {
    **WRITE_ERRORS,
    404: RESTRUCTURING_READ_ERRORS[404],
    409: error_response(
        f"The committee has not approved it (`errors.restructuring`), or {CLOSED} (`errors.loan`)."
    ),
}
DEMAND_ERRORS = {
    **LOAN_ERRORS,
    409: error_response(
        f"The loan is not disbursed, {CLOSED}, or not late enough for an early repayment "
        "demand (`not_late_enough`): `errors.loan`."
    ),
}
CLOSE_ERRORS = {
    **LOAN_ERRORS,
    409: error_response(
        "The loan is already closed (`loan_closed`), not disbursed, or still owes something "
        "(`obligations_open`): `errors.loan`."
    ),
}
REFUND_ERRORS = {
    **LOAN_ERRORS,
    409: error_response("The loan is not closed: held money goes to its next instalment."),
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


def lines_as_dicts(schedule) -> list[dict]:
    return [
        {
            "number": line.number,
            "due_date": line.due_date,
            "principal": line.principal,
            "interest": line.interest,
            "total": line.total,
            "balance": line.balance,
        }
        for line in schedule.installments
    ]


def restructurings_of(loan: Loan):
    return loan.restructurings.select_related("registered_by", "version").prefetch_related(
        "agenda_items"
    )


def query_date(request) -> date:
    query = OnQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data.get("on") or timezone.localdate()


class RowsMixin:
    def _page(self, rows, serializer_class) -> Response:
        page = self.paginate_queryset(rows)
        context = self.get_serializer_context()
        return self.get_paginated_response(serializer_class(page, many=True, context=context).data)

    def _one(self, row, serializer_class, status_code: int = status.HTTP_200_OK) -> Response:
        context = self.get_serializer_context()
        return Response(serializer_class(row, context=context).data, status=status_code)


class LoanChangesViewSet(RowsMixin, viewsets.GenericViewSet):
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

    # --- quotes ---------------------------------------------------------------------------

    @extend_schema(
        parameters=[OnQuerySerializer], responses={200: PayoffQuoteSerializer, **QUOTE_ERRORS}
    )
    @action(detail=True, methods=["get"])
    def payoff(self, request, pk=None):
        """What closes the loan if paid on `on`: the loan's days are closed to it, then undone."""
        loan = self.get_object()
        quote = services.payoff_quote_on(loan_id=loan.pk, on=query_date(request))
        body = {
            "loan": loan.pk,
            "on": quote.on,
            "principal": quote.principal,
            "interest": quote.interest,
            "overdue": quote.overdue,
            "penalties": quote.penalties,
            "held": quote.held,
            "total": quote.total,
            "to_pay": quote.to_pay,
        }
        return Response(PayoffQuoteSerializer(body).data)

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

    # --- partial prepayments ----------------------------------------------------------------

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

    # --- schedule versions ------------------------------------------------------------------

    @extend_schema(responses={200: ScheduleVersionSerializer(many=True), **READ_ERRORS})
    @action(detail=True, methods=["get"], url_path="schedule-versions", **LIST_ACTION)
    def schedule_versions(self, request, pk=None):
        """Every schedule the loan had, the oldest first, with what changed it."""
        loan = self.get_object()
        return self._page(selectors.schedule_versions(loan), ScheduleVersionSerializer)

    @extend_schema(
        parameters=[OpenApiParameter("version", int, OpenApiParameter.PATH)],
        responses={200: ScheduleVersionDetailSerializer, **VERSION_ERRORS},
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"schedule-versions/(?P<version>\d+)",
        url_name="schedule-version",
    )
    def schedule_version(self, request, pk=None, version=None):
        """One version of the schedule with its instalments, the repeated history first."""
        loan = self.get_object()
        row = get_object_or_404(selectors.schedule_versions(loan), version=int(version))
        return self._one(row, ScheduleVersionDetailSerializer)

    # --- changes of terms -------------------------------------------------------------------

    @extend_schema(responses={200: RestructuringSerializer(many=True), **READ_ERRORS})
    @action(detail=True, methods=["get"], **LIST_ACTION)
    def restructurings(self, request, pk=None):
        """The borrower's requests to change the terms, the latest first."""
        loan = self.get_object()
        rows = restructurings_of(loan).order_by("-requested_on", "-id")
        return self._page(rows, RestructuringSerializer)

    @extend_schema(
        request=RestructuringInputSerializer,
        responses={201: RestructuringSerializer, **RESTRUCTURING_REQUEST_ERRORS},
    )
    @restructurings.mapping.post
    def post_restructuring(self, request, pk=None):
        """Register the borrower's written request for new terms; the committee decides it."""
        loan = self.get_object()
        data = RestructuringInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = services.restructuring_request(
            loan_id=loan.pk, **data.validated_data, by=request.user
        )
        row = restructurings_of(loan).get(pk=row.pk)
        return self._one(row, RestructuringSerializer, status.HTTP_201_CREATED)

    # --- demands --------------------------------------------------------------------------

    @extend_schema(responses={200: DemandSerializer(many=True), **READ_ERRORS})
    @action(detail=True, methods=["get"], **LIST_ACTION)
    def demands(self, request, pk=None):
        """Demands sent to the borrower, the latest first."""
        loan = self.get_object()
        rows = loan.demands.select_related("issued_by").order_by("-issued_on", "-id")
        return self._page(rows, DemandSerializer)

    @extend_schema(
        request=DemandInputSerializer, responses={201: DemandSerializer, **DEMAND_ERRORS}
    )
    @demands.mapping.post
    def post_demand(self, request, pk=None):
        """Demand the whole debt of a loan late past the legal day, or the misused part of a
        targeted loan with its fine."""
        loan = self.get_object()
        data = DemandInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        if fields["kind"] == Demand.Kind.MISUSE:
            demand = services.demand_misuse(
                loan_id=loan.pk,
                on=fields["on"],
                pay_by=fields["pay_by"],
                misused_amount=fields["misused_amount"],
                details=fields["details"],
                by=request.user,
            )
        else:
            demand = services.demand_acceleration(
                loan_id=loan.pk, on=fields["on"], pay_by=fields["pay_by"], by=request.user
            )
        return self._one(demand, DemandSerializer, status.HTTP_201_CREATED)

    # --- the end of a loan ----------------------------------------------------------------

    @extend_schema(
        request=WriteOffInputSerializer, responses={201: WriteOffSerializer, **LOAN_CHANGE_ERRORS}
    )
    @action(detail=True, methods=["post"], url_path="write-off")
    def write_off(self, request, pk=None):
        """Move the loan off the balance sheet by decision; the borrower still owes it."""
        loan = self.get_object()
        data = WriteOffInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = services.loan_write_off(loan_id=loan.pk, **data.validated_data, by=request.user)
        return self._one(row, WriteOffSerializer, status.HTTP_201_CREATED)

    @extend_schema(
        request=EffectiveOnSerializer, responses={200: LoanDetailSerializer, **CLOSE_ERRORS}
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close a loan that owes nothing and archive its credit file."""
        loan = self.get_object()
        data = EffectiveOnSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.loan_close(loan_id=loan.pk, **data.validated_data, by=request.user)
        return self._one(loan_list().get(pk=loan.pk), LoanDetailSerializer)

    @extend_schema(responses={200: RefundSerializer(many=True), **READ_ERRORS})
    @action(detail=True, methods=["get"], **LIST_ACTION)
    def refunds(self, request, pk=None):
        """Held money paid back to the borrower, the latest first."""
        loan = self.get_object()
        rows = loan.refunds.select_related("recorded_by").order_by("-on", "-id")
        return self._page(rows, RefundSerializer)

    @extend_schema(
        request=RefundInputSerializer, responses={201: RefundSerializer, **REFUND_ERRORS}
    )
    @refunds.mapping.post
    def post_refund(self, request, pk=None):
        """Pay money held on a closed loan back to the borrower, on their written application."""
        loan = self.get_object()
        data = RefundInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = services.overpayment_refund(loan_id=loan.pk, **data.validated_data, by=request.user)
        return self._one(row, RefundSerializer, status.HTTP_201_CREATED)


class RestructuringViewSet(RowsMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """A request to change a loan's terms, from the committee's agenda to the signed change."""

    allowed_roles = QUOTE_ROLES
    allowed_roles_by_action = {"agenda": AGENDA_ROLES, "apply": RESTRUCTURING_ROLES}
    serializer_class = RestructuringSerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        changes = Restructuring.objects.select_related("registered_by", "version")
        return visible_by_loan(self.request.user, changes.prefetch_related("agenda_items"))

    def _answer(self, restructuring_id: int) -> Response:
        return self._one(self.get_queryset().get(pk=restructuring_id), RestructuringSerializer)

    @extend_schema(responses={200: RestructuringSerializer, **RESTRUCTURING_READ_ERRORS})
    def retrieve(self, request, pk=None):
        """The request with its terms, the committee's vote and the change it made."""
        return self._answer(self.get_object().pk)

    @extend_schema(
        parameters=[OnQuerySerializer],
        responses={200: RestructuringPreviewSerializer, **RESTRUCTURING_PREVIEW_ERRORS},
    )
    @action(detail=True, methods=["get"])
    def preview(self, request, pk=None):
        """The schedule the requested terms would give from `on`, and its GESV; nothing is kept."""
        row = self.get_object()
        plan = services.restructuring_preview(restructuring_id=row.pk, on=query_date(request))
        body = {
            "restructuring": row.pk,
            "on": plan.on,
            "principal": plan.principal,
            "annual_rate": plan.annual_rate,
            "term_months": plan.term_months,
            "method": plan.method.value,
            "grace_months": plan.grace_months,
            "payment": plan.schedule.payment,
            "gesv": plan.gesv,
            "installments": lines_as_dicts(plan.schedule),
        }
        return Response(RestructuringPreviewSerializer(body).data)

    @extend_schema(
        request=RestructuringAgendaSerializer,
        responses={200: RestructuringSerializer, **AGENDA_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def agenda(self, request, pk=None):
        """Put the request on a committee meeting's agenda; the members vote on it there."""
        row = self.get_object()
        data = RestructuringAgendaSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.restructuring_agenda_add(
            meeting_id=data.validated_data["meeting"].pk,
            restructuring_id=row.pk,
            by=request.user,
        )
        return self._answer(row.pk)

    @extend_schema(
        request=EffectiveOnSerializer, responses={200: RestructuringSerializer, **APPLY_ERRORS}
    )
    @action(detail=True, methods=["post"])
    def apply(self, request, pk=None):
        """The additional agreement is signed: the schedule is rebuilt from `on`."""
        row = self.get_object()
        data = EffectiveOnSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.restructuring_apply(
            restructuring_id=row.pk, **data.validated_data, by=request.user
        )
        return self._answer(row.pk)


class WriteOffViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Written-off loans: what was written off and what has been recovered since."""

    allowed_roles = WRITE_OFF_REPORT_ROLES
    serializer_class = WriteOffReportSerializer
    filter_backends = [OrderingFilter]
    ordering_fields = ["on", "days_past_due", "recovered"]

    def get_queryset(self):
        return visible_by_loan(self.request.user, selectors.write_offs())

    @extend_schema(responses={200: WriteOffReportSerializer(many=True), 403: READ_ERRORS[403]})
    def list(self, request, *args, **kwargs):
        """The write-off report, the latest first."""
        return super().list(request, *args, **kwargs)
