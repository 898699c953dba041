"""The prudential API (DOMAIN.md §11; issue 8): k1 of a date on request, its warnings, and the
action plan's life with the regulator.

As in the loans API: reads are the models' own rows; every change is one service call, whose
``DomainError`` the exception handler turns into 400/409 naming the field. Only the risk
managers and the administrator see or do any of it; every other role, a branch system
included, is stopped before anything is read or written.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Case, IntegerField, Prefetch, Value, When
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.schema import error_response
from core.roles import Role
from prudential import services
from prudential.api.serializers import (
    ActionPlanDetailSerializer,
    ActionPlanListQuerySerializer,
    ActionPlanSerializer,
    AlertListQuerySerializer,
    AlertSerializer,
    ApproveInputSerializer,
    K1LoanSerializer,
    K1RunDetailSerializer,
    K1RunInputSerializer,
    K1RunListQuerySerializer,
    K1RunSerializer,
    MeasureInputSerializer,
    MeasureSerializer,
    NoteInputSerializer,
    PeriodInputSerializer,
    PlanNoteSerializer,
    ReturnNoticeSerializer,
    SentInputSerializer,
    SubmitInputSerializer,
)
from prudential.models import ActionPlan, Alert, K1Loan, K1Run, Measure, PlanNote, ReturnNotice

PRUDENTIAL_ROLES = frozenset({Role.RISK_MANAGER, Role.ADMINISTRATOR})

FORBIDDEN = error_response("The role may not do this: only risk managers and administrators.")
LIST_ERRORS = {400: error_response("An invalid filter: `errors` names it."), 403: FORBIDDEN}
RUN_ERRORS = {403: FORBIDDEN, 404: error_response("No k1 run of that date.")}
RUN_CREATE_ERRORS = {
    400: error_response(
        "An invalid date, or a date not closed yet (`day_not_closed`): `errors.on`."
    ),
    403: FORBIDDEN,
}
ALERT_ERRORS = {403: FORBIDDEN, 404: error_response("No such alert.")}
PLAN_ERRORS = {403: FORBIDDEN, 404: error_response("No such action plan.")}
PLAN_STATE = "The plan is not in a state that allows this step (`wrong_state`): `errors.plan`."
MEASURE_ERRORS = {
    **PLAN_ERRORS,
    400: error_response(
        "Invalid input, a deadline outside the plan's period (`errors.deadline`), or no active "
        "manager of that id (`errors.responsible`)."
    ),
    409: error_response(f"Only a draft or a plan with remarks takes measures. {PLAN_STATE}"),
}
PERIOD_ERRORS = {
    **PLAN_ERRORS,
    400: error_response("Shorter than the minimum three months: `errors.period_to`."),
    409: error_response(f"Only a draft or a plan with remarks changes its period. {PLAN_STATE}"),
}
SUBMIT_ERRORS = {
    **PLAN_ERRORS,
    400: error_response(
        "No measures yet (`errors.measures`), or a date before the reporting date (`errors.on`)."
    ),
    409: error_response(f"Only a draft or a plan with remarks is submitted. {PLAN_STATE}"),
}
NOTE_ERRORS = {
    **PLAN_ERRORS,
    400: error_response("Invalid input: `errors` names the field."),
    409: error_response(
        f"A remark needs a submitted plan, an objection a plan with remarks. {PLAN_STATE}"
    ),
}
APPROVE_ERRORS = {
    **PLAN_ERRORS,
    400: error_response("Invalid input: `errors.on`."),
    409: error_response(f"Only a submitted plan is approved. {PLAN_STATE}"),
}
NOTICE_ERRORS = {
    403: FORBIDDEN,
    404: error_response("No such notice."),
    400: error_response("Invalid input: `errors.on`."),
    409: error_response("The notice was already sent (`sent`): `errors.notice`."),
}
DATE_PARAMETER = OpenApiParameter(
    "date", OpenApiTypes.DATE, OpenApiParameter.PATH, description="The run's date, YYYY-MM-DD."
)


def _query(serializer_class, request) -> dict:
    query = serializer_class(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data


class PrudentialViewSet(viewsets.GenericViewSet):
    allowed_roles = PRUDENTIAL_ROLES
    filter_backends = []  # filters are each list's own query serializer

    def _page(self, rows, serializer_class) -> Response:
        page = self.paginate_queryset(rows)
        context = self.get_serializer_context()
        return self.get_paginated_response(serializer_class(page, many=True, context=context).data)


class K1RunViewSet(mixins.ListModelMixin, PrudentialViewSet):
    """k1's overdue-90 share by date, with the loans behind it (issue 8)."""

    serializer_class = K1RunSerializer
    lookup_field = "on"
    lookup_url_kwarg = "date"
    lookup_value_regex = r"\d{4}-\d{2}-\d{2}"

    def get_queryset(self):
        return K1Run.objects.select_related("run_by", "action_plan", "return_notice").order_by(
            "-on"
        )

    def get_object(self):
        try:
            on = date.fromisoformat(self.kwargs[self.lookup_url_kwarg])
        except ValueError:
            raise Http404 from None
        run = self.get_queryset().filter(on=on).first()
        if run is None:
            raise Http404
        self.check_object_permissions(self.request, run)
        return run

    def _answer(self, run_id: int, status_code: int = status.HTTP_200_OK) -> Response:
        run = self.get_queryset().get(pk=run_id)
        context = self.get_serializer_context()
        return Response(K1RunDetailSerializer(run, context=context).data, status=status_code)

    @extend_schema(
        parameters=[K1RunListQuerySerializer],
        responses={200: K1RunSerializer(many=True), **LIST_ERRORS},
    )
    def list(self, request, *args, **kwargs):
        """k1 runs, the latest date first."""
        query = _query(K1RunListQuerySerializer, request)
        runs = self.get_queryset()
        for name in ("official", "breached"):
            if query.get(name) is not None:
                runs = runs.filter(**{name: query[name]})
        if query.get("status"):
            runs = runs.filter(status=query["status"])
        if query.get("date_from"):
            runs = runs.filter(on__gte=query["date_from"])
        if query.get("date_to"):
            runs = runs.filter(on__lte=query["date_to"])
        return self._page(runs, K1RunSerializer)

    @extend_schema(
        request=K1RunInputSerializer,
        responses={
            201: K1RunDetailSerializer,
            200: OpenApiResponse(
                K1RunDetailSerializer, description="The date was run before: its figures replaced."
            ),
            **RUN_CREATE_ERRORS,
        },
    )
    def create(self, request):
        """Compute k1 for a closed date now; a re-run of the date replaces its figures.

        On a reporting date a breach opens the action plan, and a return within the limit after
        a breach drafts the notice to the regulator; warnings go to the risk managers."""
        data = K1RunInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        on = data.validated_data["on"]
        existed = K1Run.objects.filter(on=on).exists()
        run = services.k1_run(on=on, by=request.user)
        return self._answer(run.pk, status.HTTP_200_OK if existed else status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[DATE_PARAMETER], responses={200: K1RunDetailSerializer, **RUN_ERRORS}
    )
    def retrieve(self, request, **kwargs):
        """The run of a date with its inputs: MM90, the portfolio, the loans 61–90 days late."""
        return self._answer(self.get_object().pk)

    @extend_schema(
        parameters=[DATE_PARAMETER], responses={200: K1LoanSerializer(many=True), **RUN_ERRORS}
    )
    @action(detail=True, methods=["get"])
    def loans(self, request, **kwargs):
        """The loans counted in MM90 on the date, the most days past due first."""
        run = self.get_object()
        rows = (
            K1Loan.objects.filter(run=run)
            .select_related("loan")
            .order_by("-days_past_due", "loan_id")
        )
        return self._page(rows, K1LoanSerializer)


