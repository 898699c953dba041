"""The collateral API (issue 5, item 8): items, guarantees, coverage and the inspection queue.

Reads go through the selectors (opening an item opens its application's credit file, audited);
every change is one service call, whose ``DomainError`` the exception handler turns into 400/409
naming the field. A refused role is stopped before anything is read or written.
"""

from __future__ import annotations

from decimal import Decimal

import django_filters
from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from applications.models import Application
from applications.selectors import credit_file_open
from collateral import services
from collateral.api.serializers import (
    AppraisalInputSerializer,
    CollateralCoverageSerializer,
    CollateralItemCreateSerializer,
    CollateralItemDetailSerializer,
    CollateralItemSummarySerializer,
    CoverageQuerySerializer,
    EncumbranceInputSerializer,
    GuaranteeInputSerializer,
    GuaranteeSerializer,
    InspectionDueSerializer,
    InspectionInputSerializer,
    InspectionPhotoInputSerializer,
    InsuranceInputSerializer,
    InsurancePayoutInputSerializer,
    TitleDocumentInputSerializer,
)
from collateral.domain.valuation import coverage_shortfall
from collateral.models import (
    Appraisal,
    CollateralItem,
    Guarantee,
    InsurancePayout,
    Kind,
    TitleDocument,
)
from collateral.selectors import (
    application_coverage,
    collateral_of,
    inspection_queue,
    latest_appraisal,
    pledge_values,
    required_coverage,
    secured_amount,
)
from core.api.schema import error_response
from core.branches import (
    choices_seen_by,
    require_visible,
    visible_applications,
    visible_collateral_items,
    visible_guarantees,
)
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
# items, title documents, appraisals, guarantees, the encumbrance and insurance
WRITE_ROLES = frozenset({Role.CREDIT_ADMINISTRATOR, Role.ADMINISTRATOR, Role.BRANCH_SYSTEM})
# inspections and insurance payouts: the monitoring of the collateral (DOMAIN.md §15)
MONITORING_ROLES = frozenset({Role.MONITORING_MANAGER, Role.ADMINISTRATOR})
# giving the originals back is the MFO's own act at closure, never a branch system's
RELEASE_ROLES = frozenset({Role.CREDIT_ADMINISTRATOR, Role.ADMINISTRATOR})


READ_ERRORS = {
    403: error_response("The role may not read this."),
    404: error_response("No such collateral item."),
}
WRITE_ERRORS = {
    400: error_response("Invalid input or a rule broken: `errors` names the field and says why."),
    403: error_response("The role may not change this."),
}
REGISTER_ERRORS = {
    **WRITE_ERRORS,
    409: error_response(
        "The application takes no collateral now (unsecured, or its package is closed): "
        "`errors.application` says why."
    ),
}
ITEM_ERRORS = {
    **WRITE_ERRORS,
    404: READ_ERRORS[404],
    409: error_response("The item has been released: `errors.item`."),
}
RELEASE_ERRORS = {
    403: WRITE_ERRORS[403],
    404: READ_ERRORS[404],
    409: error_response("The loan is not closed, or the item is already released: `errors.item`."),
}


def _item_list() -> QuerySet[CollateralItem]:
    # No list selector exists for items across applications: the latest pledge value is
    # annotated as in ``selectors.pledge_values``, in one query for the page.
    latest = Appraisal.objects.filter(item=OuterRef("pk")).order_by("-appraised_on", "-id")
    return CollateralItem.objects.select_related("application", "pledgor").annotate(
        latest_pledge_value=Subquery(latest.values("pledge_value")[:1])
    )


def _item_detail() -> QuerySet[CollateralItem]:
    return (
        _item_list()
        .select_related("pledgor__applicant", "registered_by", "pledge")
        .prefetch_related(
            Prefetch("title_documents", queryset=TitleDocument.objects.order_by("id")),
            "appraisals__recorded_by",
            "insurances",
            "inspections__inspector",
            "inspections__photos",
            Prefetch("payouts", queryset=InsurancePayout.objects.order_by("received_on", "id")),
        )
    )


class CollateralItemFilter(django_filters.FilterSet):
    application = django_filters.ModelChoiceFilter(queryset=choices_seen_by(visible_applications))
    kind = django_filters.ChoiceFilter(choices=Kind.choices)
    # a choice, not a BooleanFilter: that one takes `?released=maybe` as "not filtered"
    released = django_filters.ChoiceFilter(
        choices=[("true", "true"), ("false", "false")],
        method="filter_released",
        label="Released (true) or still pledged (false)",
    )

    class Meta:
        model = CollateralItem
        fields = ["application", "kind", "released"]

    def filter_released(self, queryset, name, value):
        return queryset.filter(released_at__isnull=value != "true")


class CollateralItemViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Collateral items of applications (DOMAIN.md §15); each change is its own action."""

    allowed_roles = READ_ROLES
    allowed_roles_by_action = {
        **dict.fromkeys(
            ("create", "title_documents", "appraisals", "encumbrance", "insurances"), WRITE_ROLES
        ),
        "inspections": MONITORING_ROLES,
        "inspection_photos": MONITORING_ROLES,
        "insurance_payouts": MONITORING_ROLES,
        "release": RELEASE_ROLES,
    }
    serializer_class = CollateralItemSummarySerializer
    filterset_class = CollateralItemFilter
    ordering_fields = ["registered_at"]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return visible_collateral_items(self.request.user, _item_list())

    def _answer(self, item_id: int, status_code: int = status.HTTP_200_OK) -> Response:
        # the service has audited the change; answering with its result opens nothing new
        item = _item_detail().get(pk=item_id)
        context = self.get_serializer_context()
        return Response(CollateralItemDetailSerializer(item, context=context).data, status_code)

    def _change(self, service, input_serializer=None) -> Response:
        """The item (404 first), the input (400), one service call (400/409), the item again."""
        item = self.get_object()
        fields = {}
        if input_serializer is not None:
            data = input_serializer(data=self.request.data)
            data.is_valid(raise_exception=True)
            fields = data.validated_data
        service(item_id=item.pk, **fields, by=self.request.user)
        return self._answer(item.pk)

    @extend_schema(
        responses={200: CollateralItemSummarySerializer(many=True), 403: READ_ERRORS[403]}
    )
    def list(self, request, *args, **kwargs):
        """Collateral items, filtered by `application`, `kind` and `released`."""
        return super().list(request, *args, **kwargs)

    @extend_schema(responses={200: CollateralItemDetailSerializer, **READ_ERRORS})
    def retrieve(self, request, pk=None):
        """The item in full; opening it opens the application's credit file (audited)."""
        item = self.get_object()
        credit_file_open(application_id=item.application_id, user=request.user)
        return self._answer(item.pk)

    @extend_schema(
        request=CollateralItemCreateSerializer,
        responses={201: CollateralItemDetailSerializer, **REGISTER_ERRORS},
    )
    def create(self, request):
        """Offer an item as security for a secured application while its package is open."""
        data = CollateralItemCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        require_visible(request.user, "application", fields["application"], field="application")
        item = services.collateral_item_register(
            application_id=fields.pop("application").pk,
            kind=fields.pop("kind"),
            pledgor=fields.pop("pledgor", None),
            data=fields,
            by=request.user,
        )
        return self._answer(item.pk, status.HTTP_201_CREATED)

    @extend_schema(
        request=TitleDocumentInputSerializer,
        responses={200: CollateralItemDetailSerializer, **ITEM_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="title-documents")
    def title_documents(self, request, pk=None):
        """Add a title document; by default the MFO holds its original from now on."""
        return self._change(services.title_document_add, TitleDocumentInputSerializer)

    @extend_schema(
        request=AppraisalInputSerializer,
        responses={200: CollateralItemDetailSerializer, **ITEM_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def appraisals(self, request, pk=None):
        """Record an appraisal; pledge value = market value × the type's liquidity coefficient."""
        return self._change(services.appraisal_record, AppraisalInputSerializer)

    @extend_schema(
        request=EncumbranceInputSerializer,
        responses={200: CollateralItemDetailSerializer, **ITEM_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def encumbrance(self, request, pk=None):
        """The pledge agreement and the state of the encumbrance's registration."""
        return self._change(services.pledge_agreement_register, EncumbranceInputSerializer)

    @extend_schema(
        request=InsuranceInputSerializer,
        responses={200: CollateralItemDetailSerializer, **ITEM_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def insurances(self, request, pk=None):
        """Add an insurance policy; the MFO must be its beneficiary."""
        return self._change(services.insurance_add, InsuranceInputSerializer)

    @extend_schema(
        request=InspectionInputSerializer,
        responses={200: CollateralItemDetailSerializer, **ITEM_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def inspections(self, request, pk=None):
        """Record a monitoring visit; a coverage below the product's minimum is flagged."""
        return self._change(services.inspection_record, InspectionInputSerializer)

    @extend_schema(
        request={"multipart/form-data": InspectionPhotoInputSerializer},
        responses={200: CollateralItemDetailSerializer, **ITEM_ERRORS},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="inspection-photos",
        parser_classes=[MultiPartParser],
    )
    def inspection_photos(self, request, pk=None):
        """Attach a photo taken at one of the item's inspections."""
        item = self.get_object()
        data = InspectionPhotoInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        inspection = item.inspections.filter(pk=data.validated_data["inspection"]).first()
        if inspection is None:
            raise ValidationError({"inspection": ["Not an inspection of this item."]})
        services.inspection_photo_add(
            inspection_id=inspection.pk, upload=data.validated_data["photo"], by=request.user
        )
        return self._answer(item.pk)

    @extend_schema(
        request=InsurancePayoutInputSerializer,
        responses={200: CollateralItemDetailSerializer, **ITEM_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="insurance-payouts")
    def insurance_payouts(self, request, pk=None):
        """Record a payout; the excess over the secured debt is due to the pledgor in 3 days."""
        return self._change(services.insurance_payout_record, InsurancePayoutInputSerializer)

    @extend_schema(request=None, responses={200: CollateralItemDetailSerializer, **RELEASE_ERRORS})
    @action(detail=True, methods=["post"])
    def release(self, request, pk=None):
        """Release the item at closure: the originals are marked as returned to the pledgor."""
        return self._change(services.collateral_release)


class GuaranteeFilter(django_filters.FilterSet):
    application = django_filters.ModelChoiceFilter(queryset=choices_seen_by(visible_applications))

    class Meta:
        model = Guarantee
        fields = ["application"]


class GuaranteeViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Guarantees by persons and legal entities, jointly and severally liable (DOMAIN.md §15)."""

    allowed_roles = READ_ROLES
    allowed_roles_by_action = {"create": WRITE_ROLES}
    serializer_class = GuaranteeSerializer
    filterset_class = GuaranteeFilter
    ordering_fields = ["registered_at"]

    def get_queryset(self):
        # no selector lists guarantees: the application's number is shown with each
        guarantees = Guarantee.objects.select_related("application").order_by("id")
        return visible_guarantees(self.request.user, guarantees)

    @extend_schema(responses={200: GuaranteeSerializer(many=True), 403: READ_ERRORS[403]})
    def list(self, request, *args, **kwargs):
        """Guarantees, filtered by `application`."""
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=GuaranteeInputSerializer, responses={201: GuaranteeSerializer, **REGISTER_ERRORS}
    )
    def create(self, request):
        """Add a guarantee to an application while its package is open."""
        data = GuaranteeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        require_visible(request.user, "application", fields["application"], field="application")
        guarantee = services.guarantee_add(
            application_id=fields.pop("application").pk, **fields, by=request.user
        )
        guarantee = self.get_queryset().get(pk=guarantee.pk)
        return Response(self.get_serializer(guarantee).data, status=status.HTTP_201_CREATED)


def _coverage(application: Application) -> dict:
    """The secured amount against the product's minimum, with each item's latest pledge value."""
    amount = secured_amount(application)
    required = required_coverage(application)
    values = pledge_values(application)
    shortfall = coverage_shortfall(values, amount, required)
    decision = getattr(application, "decision", None)  # as ``secured_amount`` chooses
    items = []
    for item in collateral_of(application).filter(released_at__isnull=True).order_by("id"):
        appraisal = latest_appraisal(item)
        items.append(
            {
                "item": item.pk,
                "kind": item.kind,
                "description": item.description,
                "appraised_on": appraisal.appraised_on if appraisal else None,
                "market_value": appraisal.market_value if appraisal else None,
                "pledge_value": appraisal.pledge_value if appraisal else None,
            }
        )
    return {
        "application": application.pk,
        "application_number": application.number,
        "product_code": application.product.code,
        "amount": amount,
        "amount_basis": "approved" if decision is not None and decision.amount else "requested",
        "pledge_value": sum(values, Decimal(0)),
        "coverage": application_coverage(application),
        "required_coverage": required,
        "meets_minimum": shortfall == 0,
        "shortfall": shortfall,
        "items": items,
    }


class CoverageView(APIView):
    """How far the collateral covers the requested (or approved) amount."""

    allowed_roles = READ_ROLES

    @extend_schema(
        parameters=[CoverageQuerySerializer],
        responses={
            200: CollateralCoverageSerializer,
            400: error_response("No such application, or none given: `errors.application`."),
            403: READ_ERRORS[403],
        },
    )
    def get(self, request):
        """The coverage of `application` against its product's minimum, with the pledge values."""
        query = CoverageQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        application = query.validated_data["application"]
        require_visible(request.user, "application", application, field="application")
        return Response(CollateralCoverageSerializer(_coverage(application)).data)


class InspectionQueueView(generics.ListAPIView):
    """The monitoring queue: items whose inspection is overdue today, most overdue first."""

    allowed_roles = READ_ROLES
    serializer_class = InspectionDueSerializer
    filter_backends: list = []  # the queue is computed, not a queryset

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return []
        return inspection_queue(as_of=timezone.localdate(), user=self.request.user)

    @extend_schema(responses={200: InspectionDueSerializer(many=True), 403: READ_ERRORS[403]})
    def get(self, request, *args, **kwargs):
        """Overdue inspections, most overdue first, with the item and its application."""
        return super().get(request, *args, **kwargs)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        items = CollateralItem.objects.select_related("application").in_bulk(
            [row.item_id for row in page]
        )
        rows = []
        for row in page:
            item = items[row.item_id]
            rows.append(
                {
                    "item": item.pk,
                    "application": item.application_id,
                    "application_number": item.application.number,
                    "kind": item.kind,
                    "description": item.description,
                    "due": row.due,
                    "days_overdue": row.days_overdue,
                }
            )
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)
