from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from applications.models.applications import Application, RefusalGround
from core.money import MONEY, RATE
from lending.models import RepaymentMethod


class Meeting(models.Model):
    """A meeting of the credit committee with its agenda of applications."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CLOSED = "closed", _("Closed")

    number = models.CharField(_("number"), max_length=30, unique=True)
    held_on = models.DateField(_("date"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="committee_meetings",
        verbose_name=_("members present"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("committee meeting")
        verbose_name_plural = _("committee meetings")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return self.number


class AgendaItem(models.Model):
    """An application on a meeting's agenda, with the terms put to the vote."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="agenda_items"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    amount = models.DecimalField(_("amount, KZT"), **MONEY)
    term_months = models.PositiveSmallIntegerField(_("term, months"))
    rate = models.DecimalField(_("rate, % a year"), **RATE)
    method = models.CharField(_("repayment method"), max_length=20, choices=RepaymentMethod.choices)
    grace_months = models.PositiveSmallIntegerField(_("principal grace, months"), default=0)
    # A change of terms of the application's loan, put to the same vote (DOMAIN.md §9): the
    # link of the subject loans registers (``loans.committee``); the committee's code reads it
    # only through that subject (``applications.agenda``).
    restructuring = models.ForeignKey(
        "loans.Restructuring",
        on_delete=models.PROTECT,
        related_name="agenda_items",
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "application"],
                condition=Q(restructuring__isnull=True),
                name="agenda_item_unique",
            ),
            models.UniqueConstraint(
                fields=["meeting", "restructuring"],
                condition=Q(restructuring__isnull=False),
                name="agenda_restructuring_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meeting} · {self.application}"


class ConflictDeclaration(models.Model):
    """A member declares a conflict (e.g. a relative of the applicant) and may not vote."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="conflicts")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=300)
    declared_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("declared conflict")
        verbose_name_plural = _("declared conflicts")
        constraints = [
            models.UniqueConstraint(fields=["application", "member"], name="conflict_unique")
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.application}"


class Vote(models.Model):
    class Choice(models.TextChoices):
        FOR = "for", _("For")
        AGAINST = "against", _("Against")
        ABSTAIN = "abstain", _("Abstain")

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="votes")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    choice = models.CharField(_("vote"), max_length=10, choices=Choice.choices)
    comment = models.TextField(_("comment"), blank=True)
    cast_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [models.UniqueConstraint(fields=["item", "member"], name="vote_once")]

    def __str__(self) -> str:
        return f"{self.member}: {self.choice}"


class Decision(models.Model):
    """The committee's decision on an application: approved terms, or refusal with a ground."""

    class Outcome(models.TextChoices):
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, related_name="decision"
    )
    item = models.OneToOneField(AgendaItem, on_delete=models.PROTECT, related_name="decision")
    outcome = models.CharField(_("decision"), max_length=10, choices=Outcome.choices)
    amount = models.DecimalField(_("approved amount, KZT"), **MONEY, null=True, blank=True)
    term_months = models.PositiveSmallIntegerField(
        _("approved term, months"), null=True, blank=True
    )
    rate = models.DecimalField(_("approved rate, % a year"), **RATE, null=True, blank=True)
    method = models.CharField(
        _("repayment method"), max_length=20, choices=RepaymentMethod.choices, blank=True
    )
    grace_months = models.PositiveSmallIntegerField(_("principal grace, months"), default=0)
    refusal_ground = models.CharField(
        _("refusal ground"), max_length=30, choices=RefusalGround.choices, blank=True
    )
    comment = models.TextField(_("comment"), blank=True)
    votes_for = models.PositiveSmallIntegerField(default=0)
    votes_against = models.PositiveSmallIntegerField(default=0)
    votes_abstain = models.PositiveSmallIntegerField(default=0)
    decided_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("committee decision")
        verbose_name_plural = _("committee decisions")
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="refused", refusal_ground__gt="")
                | Q(
                    outcome="approved",
                    amount__isnull=False,
                    term_months__isnull=False,
                    rate__isnull=False,
                ),
                name="decision_complete",
            )
        ]

    def __str__(self) -> str:
        return f"{self.application}: {self.get_outcome_display()}"