class AlertViewSet(mixins.ListModelMixin, PrudentialViewSet):
    """Prudential warnings for the risk managers, the unacknowledged first."""

    serializer_class = AlertSerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        waiting = Case(
            When(acknowledged_at__isnull=True, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
        return (
            Alert.objects.select_related("run", "acknowledged_by")
            .annotate(acknowledged=waiting)
            .order_by("acknowledged", "-on", "-id")
        )

    @extend_schema(
        parameters=[AlertListQuerySerializer],
        responses={200: AlertSerializer(many=True), **LIST_ERRORS},
    )
    def list(self, request, *args, **kwargs):
        """Alerts: those not acknowledged first, then the latest first."""
        query = _query(AlertListQuerySerializer, request)
        alerts = self.get_queryset()
        if query.get("acknowledged") is not None:
            alerts = alerts.filter(acknowledged_at__isnull=not query["acknowledged"])
        if query.get("kind"):
            alerts = alerts.filter(kind=query["kind"])
        return self._page(alerts, AlertSerializer)

    @extend_schema(request=None, responses={200: AlertSerializer, **ALERT_ERRORS})
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        """Mark the alert seen; acknowledging it again keeps the first acknowledgement."""
        alert = self.get_object()
        services.alert_acknowledge(alert_id=alert.pk, by=request.user)
        alert = self.get_queryset().get(pk=alert.pk)
        return Response(AlertSerializer(alert, context=self.get_serializer_context()).data)


class ActionPlanViewSet(mixins.ListModelMixin, PrudentialViewSet):
    """The k1 action plans: measures, submission, the regulator's remarks and approval."""

    serializer_class = ActionPlanSerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return ActionPlan.objects.select_related("run").order_by("-reporting_date")

    def _answer(self, plan_id: int) -> Response:
        plan = (
            self.get_queryset()
            .prefetch_related(
                Prefetch("measures", Measure.objects.select_related("responsible")),
                Prefetch("notes", PlanNote.objects.select_related("recorded_by")),
            )
            .get(pk=plan_id)
        )
        context = self.get_serializer_context()
        return Response(ActionPlanDetailSerializer(plan, context=context).data)

    @extend_schema(
        parameters=[ActionPlanListQuerySerializer],
        responses={200: ActionPlanSerializer(many=True), **LIST_ERRORS},
    )
    def list(self, request, *args, **kwargs):
        """Action plans, the latest reporting date first, with their deadlines."""
        query = _query(ActionPlanListQuerySerializer, request)
        plans = self.get_queryset()
        if query.get("status"):
            plans = plans.filter(status=query["status"])
        return self._page(plans, ActionPlanSerializer)

    @extend_schema(responses={200: ActionPlanDetailSerializer, **PLAN_ERRORS})
    def retrieve(self, request, pk=None):
        """The plan with its measures and the notes exchanged with the regulator."""
        return self._answer(self.get_object().pk)

    @extend_schema(
        request=MeasureInputSerializer, responses={201: MeasureSerializer, **MEASURE_ERRORS}
    )
    @action(detail=True, methods=["post"])
    def measures(self, request, pk=None):
        """Add a measure: what, how, its deadline within the plan, the one manager responsible."""
        plan = self.get_object()
        data = MeasureInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        measure = services.measure_add(
            plan_id=plan.pk,
            what=fields["what"],
            how=fields["how"],
            deadline=fields["deadline"],
            responsible_id=fields["responsible"],
            by=request.user,
        )
        measure = Measure.objects.select_related("responsible").get(pk=measure.pk)
        context = self.get_serializer_context()
        return Response(
            MeasureSerializer(measure, context=context).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        request=PeriodInputSerializer, responses={200: ActionPlanDetailSerializer, **PERIOD_ERRORS}
    )
    @action(detail=True, methods=["post"])
    def period(self, request, pk=None):
        """Set the end of the plan's period: three months at least."""
        plan = self.get_object()
        data = PeriodInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.plan_period_set(plan_id=plan.pk, **data.validated_data, by=request.user)
        return self._answer(plan.pk)

    @extend_schema(
        request=SubmitInputSerializer, responses={200: ActionPlanDetailSerializer, **SUBMIT_ERRORS}
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """The plan was sent to the regulator; its answer is due in three business days."""
        plan = self.get_object()
        data = SubmitInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.plan_submit(plan_id=plan.pk, **data.validated_data, by=request.user)
        return self._answer(plan.pk)

    @extend_schema(request=NoteInputSerializer, responses={201: PlanNoteSerializer, **NOTE_ERRORS})
    @action(detail=True, methods=["post"])
    def notes(self, request, pk=None):
        """Record the regulator's remarks (the plan goes back for rework) or the MFO's objection."""
        plan = self.get_object()
        data = NoteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        note = services.plan_note_add(plan_id=plan.pk, **data.validated_data, by=request.user)
        note = PlanNote.objects.select_related("recorded_by").get(pk=note.pk)
        context = self.get_serializer_context()
        return Response(
            PlanNoteSerializer(note, context=context).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        request=ApproveInputSerializer,
        responses={200: ActionPlanDetailSerializer, **APPROVE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """The regulator approved the plan in writing."""
        plan = self.get_object()
        data = ApproveInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.plan_approve(plan_id=plan.pk, **data.validated_data, by=request.user)
        return self._answer(plan.pk)


class ReturnNoticeViewSet(mixins.ListModelMixin, PrudentialViewSet):
    """Notices to the regulator that the share is back within the limit."""

    serializer_class = ReturnNoticeSerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return ReturnNotice.objects.select_related("run", "sent_by").order_by("-reporting_date")

    @extend_schema(responses={200: ReturnNoticeSerializer(many=True), 403: FORBIDDEN})
    def list(self, request, *args, **kwargs):
        """Return notices, the latest reporting date first, with the day each is due."""
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=SentInputSerializer, responses={200: ReturnNoticeSerializer, **NOTICE_ERRORS}
    )
    @action(detail=True, methods=["post"])
    def sent(self, request, pk=None):
        """The notice was sent to the regulator."""
        notice = self.get_object()
        data = SentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.return_notice_send(notice_id=notice.pk, **data.validated_data, by=request.user)
        notice = self.get_queryset().get(pk=notice.pk)
        return Response(ReturnNoticeSerializer(notice, context=self.get_serializer_context()).data)
