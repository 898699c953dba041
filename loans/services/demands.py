"""Demands for early repayment: the whole debt after 40 days late, or the misused part of a
targeted loan with its fine (DOMAIN.md §8, §12; seed 004 ch.7 §1 p.6–7)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit
from core.errors import ConflictError, DomainError
from core.money import to_tiyn
from core.regulation import regulatory_value
from loans.guards import check_effective_date, lock_loan, require_status
from loans.ledger.close import bring_loan_up_to, reclose_loan
from loans.ledger.payoff import payoff_at
from loans.ledger.posting import post_misuse_fine
from loans.models import Demand, Loan, LoanSnapshot
from loans.selectors import loan_position

DEFAULT_DAYS_TO_PAY = 30  # the MFO's usual term in a demand letter; each demand may set its own


def _pay_by(on: date, pay_by: date | None) -> date:
    pay_by = pay_by or on + timedelta(days=DEFAULT_DAYS_TO_PAY)
    if pay_by <= on:
        raise DomainError(
            _("Give the borrower time to pay: a date after the demand."),
            field="pay_by",
            code="pay_by_not_after_demand",
        )
    return pay_by


def _number(loan: Loan, kind: str) -> str:
    prefix = "DA" if kind == Demand.Kind.ACCELERATION else "DM"
    return f"{prefix}-{loan.number}-{loan.demands.count() + 1:02d}"


@transaction.atomic(durable=True)
def demand_acceleration(
    *, loan_id: int, on: date, by, pay_by: date | None = None, today: date | None = None
) -> Demand:
    """Demand the whole debt of a loan more than 40 days late; the letter states the amounts
    owed on the demand's date."""
    today = today or timezone.localdate()
    loan = lock_loan(loan_id)
    require_status(loan, Loan.Status.ACTIVE, Loan.Status.WRITTEN_OFF)
    check_effective_date(loan, on, today)
    bring_loan_up_to(loan_id=loan.pk, through=on)
    snapshot = LoanSnapshot.objects.get(loan=loan, on=on)
    first_day = int(regulatory_value("acceleration_day", on=on))
    if snapshot.days_past_due < first_day:
        raise ConflictError(
            _(
                "Early repayment may be demanded from day %(day)s of delay; the loan is "
                "%(days)s days late."
            )
            % {"day": first_day, "days": snapshot.days_past_due},
            field="loan",
            code="not_late_enough",
        )
    quote = payoff_at(loan, on)
    position = loan_position(loan)
    demand = Demand.objects.create(
        loan=loan,
        number=_number(loan, Demand.Kind.ACCELERATION),
        kind=Demand.Kind.ACCELERATION,
        issued_on=on,
        pay_by=_pay_by(on, pay_by),
        days_past_due=snapshot.days_past_due,
        principal=max(position.principal, 0),
        interest=quote.total - quote.penalties - max(position.principal, 0),
        penalty=quote.penalties,
        issued_by=by,
    )
    audit(loan, "loan.acceleration_demanded", by=by, data={"demand": demand.number})
    return demand


@transaction.atomic(durable=True)
def demand_misuse(
    *,
    loan_id: int,
    on: date,
    misused_amount: Decimal,
    details: str,
    by,
    pay_by: date | None = None,
    today: date | None = None,
) -> Demand:
    """The loan was spent on something else than its purpose: demand the misused part early
    and charge the fine (10 % of it, a dated regulatory number), due at once."""
    today = today or timezone.localdate()
    loan = lock_loan(loan_id)
    require_status(loan, Loan.Status.ACTIVE)
    check_effective_date(loan, on, today)
    if not (details or "").strip():
        raise DomainError(
            _("Describe what the inspection found."), field="details", code="required"
        )
    bring_loan_up_to(loan_id=loan.pk, through=on)
    principal = loan_position(loan).principal
    if (
        misused_amount is None
        or misused_amount <= 0
        or to_tiyn(misused_amount) != misused_amount
        or misused_amount > principal
    ):
        raise DomainError(
            _(
                "The misused amount must be positive, in whole tiyn, at most the principal "
                "outstanding (%(principal)s)."
            )
            % {"principal": principal},
            field="misused_amount",
            code="invalid_amount",
        )
    fine = to_tiyn(misused_amount * regulatory_value("misuse_fine", on=on) / 100)
    post_misuse_fine(loan, on=on, fine=fine, by=by)
    reclose_loan(loan_id=loan.pk, since=on)
    demand = Demand.objects.create(
        loan=loan,
        number=_number(loan, Demand.Kind.MISUSE),
        kind=Demand.Kind.MISUSE,
        issued_on=on,
        pay_by=_pay_by(on, pay_by),
        principal=misused_amount,
        misused_amount=misused_amount,
        fine=fine,
        details=details.strip(),
        issued_by=by,
    )
    audit(
        loan,
        "loan.misuse_demanded",
        by=by,
        data={"demand": demand.number, "misused": str(misused_amount), "fine": str(fine)},
    )
    return demand
