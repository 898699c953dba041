"""Paying to an account other than the contract's: requested by one person, approved by another."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from loans.models.loans import Loan, PayoutSource


class PayoutAccountChange(models.Model):
    """A request to pay a loan's disbursement or refund to another account (four eyes).

    Approved by someone other than the requester, it is used by one payout and then spent.
    """

    class State(models.TextChoices):
        REQUESTED = "requested", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        USED = "used", _("Used by a payout")

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="payout_account_changes")
    account = models.CharField(_("account"), max_length=34)  # compact IBAN or masked card
    source = models.CharField(_("taken from"), max_length=20, choices=PayoutSource.choices)
    reason = models.TextField(_("reason"))
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.REQUESTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    used_at = models.DateTimeField(_("paid at"), null=True, blank=True)

    class Meta:
        verbose_name = _("payout account change")
        verbose_name_plural = _("payout account changes")
        ordering = ["-requested_at", "-id"]
        constraints = [
            # four eyes, kept by the database too: the requester never decides their request
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("requested_by")),
                name="payout_change_other_decides",
            ),
            models.CheckConstraint(
                condition=Q(state="requested") | Q(decided_by__isnull=False),
                name="payout_change_decided_by_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.loan} → {self.account}"
