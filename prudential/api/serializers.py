"""The prudential API's shapes (DOMAIN.md §11): k1 runs, alerts, action plans, return notices.

As in the loans API: choices go back as plain codes, money as strings with two decimals, and
shares as percent strings, unrounded to eight places as stored.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api.fields import choice_code
from prudential.models import (
    ActionPlan,
    Alert,
    K1Loan,
    K1Run,
    Measure,
    PlanNote,
    ReturnNotice,
)

SHARE_HELP = "Percent of the loan portfolio, a decimal string."


def username(source: str, **kwargs) -> serializers.CharField:
    return serializers.CharField(
        source=f"{source}.username", read_only=True, allow_null=True, default=None, **kwargs
    )


# --- inputs ---------------------------------------------------------------------------------


class K1RunListQuerySerializer(serializers.Serializer):
    official = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="Only reporting dates, or none."
    )
    breached = serializers.BooleanField(required=False, allow_null=True, default=None)
    status = serializers.ChoiceField(choices=K1Run.Status.choices, required=False)
    date_from = serializers.DateField(required=False, help_text="From this date on.")
    date_to = serializers.DateField(required=False, help_text="Up to this date.")

    def validate(self, attrs):
        start, end = attrs.get("date_from"), attrs.get("date_to")
        if start and end and start > end:
            raise serializers.ValidationError({"date_to": [_("Must not precede date_from.")]})
        return attrs


class AlertListQuerySerializer(serializers.Serializer):
    acknowledged = serializers.BooleanField(required=False, allow_null=True, default=None)
    kind = serializers.ChoiceField(choices=Alert.Kind.choices, required=False)


class ActionPlanListQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ActionPlan.Status.choices, required=False)


class K1RunInputSerializer(serializers.Serializer):
    on = serializers.DateField(help_text="A closed business date.")


class SubmitInputSerializer(serializers.Serializer):
    on = serializers.DateField(help_text="The day the plan was sent to the regulator.")


class ApproveInputSerializer(serializers.Serializer):
    on = serializers.DateField(help_text="The date of the regulator's written approval.")


class SentInputSerializer(serializers.Serializer):
    on = serializers.DateField(help_text="The day the notice was sent to the regulator.")


class PeriodInputSerializer(serializers.Serializer):
    period_to = serializers.DateField(help_text="At least three months from the plan's start.")


class MeasureInputSerializer(serializers.Serializer):
    what = serializers.CharField(help_text="The measure.")
    how = serializers.CharField(help_text="How it is done: its order.")
    deadline = serializers.DateField(help_text="Within the plan's period.")
    responsible = serializers.IntegerField(min_value=1, help_text="The manager's user id.")


class NoteInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=PlanNote.Kind.choices,
        help_text="A regulator's remark on a submitted plan, or the MFO's objection to remarks.",
    )
    on = serializers.DateField()
    text = serializers.CharField()


# --- outputs --------------------------------------------------------------------------------


class K1RunSerializer(serializers.ModelSerializer):
    status = choice_code(K1Run.Status)

    class Meta:
        model = K1Run
        fields = ["id", "on", "status", "official", "share", "limit", "breached"]
        read_only_fields = fields
        extra_kwargs = {"share": {"help_text": SHARE_HELP}, "limit": {"help_text": "Percent."}}


class K1RunDetailSerializer(serializers.ModelSerializer):
    status = choice_code(K1Run.Status)
    run_by = username("run_by", help_text="Null for the nightly run.")
    action_plan = serializers.SerializerMethodField()
    return_notice = serializers.SerializerMethodField()

    class Meta:
        model = K1Run
        fields = ["id", "on", "status", "official", "mm90", "portfolio", "share", "limit",
                  "breached", "loans", "loans_over_90", "exposure_61_90", "share_if_61_90_cross",
                  "reading", "started_at", "finished_at", "run_by", "action_plan",
                  "return_notice"]  # fmt: skip
        read_only_fields = fields
        extra_kwargs = {
            "share": {"help_text": SHARE_HELP},
            "share_if_61_90_cross": {"help_text": SHARE_HELP},
            "limit": {"help_text": "Percent."},
            "mm90": {"help_text": "KZT: principal and interest of the loans over 90 days."},
            "portfolio": {"help_text": "KZT: principal and interest of every loan (LP)."},
        }

    def get_action_plan(self, run) -> int | None:
        """The id of the action plan a breach on this reporting date opened."""
        plan = getattr(run, "action_plan", None)
        return plan.pk if plan else None

    def get_return_notice(self, run) -> int | None:
        """The id of the notice drafted when the share came back within the limit."""
        notice = getattr(run, "return_notice", None)
        return notice.pk if notice else None


class K1LoanSerializer(serializers.ModelSerializer):
    number = serializers.CharField(source="loan.number", read_only=True)

    class Meta:
        model = K1Loan
        fields = ["loan", "number", "principal", "interest", "days_past_due", "written_off"]
        read_only_fields = fields


class AlertSerializer(serializers.ModelSerializer):
    kind = choice_code(Alert.Kind)
    run_on = serializers.DateField(source="run.on", read_only=True, allow_null=True, default=None)
    acknowledged_by = username("acknowledged_by")

    class Meta:
        model = Alert
        fields = ["id", "on", "kind", "message", "run", "run_on", "plan", "created_at",
                  "acknowledged_at", "acknowledged_by"]  # fmt: skip
        read_only_fields = fields


class MeasureSerializer(serializers.ModelSerializer):
    responsible_name = serializers.CharField(source="responsible.get_full_name", read_only=True)
    responsible_username = serializers.CharField(source="responsible.username", read_only=True)

    class Meta:
        model = Measure
        fields = ["id", "what", "how", "deadline", "responsible", "responsible_username",
                  "responsible_name", "done_on"]  # fmt: skip
        read_only_fields = fields


class PlanNoteSerializer(serializers.ModelSerializer):
    kind = choice_code(PlanNote.Kind)
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True)

    class Meta:
        model = PlanNote
        fields = ["id", "kind", "on", "text", "recorded_by", "recorded_at"]
        read_only_fields = fields


class ActionPlanSerializer(serializers.ModelSerializer):
    status = choice_code(ActionPlan.Status)
    share = serializers.DecimalField(
        source="run.share", max_digits=12, decimal_places=8, read_only=True, help_text=SHARE_HELP
    )
    limit = serializers.DecimalField(
        source="run.limit", max_digits=7, decimal_places=4, read_only=True, help_text="Percent."
    )

    class Meta:
        model = ActionPlan
        fields = ["id", "run", "reporting_date", "share", "limit", "status", "submit_by",
                  "approve_by", "period_from", "period_to", "submitted_on", "reply_by",
                  "approved_on"]  # fmt: skip
        read_only_fields = fields


class ActionPlanDetailSerializer(ActionPlanSerializer):
    measures = MeasureSerializer(many=True, read_only=True)
    notes = PlanNoteSerializer(many=True, read_only=True)

    class Meta(ActionPlanSerializer.Meta):
        fields = [*ActionPlanSerializer.Meta.fields, "created_at", "measures", "notes"]
        read_only_fields = fields


class ReturnNoticeSerializer(serializers.ModelSerializer):
    share = serializers.DecimalField(
        source="run.share", max_digits=12, decimal_places=8, read_only=True, help_text=SHARE_HELP
    )
    sent_by = username("sent_by")

    class Meta:
        model = ReturnNotice
        fields = ["id", "run", "reporting_date", "share", "due_by", "text", "sent_on", "sent_by"]
        read_only_fields = fields
