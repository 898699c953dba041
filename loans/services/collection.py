"""Collection work: contacts with late borrowers, and reminders before a due date (DOMAIN.md §8)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import F as models_F
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit
from core.errors import DomainError
from core.money import to_tiyn
from loans.guards import lock_loan, require_status
from loans.models import ContactRecord, Installment, Loan

REMIND_DAYS_BEFORE = 3


@transaction.atomic(durable=True)
def contact_record(
    *,
    loan_id: int,
    channel: str,
    outcome: str,
    by,
    note: str = "",
    promised_amount: Decimal | None = None,
    promised_on: date | None = None,
    today: date | None = None,
) -> ContactRecord:
    """Record a contact with a borrower: its channel, outcome and any promise to pay."""
    today = today or timezone.localdate()
    loan = lock_loan(loan_id)
    # Collectors keep working a written-off loan: it still owes (DOMAIN.md §11).
    require_status(loan, Loan.Status.ACTIVE, Loan.Status.WRITTEN_OFF)
    if channel not in ContactRecord.Channel.values:
        raise DomainError(_("Choose a channel."), field="channel", code="invalid")
    if outcome not in ContactRecord.Outcome.values:
        raise DomainError(_("Choose an outcome."), field="outcome", code="invalid")
    if outcome == ContactRecord.Outcome.PROMISE:
        if (
            promised_amount is None
            or promised_amount <= 0
            or to_tiyn(promised_amount) != promised_amount
        ):
            raise DomainError(
                _("A promise to pay needs a positive amount in whole tiyn."),
                field="promised_amount",
                code="required",
            )
        if promised_on is None or promised_on < today:
            raise DomainError(
                _("A promise to pay needs a date from today on."),
                field="promised_on",
                code="required",
            )
    else:
        promised_amount, promised_on = None, None
    record = ContactRecord.objects.create(
        loan=loan,
        channel=channel,
        outcome=outcome,
        note=note,
        promised_amount=promised_amount,
        promised_on=promised_on,
        contacted_at=timezone.now(),
        recorded_by=by,
    )
    audit(loan, "loan.contact_recorded", by=by, data={"channel": channel, "outcome": outcome})
    return record


def due_reminders_send(*, today: date, days_before: int = REMIND_DAYS_BEFORE) -> int:
    """Queue an SMS reminder for every instalment due in ``days_before`` days; once per due date.

    Set-based: one query for the instalments, one bulk insert; a repeat run adds nothing.
    """
    due_on = today + timedelta(days=days_before)
    lines = Installment.objects.filter(
        due_date=due_on,
        loan__status=Loan.Status.ACTIVE,
        version=models_F("loan__schedule_version"),
    ).values_list("loan_id", "total")
    now = timezone.now()
    records = [
        ContactRecord(
            loan_id=loan_id,
            channel=ContactRecord.Channel.SMS,
            outcome=ContactRecord.Outcome.REMINDER_SENT,
            note=_("Reminder: %(amount)s KZT due on %(date)s.")
            % {"amount": total, "date": due_on.isoformat()},
            reminder_for=due_on,
            contacted_at=now,
        )
        for loan_id, total in lines
    ]
    sent = ContactRecord.objects.filter(reminder_for=due_on)
    before = sent.count()
    ContactRecord.objects.bulk_create(records, ignore_conflicts=True)
    return sent.count() - before
