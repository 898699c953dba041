"""Collateral items of applications (DOMAIN.md §15): registering one, its title documents,
appraisals, encumbrance, insurance, monitoring and release, each its own action.

Reads go through the selectors (opening an item opens its application's credit file, audited);
every change is one service call, whose ``DomainError`` the exception handler turns into 400/409
naming the field. A refused role is stopped before anything is read or written.
"""

from __future__ import annotations

import django_filters
from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from applications.branches import visible_applications
from applications.selectors import credit_file_open
from collateral import services
from collateral.api.common import (
    MONITORING_ROLES,
    READ_ERRORS,
    READ_ROLES,
    REGISTER_ERRORS,
    RELEASE_ROLES,
    WRITE_ERRORS,
    WRITE_ROLES,
)
from collateral.api.serializers import (
    AppraisalInputSerializer,
    CollateralItemCreateSerializer,
    CollateralItemDetailSerializer,
    CollateralItemSummarySerializer,
    EncumbranceInputSerializer,
    InspectionInputSerializer,
    InspectionPhotoInputSerializer,
    InsuranceInputSerializer,
    InsurancePayoutInputSerializer,
    TitleDocumentInputSerializer,
)
from collateral.branches import visible_collateral_items
from collateral.models import Appraisal, CollateralItem, InsurancePayout, Kind, TitleDocument
from core.api.schema import error_response
from core.branches import choices_seen_by, require_visible

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
