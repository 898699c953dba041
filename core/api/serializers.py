from __future__ import annotations

from rest_framework import serializers

from core.audit import audit_data_shown
from core.models import AuditEvent
from core.roles import user_roles


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    full_name = serializers.CharField(source="get_full_name")
    roles = serializers.SerializerMethodField()

    def get_roles(self, user) -> list[str]:
        return sorted(role.value for role in user_roles(user))


class AuditEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", default=None, allow_null=True)
    target_type = serializers.CharField(source="target_type.model", default=None, allow_null=True)

    class Meta:
        model = AuditEvent
        fields = ["id", "at", "actor", "action", "target_type", "target_id", "target_repr", "data"]
        extra_kwargs = {
            "data": {"help_text": "Old and new values of personal data (`old`, `new`) are "
                     "masked for roles that may not see personal data."}
        }  # fmt: skip

    def to_representation(self, event: AuditEvent) -> dict:
        body = super().to_representation(event)
        body["data"] = audit_data_shown(self.context["request"].user, body["data"])
        return body
