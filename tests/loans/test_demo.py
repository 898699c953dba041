"""The demo data: loans at each servicing state, and seeding twice adds nothing."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from applications.models import Application
from loans.models import DayClose, Installment, LedgerEntry, Loan, LoanSnapshot, Payment


def _seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def _counts() -> dict[str, int]:
    models = [Application, Loan, Installment, LedgerEntry, Payment, LoanSnapshot, DayClose]
    return {model.__name__: model.objects.count() for model in models}


def _paid(loan: Loan) -> int:
    return loan.installments.filter(
        version=loan.schedule_version, status=Installment.Status.PAID
    ).count()


def test_demo_loans_are_at_every_servicing_state_closed_through_yesterday(db):
    yesterday = timezone.localdate() - timedelta(days=1)

    output = _seed()

    assert "Loans: 8" in output
    assert DayClose.objects.order_by("-business_date").first().business_date == yesterday
    assert not LedgerEntry.objects.filter(value_date__gt=yesterday).exists()
    assert Loan.objects.filter(status=Loan.Status.DRAFT).count() == 1
    signed = Loan.objects.get(status=Loan.Status.SIGNED)
    assert signed.disbursed_on is None and signed.planned_disbursement_date > timezone.localdate()

    latest = {s.loan_id: s for s in LoanSnapshot.objects.filter(on=yesterday)}
    active = {
        loan: latest[loan.pk]
        for loan in Loan.objects.filter(status=Loan.Status.ACTIVE, schedule_version=1)
    }
    assert len(active) == 3
    late = [(loan, s) for loan, s in active.items() if s.days_past_due]
    held = [(loan, s) for loan, s in active.items() if s.held]
    on_time = [loan for loan, s in active.items() if not s.days_past_due and not s.held]

    ((late_loan, late_snapshot),) = late
    assert 45 <= late_snapshot.days_past_due <= 48
    assert late_loan.acceleration_flagged_on is not None
    assert late_snapshot.overdue_principal > 0 and late_snapshot.penalty > 0

    ((held_loan, held_snapshot),) = held
    assert held_snapshot.days_past_due == 0 and _paid(held_loan) == 1
    upcoming = held_loan.installments.filter(
        version=held_loan.schedule_version, due_date__gt=yesterday
    )
    assert 0 < held_snapshot.held < upcoming.order_by("number").first().total

    (paying,) = on_time
    assert _paid(paying) >= 2 and paying.acceleration_flagged_on is None

    closed = Loan.objects.get(status=Loan.Status.CLOSED)
    last = closed.snapshots.order_by("-on").first()
    assert closed.closed_on == last.on
    assert (last.principal, last.interest, last.penalty, last.held) == (0, 0, 0, 0)
    assert _paid(closed) == closed.term_months
    assert closed.archive.keep_until > closed.closed_on

    prepaid = Loan.objects.get(prepayments__isnull=False)
    assert prepaid.status == Loan.Status.ACTIVE and prepaid.schedule_version == 2
    assert latest[prepaid.pk].days_past_due == 0
    assert late_loan.demands.count() == 1 and late_loan.restructurings.get().status == "requested"

    written_off = Loan.objects.get(status=Loan.Status.WRITTEN_OFF)
    assert latest[written_off.pk].days_past_due > 90  # still followed by the close

    from prudential.models import K1Run

    run = K1Run.objects.get(on=yesterday)  # the risk dashboard opens on it
    assert run.status == "done" and run.mm90_loans.get().loan == written_off


def test_seeding_the_demo_twice_adds_nothing(db):
    _seed()
    before = _counts()

    _seed()

    assert _counts() == before
