"""The API of corrections of identity (issue 15, item 2): list, request, approve, reject.

A correction is requested by one person and decided by another (``applications.identity``);
the roles are the services' own, and every role here may see personal data.
"""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from applications import identity
from applications.branches import visible_applicants, visible_identity_corrections
from applications.models import Applicant, IdentityCorrection
from applications.selectors import identity_correction_list
from core.api.schema import error_response
from core.audit import personal_values_shown
from core.branches import choices_seen_by, require_visible
from core.identifiers import validate_bin, validate_iin

CORRECTION_ROLES = identity.REQUEST_ROLES | identity.DECIDE_ROLES
VALUES = serializers.DictField(
    child=serializers.CharField(allow_null=True),
    help_text="By field (`iin`, `bin`, `name`, `birth_date`): only the fields corrected.",
)


class IdentityCorrectionRequestSerializer(serializers.Serializer):
    applicant = serializers.PrimaryKeyRelatedField(queryset=Applicant.objects.all())
    iin = serializers.CharField(
        max_length=12,
        required=False,
        allow_blank=True,
        validators=[validate_iin],
        help_text="The corrected IIN.",
    )
    bin = serializers.CharField(
        max_length=12,
        required=False,
        allow_blank=True,
        validators=[validate_bin],
        help_text="The corrected BIN.",
    )
    name = serializers.CharField(
        max_length=300, required=False, allow_blank=True, help_text="The corrected name."
    )
    birth_date = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="The corrected date of birth; left out, a person's is taken from the IIN.",
    )
    reason = serializers.CharField(help_text="Why, and the document showing the correct data.")


class IdentityCorrectionRejectSerializer(serializers.Serializer):
    comment = serializers.CharField(help_text="Why the correction is rejected.")


class IdentityCorrectionSerializer(serializers.ModelSerializer):
    status = serializers.CharField(
        read_only=True, help_text="One of: `pending`, `approved`, `rejected`."
    )
    applicant_name = serializers.CharField(source="applicant.name", read_only=True)
    old = serializers.SerializerMethodField(help_text="The values the correction replaces.")
    new = serializers.SerializerMethodField(help_text="The corrected values.")
    requested_by = serializers.CharField(source="requested_by.username", read_only=True)
    decided_by = serializers.CharField(
        source="decided_by.username", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = IdentityCorrection
        fields = [
            "id", "applicant", "applicant_name", "status", "old", "new", "reason",
            "requested_by", "requested_at", "decided_by", "decided_at", "decision_comment",
        ]  # fmt: skip
        read_only_fields = fields

    def _values(self, values: dict) -> dict:
        user = self.context["request"].user
        text = {field: None if v is None else str(v) for field, v in values.items()}
        return personal_values_shown(user, text)

    @extend_schema_field(VALUES)
    def get_old(self, correction: IdentityCorrection) -> dict:
        return self._values(identity.correction_values(correction)[0])

    @extend_schema_field(VALUES)
    def get_new(self, correction: IdentityCorrection) -> dict:
        return self._values(identity.correction_values(correction)[1])


class IdentityCorrectionFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=IdentityCorrection.Status.choices)
    applicant = django_filters.ModelChoiceFilter(queryset=choices_seen_by(visible_applicants))

    class Meta:
        model = IdentityCorrection
        fields = ["status", "applicant"]


DECIDE_ERRORS = {
    403: error_response(
        "The role may not decide, or you requested this correction (`four_eyes`): a second "
        "person decides."
    ),
    404: error_response("No such correction."),
    409: error_response("The correction has already been decided (`errors.status`)."),
}


class IdentityCorrectionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Corrections of a party's IIN/BIN, name or date of birth once a contract is signed:
    requested by one person, approved or rejected by a second (four eyes)."""

    allowed_roles = CORRECTION_ROLES
    allowed_roles_by_action = {
        "create": identity.REQUEST_ROLES,
        "approve": identity.DECIDE_ROLES,
        "reject": identity.DECIDE_ROLES,
    }
    serializer_class = IdentityCorrectionSerializer
    filterset_class = IdentityCorrectionFilter
    ordering_fields = ["requested_at"]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return visible_identity_corrections(self.request.user, identity_correction_list())

    def _answer(self, correction_id: int, code: int = status.HTTP_200_OK) -> Response:
        correction = identity_correction_list().get(pk=correction_id)
        return Response(self.get_serializer(correction).data, status=code)

    @extend_schema(responses={200: IdentityCorrectionSerializer(many=True)})
    def list(self, request, *args, **kwargs):
        """Corrections the user's branch sees, the newest first; `status=pending` is the queue."""
        return super().list(request, *args, **kwargs)

    @extend_schema(responses={200: IdentityCorrectionSerializer})
    def retrieve(self, request, *args, **kwargs):
        """One correction, with the values it replaces and the corrected ones."""
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        request=IdentityCorrectionRequestSerializer,
        responses={
            201: IdentityCorrectionSerializer,
            400: error_response(
                "Invalid input, a corrected value refused (`errors` names the field), no "
                "reason, or nothing changed."
            ),
            403: error_response("The role may not request a correction."),
            409: error_response("A correction of this applicant already awaits a decision."),
        },
    )
    def create(self, request):
        """Request a correction; the applicant changes only when a second person approves."""
        data = IdentityCorrectionRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        applicant = fields.pop("applicant")
        require_visible(request.user, "applicant", applicant, field="applicant")
        correction = identity.applicant_identity_correction_request(
            applicant_id=applicant.pk, reason=fields.pop("reason"), changes=fields, by=request.user
        )
        return self._answer(correction.pk, status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={
            200: IdentityCorrectionSerializer,
            400: error_response(
                "The corrected value is no longer acceptable (e.g. the IIN is now registered "
                "to another applicant): `errors` names the field; the correction stays pending."
            ),
            **DECIDE_ERRORS,
        },
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve a correction someone else requested; it is applied at once."""
        correction = self.get_object()
        identity.applicant_identity_correction_approve(correction_id=correction.pk, by=request.user)
        return self._answer(correction.pk)

    @extend_schema(
        request=IdentityCorrectionRejectSerializer,
        responses={200: IdentityCorrectionSerializer, **DECIDE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """Reject a correction someone else requested, saying why; nothing changes."""
        correction = self.get_object()
        data = IdentityCorrectionRejectSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        identity.applicant_identity_correction_reject(
            correction_id=correction.pk, comment=data.validated_data["comment"], by=request.user
        )
        return self._answer(correction.pk)
