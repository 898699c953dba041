"""A correction of who a party to a signed contract is (IIN/BIN, name, date of birth).

Once a contract is signed these are fixed (``applications.selectors.applicant_identity_fixed``);
a correction is requested by one person with a reason and applied only when a second person
approves it (``applications.identity``).
"""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from applications.models.applicants import Applicant
from core.identifiers import validate_bin, validate_iin

# The fields a correction may change, in the order they are shown.
IDENTITY_FIELDS = ("iin", "bin", "name", "birth_date")


class IdentityCorrection(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        APPROVED = "approved", _("Approved and applied")
        REJECTED = "rejected", _("Rejected")

    applicant = models.ForeignKey(
        Applicant,
        on_delete=models.PROTECT,
        related_name="identity_corrections",
        verbose_name=_("applicant"),
    )
    # the corrected values; empty: that field is not corrected
    iin = models.CharField(_("IIN"), max_length=12, blank=True, validators=[validate_iin])
    bin = models.CharField(_("BIN"), max_length=12, blank=True, validators=[validate_bin])
    name = models.CharField(_("full name or company name"), max_length=300, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    # the values the correction replaces (when requested; when applied, those it replaced)
    previous = models.JSONField(_("values before"), default=dict, encoder=DjangoJSONEncoder)
    reason = models.TextField(_("reason and the document it rests on"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_comment = models.TextField(_("comment on the decision"), blank=True)

    class Meta:
        verbose_name = _("identity correction")
        verbose_name_plural = _("identity corrections")
        ordering = ["-requested_at", "-id"]
        constraints = [
            # one open request at a time: an approver decides on what they reviewed
            models.UniqueConstraint(
                fields=["applicant"],
                condition=Q(status="pending"),
                name="identity_correction_one_pending",
            ),
            # four eyes, also in the database
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("requested_by")),
                name="identity_correction_four_eyes",
            ),
            models.CheckConstraint(
                condition=(
                    Q(status="pending", decided_by__isnull=True, decided_at__isnull=True)
                    | (~Q(status="pending") & Q(decided_by__isnull=False, decided_at__isnull=False))
                ),
                name="identity_correction_decided_by_someone",
            ),
            models.CheckConstraint(
                condition=~Q(iin="", bin="", name="", birth_date__isnull=True),
                name="identity_correction_changes_something",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.applicant} · {self.get_status_display()}"

    @property
    def changes(self) -> dict:
        """The corrected values by field, only the fields it corrects."""
        values = {field: getattr(self, field) for field in IDENTITY_FIELDS}
        return {field: value for field, value in values.items() if value not in ("", None)}
