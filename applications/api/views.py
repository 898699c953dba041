"""The API for branch systems: applicants and applications (issue 4, item 6).

Reads go through the selectors (opening a credit file is audited); every write is one service
call, whose ``DomainError`` the exception handler turns into 400/409 naming the field.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from applications import services
from applications.api.filters import ApplicantFilter, ApplicationFilter
from applications.api.serializers import (
    ApplicantInputSerializer,
    ApplicantSerializer,
    ApplicationAdvanceSerializer,
    ApplicationAnswerSerializer,
    ApplicationCreateSerializer,
    ApplicationDetailSerializer,
    ApplicationRefuseSerializer,
    ApplicationSummarySerializer,
    ApplicationWithdrawSerializer,
    ConclusionInputSerializer,
    DecisionSerializer,
    DocumentReceiveSerializer,
    RepresentativeInputSerializer,
)
from applications.branches import visible_applicants, visible_applications
from applications.models import Applicant, Application, Decision
from applications.selectors import (
    applicant_list,
    applicant_open,
    application_list,
    credit_file_open,
)
from core.api.schema import error_response, read_errors, write_errors
from core.branches import require_visible
from core.privacy import Category, can_see_personal_data, sees
from core.roles import Role

READ_ROLES = frozenset(
    {
        Role.CREDIT_ADMINISTRATOR,
        Role.COMMITTEE_MEMBER,
        Role.MONITORING_MANAGER,
        Role.RISK_MANAGER,
        Role.ADMINISTRATOR,
        Role.BRANCH_SYSTEM,
    }
)
WRITE_ROLES = frozenset({Role.CREDIT_ADMINISTRATOR, Role.BRANCH_SYSTEM, Role.ADMINISTRATOR})


READ_ERRORS = read_errors("No such object.")
WRITE_ERRORS = write_errors()
ACTION_ERRORS = {
    **WRITE_ERRORS,
    404: error_response("No such application."),
    409: error_response("Not allowed at the application's stage: `errors.stage` says why."),
}
ADVANCE_ERRORS = {
    **ACTION_ERRORS,
    400: error_response(
        "Unknown stage (`errors.to`), or the application is not ready for it: "
        "`errors.stage` lists every reason."
    ),
}


class ApplicantViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Applicants: persons, individual entrepreneurs and legal entities (DOMAIN.md §4, §13)."""

    allowed_roles = READ_ROLES
    allowed_roles_by_action = {
        "create": WRITE_ROLES,
        "partial_update": WRITE_ROLES,
        "representatives": WRITE_ROLES,
    }
    serializer_class = ApplicantSerializer
    filterset_class = ApplicantFilter
    ordering_fields = ["name", "created_at"]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Applicant.objects.none()
        return visible_applicants(
            self.request.user,
            applicant_list(
                search=self.request.query_params.get("search", ""),
                exact_identifiers=not can_see_personal_data(self.request.user),
                by_phone=sees(self.request.user, Category.CONTACTS),
            ),
        ).prefetch_related("representatives")

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "search",
                str,
                description="IIN or BIN (its first digits; the whole number for roles that see "
                "it masked), name, or phone (for roles that see phones).",
            )
        ],
        responses={200: ApplicantSerializer(many=True), 403: READ_ERRORS[403]},
    )
    def list(self, request, *args, **kwargs):
        """Applicants, found by `search` and filtered by `kind` and `region`."""
        return super().list(request, *args, **kwargs)

    @extend_schema(responses={200: ApplicantSerializer, **READ_ERRORS})
    def retrieve(self, request, pk=None):
        """One applicant; every opening is recorded in the audit trail."""
        try:
            applicant = applicant_open(applicant_id=int(pk), user=request.user)
        except Applicant.DoesNotExist:
            raise NotFound from None
        return Response(self.get_serializer(applicant).data)

    @extend_schema(
        request=ApplicantInputSerializer, responses={201: ApplicantSerializer, **WRITE_ERRORS}
    )
    def create(self, request):
        """Register an applicant; a person's date of birth is taken from the IIN."""
        data = ApplicantInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        applicant = services.applicant_create(data=data.validated_data, by=request.user)
        return Response(self.get_serializer(applicant).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=ApplicantInputSerializer,
        responses={
            200: ApplicantSerializer,
            **WRITE_ERRORS,
            404: READ_ERRORS[404],
            409: error_response(
                "The IIN/BIN, name or date of birth of a party to a signed contract is fixed "
                "(`identity_fixed`, `errors` names the field): request an identity correction."
            ),
        },
    )
    def partial_update(self, request, pk=None):
        """Change some of an applicant's data; a party to a signed contract keeps its identity
        (`/identity-corrections/` corrects it with a second person's approval)."""
        applicant = self.get_object()
        data = ApplicantInputSerializer(applicant, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        applicant = services.applicant_update(
            applicant_id=applicant.pk, data=data.validated_data, by=request.user
        )
        return Response(self.get_serializer(applicant).data)

    @extend_schema(
        request=RepresentativeInputSerializer,
        responses={200: ApplicantSerializer, **WRITE_ERRORS, 404: READ_ERRORS[404]},
    )
    @action(detail=True, methods=["post"])
    def representatives(self, request, pk=None):
        """Add a representative who acts for the applicant, with their authority."""
        applicant = self.get_object()
        data = RepresentativeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.representative_add(
            applicant_id=applicant.pk, by=request.user, **data.validated_data
        )
        applicant.refresh_from_db()
        return Response(self.get_serializer(applicant).data)


class ApplicationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Applications along their lifecycle (DOMAIN.md §3); each move is its own action."""

    allowed_roles = READ_ROLES
    allowed_roles_by_action = {
        action: WRITE_ROLES
        for action in (
            "create",
            "advance",
            "refuse",
            "withdraw",
            "answer",
            "documents",
            "debt_burden",
        )
    }
    # Analysts' conclusions are the MFO's own judgement: never written by a branch system.
    allowed_roles_by_action["conclusions"] = WRITE_ROLES - {Role.BRANCH_SYSTEM}
    serializer_class = ApplicationSummarySerializer
    filterset_class = ApplicationFilter
    ordering_fields = ["created_at", "stage_changed_at", "number"]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return visible_applications(self.request.user, application_list())

    def _open(self, pk) -> Application:
        """The credit file, with the audit row every opening writes (DOMAIN.md §14)."""
        try:
            return credit_file_open(application_id=int(pk), user=self.request.user)
        except Application.DoesNotExist:
            raise NotFound from None

    def _answer(self, application_id: int) -> Response:
        # the service has audited the change; answering with its result opens nothing new
        application = application_list().get(pk=application_id)
        context = self.get_serializer_context()
        return Response(ApplicationDetailSerializer(application, context=context).data)

    @extend_schema(responses={200: ApplicationSummarySerializer(many=True), 403: READ_ERRORS[403]})
    def list(self, request, *args, **kwargs):
        """Applications, filtered by `stage`, `product` and `applicant`."""
        return super().list(request, *args, **kwargs)

    @extend_schema(responses={200: ApplicationDetailSerializer, **READ_ERRORS})
    def retrieve(self, request, pk=None):
        """The credit file; every opening is recorded in the audit trail."""
        context = self.get_serializer_context()
        return Response(ApplicationDetailSerializer(self._open(pk), context=context).data)

    @extend_schema(
        request=ApplicationCreateSerializer,
        responses={201: ApplicationDetailSerializer, **WRITE_ERRORS},
    )
    def create(self, request):
        """Register an application at the consultation stage."""
        data = ApplicationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        require_visible(request.user, "applicant", fields["applicant"], field="applicant")
        branch = fields.pop("branch", None)
        application = services.application_create(
            applicant_id=fields.pop("applicant").pk,
            product_id=fields.pop("product").pk,
            branch_id=branch.pk if branch else None,
            **fields,
            by=request.user,
        )
        response = self._answer(application.pk)
        response.status_code = status.HTTP_201_CREATED
        return response

    @extend_schema(
        request=ApplicationAdvanceSerializer,
        responses={200: ApplicationDetailSerializer, **ADVANCE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def advance(self, request, pk=None):
        """Move to one of `next_stages`; a refusal says why (409 not allowed, 400 not ready)."""
        application = self.get_object()
        data = ApplicationAdvanceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.application_advance(
            application_id=application.pk, to=data.validated_data["to"], by=request.user
        )
        return self._answer(application.pk)

    @extend_schema(
        request=ApplicationRefuseSerializer,
        responses={200: ApplicationDetailSerializer, **ACTION_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def refuse(self, request, pk=None):
        """Refuse before the committee, on a ground, with the explanation for the applicant."""
        application = self.get_object()
        data = ApplicationRefuseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.application_refuse(
            application_id=application.pk,
            ground=data.validated_data["ground"],
            comment=data.validated_data["comment"],
            by=request.user,
        )
        return self._answer(application.pk)

    @extend_schema(
        request=ApplicationWithdrawSerializer,
        responses={200: ApplicationDetailSerializer, **ACTION_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """The applicant withdraws the application."""
        application = self.get_object()
        data = ApplicationWithdrawSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.application_withdraw(
            application_id=application.pk,
            comment=data.validated_data["comment"],
            by=request.user,
        )
        return self._answer(application.pk)

    @extend_schema(
        request=ApplicationAnswerSerializer,
        responses={200: ApplicationDetailSerializer, **ACTION_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        """The applicant accepts or declines the approved terms."""
        application = self.get_object()
        data = ApplicationAnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.application_record_answer(
            application_id=application.pk,
            accepted=data.validated_data["accepted"],
            by=request.user,
        )
        return self._answer(application.pk)

    @extend_schema(
        request=DocumentReceiveSerializer,
        responses={200: ApplicationDetailSerializer, **ACTION_ERRORS},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def documents(self, request, pk=None):
        """Receive a document of the checklist, with its scan (multipart)."""
        application = self.get_object()
        data = DocumentReceiveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.document_receive(
            application_id=application.pk,
            document_type=data.validated_data["document_type"],
            upload=data.validated_data.get("file"),
            by=request.user,
        )
        return self._answer(application.pk)

    @extend_schema(request=None, responses={200: ApplicationDetailSerializer, **ACTION_ERRORS})
    @action(detail=True, methods=["post"], url_path="debt-burden")
    def debt_burden(self, request, pk=None):
        """Compute the debt burden from the applicant's income and payments, kept with them."""
        application = self.get_object()
        services.debt_burden_assess(application_id=application.pk, by=request.user)
        return self._answer(application.pk)

    @extend_schema(
        request=ConclusionInputSerializer,
        responses={200: ApplicationDetailSerializer, **ACTION_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def conclusions(self, request, pk=None):
        """Record (or replace) an analyst's conclusion of a kind."""
        application = self.get_object()
        data = ConclusionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.conclusion_record(
            application_id=application.pk, **data.validated_data, by=request.user
        )
        return self._answer(application.pk)

    @extend_schema(
        responses={
            200: DecisionSerializer,
            **READ_ERRORS,
            404: error_response("No such application, or the committee has not decided yet."),
        }
    )
    @action(detail=True, methods=["get"])
    def decision(self, request, pk=None):
        """The committee's decision; reading it opens the credit file (audited)."""
        application = self._open(pk)  # the decision is part of the credit file
        try:
            decision = application.decision
        except Decision.DoesNotExist:
            raise NotFound(_("The committee has not decided on this application yet.")) from None
        return Response(DecisionSerializer(decision).data)
