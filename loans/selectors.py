from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import (
    DecimalField,
    F,
    FilteredRelation,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from core.models import OVERDUE_STOP_CODES, OverdueStop
from core.money import ZERO
from core.regulation import Key, LoanClass, regulatory_value, regulatory_value_or_none
from loans.domain.ledger import Component as LedgerComponent
from loans.domain.ledger import Kind
from loans.domain.penalties import PenaltyCaps
from loans.domain.servicing import Position, ScheduleLine, ScheduleTotals, schedule_progress
from loans.models import ContactRecord, DayClose, LedgerEntry, Loan, LoanSnapshot, Payment

ACCRUAL_KINDS = frozenset({Kind.INTEREST_ACCRUAL, Kind.OVERDUE_INTEREST_ACCRUAL})


def penalty_caps(*, on: date, to_individual: bool) -> PenaltyCaps:
    """The legal caps on penalties in force on a date (DOMAIN.md §12).

    Loans to individuals (not for business) have a lower daily cap, a yearly cap as a share of
    the loan amount, and no accrual after 90 days overdue; business loans only the daily cap.
    """
    if not to_individual:
        return PenaltyCaps(max_daily_rate=regulatory_value(Key.PENALTY_DAILY_MAX, on=on))
    individual = LoanClass.INDIVIDUAL
    year_share = regulatory_value_or_none(Key.PENALTY_YEAR_SHARE_MAX, on=on, loan_class=individual)
    stop_days = regulatory_value_or_none(Key.PENALTY_STOP_DAYS, on=on, loan_class=individual)
    scope = regulatory_value_or_none(Key.OVERDUE_STOP_SCOPE, on=on, loan_class=individual)
    return PenaltyCaps(
        max_daily_rate=regulatory_value(Key.PENALTY_DAILY_MAX, on=on, loan_class=individual),
        # stored in percent, as the regulation states it; the domain takes a fraction
        max_total_share_of_loan_per_contract_year=year_share / 100 if year_share else None,
        stop_after_days_overdue=int(stop_days) if stop_days else None,
        # DOMAIN.md §12's default, the full stop, unless the table says otherwise
        stop_scope=OVERDUE_STOP_CODES.get(scope, OverdueStop.PENALTY_AND_INTEREST).value,
    )


# --- servicing -------------------------------------------------------------------------


def loan_list():
    return Loan.objects.select_related("borrower", "product", "branch", "officer")


def loan_position(loan: Loan, *, on: date | None = None) -> Position:
    """The loan's balances from its ledger (one aggregate query); at the end of ``on`` if given."""
    entries = LedgerEntry.objects.filter(loan=loan)
    if on is not None:
        entries = entries.filter(value_date__lte=on)
    rows = entries.values("component", "kind").annotate(total=Sum("amount")).order_by()
    totals = {component: ZERO for component in LedgerComponent}
    interest_accrued = disbursed = ZERO
    for row in rows:
        if row["kind"] == Kind.DISBURSEMENT:
            disbursed += row["total"]
        totals[LedgerComponent(row["component"])] += row["total"]
        if row["component"] == LedgerComponent.INTEREST and row["kind"] in ACCRUAL_KINDS:
            interest_accrued += row["total"]
    return Position(
        amount=disbursed,  # nothing before the money goes out: a draft has repaid nothing
        principal=totals[LedgerComponent.PRINCIPAL],
        interest=totals[LedgerComponent.INTEREST],
        penalty=totals[LedgerComponent.PENALTY],
        held=-totals[LedgerComponent.HELD],
        interest_accrued=interest_accrued,
    )


def current_installments(loan: Loan):
    return loan.installments.filter(version=loan.schedule_version).order_by("number")


def schedule_totals(loan: Loan, *, on: date) -> ScheduleTotals:
    """Cumulative scheduled amounts on ``on`` (DOMAIN.md §6: due, and late after grace)."""
    lines = (
        current_installments(loan)
        .filter(due_date__lte=on)
        .values(
            "due_date",
            "grace_date",
            "cumulative_principal",
            "cumulative_interest",
            "cumulative_interest_waived",
        )
    )
    return schedule_totals_of(list(lines), on=on)


def schedule_totals_of(lines: list[dict], *, on: date) -> ScheduleTotals:
    """``schedule_totals`` of the current schedule's lines (dicts, by number), in memory."""
    lines = [line for line in lines if line["due_date"] <= on]
    if not lines:
        return ScheduleTotals()
    due, late = lines[-1], [line for line in lines if line["grace_date"] < on]
    return ScheduleTotals(
        principal_due=due["cumulative_principal"],
        interest_due=_charged(due),
        principal_late=late[-1]["cumulative_principal"] if late else ZERO,
        interest_late=_charged(late[-1]) if late else ZERO,
        last_due_date=due["due_date"],
    )


def _charged(line: dict) -> Decimal:
    """The scheduled interest charged through a line: less what the full stop waived."""
    return line["cumulative_interest"] - line["cumulative_interest_waived"]


def interest_waived_by_line(lines) -> list[Decimal]:
    """Each line's own scheduled interest waived by the full stop after days overdue (the
    lines keep cumulative totals, set as they fall due: a line not yet due waives nothing)."""
    waived, before = [], ZERO
    for line in lines:
        through = max(before, line.cumulative_interest_waived)
        waived.append(through - before)
        before = through
    return waived


def last_closed_date() -> date | None:
    return DayClose.objects.aggregate(last=Max("business_date"))["last"]


def latest_snapshot(loan: Loan) -> LoanSnapshot | None:
    return loan.snapshots.order_by("-on").first()


def with_latest_snapshot(loans, *, on: date | None = None):
    """Annotate loans with their snapshot of ``on`` (default: the last closed date)."""
    on = on or last_closed_date()
    fields = (
        "principal",
        "interest",
        "penalty",
        "held",
        "overdue_principal",
        "overdue_interest",
        "days_past_due",
    )
    # One LEFT JOIN on the (loan, on) unique key rather than a subquery per figure and loan:
    # the portfolio list sorts every loan by its days past due.
    day = loans.annotate(day_snapshot=FilteredRelation("snapshots", condition=Q(snapshots__on=on)))
    return day.annotate(**{f"snap_{name}": F(f"day_snapshot__{name}") for name in fields})


def portfolio(*, on: date | None = None, filters: dict | None = None):
    """Disbursed loans with their figures on a date; ``filters``: status, product, branch,
    officer, min_dpd, max_dpd (days past due)."""
    filters = filters or {}
    loans = with_latest_snapshot(
        loan_list().filter(
            status__in=[Loan.Status.ACTIVE, Loan.Status.WRITTEN_OFF, Loan.Status.CLOSED]
        ),
        on=on,
    )
    for name, lookup in (
        ("status", "status"),
        ("product", "product_id"),
        ("branch", "branch_id"),
        ("officer", "officer_id"),
    ):
        if filters.get(name):
            loans = loans.filter(**{lookup: filters[name]})
    if filters.get("min_dpd") is not None:
        loans = loans.filter(snap_days_past_due__gte=filters["min_dpd"])
    if filters.get("max_dpd") is not None:
        loans = loans.filter(snap_days_past_due__lte=filters["max_dpd"])
    return loans.order_by(F("snap_days_past_due").desc(nulls_last=True), "number")


def collection_queue(*, on: date | None = None):
    """Late loans, the latest first by days past due, with the last contact and promise."""
    last_contact = ContactRecord.objects.filter(loan=OuterRef("pk")).order_by("-contacted_at")
    return (
        with_latest_snapshot(
            loan_list().filter(status__in=[Loan.Status.ACTIVE, Loan.Status.WRITTEN_OFF]), on=on
        )
        .filter(snap_days_past_due__gt=0)
        .annotate(
            last_contact_at=Subquery(last_contact.values("contacted_at")[:1]),
            last_outcome=Subquery(last_contact.values("outcome")[:1]),
            promised_on=Subquery(
                last_contact.filter(outcome=ContactRecord.Outcome.PROMISE).values("promised_on")[:1]
            ),
        )
        .order_by("-snap_days_past_due", "number")
    )


def disbursement_queue():
    """Signed contracts waiting for the accountant."""
    return loan_list().filter(status=Loan.Status.SIGNED).order_by("signed_on", "id")


def contracts_to_draw():
    """Applications the borrower accepted that have no contract yet."""
    from applications.models import Application, Stage

    return (
        Application.objects.filter(stage=Stage.ACCEPTED, loan__isnull=True)
        .select_related("applicant", "product", "decision")
        .order_by("stage_changed_at")
    )


def schedule_with_progress(loan: Loan, *, on: date):
    """The current schedule, each line with what is paid of it and its state on ``on``."""
    lines = list(current_installments(loan))
    position = loan_position(loan)
    # Interest payments settle the scheduled interest first; what exceeds the interest due so
    # far paid interest on late principal, not a later instalment.
    scheduled_interest_paid = min(
        position.interest_repaid, schedule_totals(loan, on=on).interest_due
    )
    waived = interest_waived_by_line(lines)
    progress = schedule_progress(
        [
            ScheduleLine(
                line.number, line.due_date, line.grace_date, line.principal, line.interest - less
            )
            for line, less in zip(lines, waived, strict=True)
        ],
        position.principal_repaid,
        scheduled_interest_paid,
        on,
    )
    return list(zip(lines, progress, strict=True))


def schedule_versions(loan: Loan):
    """Every schedule the loan had, oldest first, with what changed it."""
    return loan.schedule_versions.select_related(
        "created_by", "prepayment", "restructuring"
    ).order_by("version")


def version_lines(loan: Loan, version: int):
    return loan.installments.filter(version=version).order_by("number")


def write_offs():
    """Written-off loans with what was written off and what has been recovered since."""
    from loans.models import WriteOff

    recovered = (
        Payment.objects.filter(
            loan=OuterRef("loan"),
            value_date__gte=OuterRef("on"),
            reversed_at__isnull=True,
        )
        .order_by()
        .values("loan")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return (
        WriteOff.objects.select_related("loan", "loan__borrower", "loan__product", "loan__branch")
        .annotate(recovered=Coalesce(Subquery(recovered), Value(ZERO), output_field=DecimalField()))
        .order_by("-on", "-id")
    )


def secured_debt(application) -> Decimal | None:
    """What the loan serviced for ``application`` still owes (principal, interest, penalty, never
    below zero); None without one. The collateral asks it through ``collateral.hooks``."""
    # a written-off loan is still owed, and still secured
    serviced = [Loan.Status.ACTIVE, Loan.Status.WRITTEN_OFF]
    loan = Loan.objects.filter(application=application, status__in=serviced).first()
    if loan is None:
        return None
    position = loan_position(loan)
    return max(position.principal + position.interest + position.penalty, Decimal(0))
