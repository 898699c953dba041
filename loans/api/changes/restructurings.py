"""Changes of terms: the borrower's request on the loan, the committee's agenda, the signed
change (DOMAIN.md §9). Voting stays with the committee (``applications.committee``)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from applications.roles import AGENDA_SCHEDULERS
from core.api.schema import error_response
from loans import services
from loans.api.changes.common import CLOSED, lines_as_dicts, query_date
from loans.api.changes.serializers import (
    EffectiveOnSerializer,
    OnQuerySerializer,
    RestructuringAgendaSerializer,
    RestructuringInputSerializer,
    RestructuringPreviewSerializer,
    RestructuringSerializer,
)
from loans.api.common import (
    LIST_ACTION,
    LOAN_ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
    RowsMixin,
)
from loans.branches import visible_by_loan
from loans.models import Loan, Restructuring
from loans.roles import QUOTE_ROLES, RESTRUCTURING_ROLES

# A change of terms goes on the agenda like an application: by whoever schedules the committee.
AGENDA_ROLES = frozenset(AGENDA_SCHEDULERS)

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


def restructurings_of(loan: Loan):
    return loan.restructurings.select_related("registered_by", "version").prefetch_related(
        "agenda_items"
    )


class RestructuringActions:
    """``loans/{id}/restructurings/``: the loan's requests, and registering one."""

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
