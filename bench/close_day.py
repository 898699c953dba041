"""How fast the daily close (loans/services/closing.py) runs over a large portfolio.

    python bench/close_day.py [--loans 100000] [--days 1] [--date YYYY-MM-DD]
                              [--database-url postgres://postgres@127.0.0.1:5432/mfo_bench]
                              [--reuse] [--commit]

Against a dedicated PostgreSQL database (created and migrated when missing; its loans are
replaced at every seeding), it seeds with COPY, in batches, N active 24-month annuity loans
disbursed over the two years before the benchmark date D, as the services and the nightly
close would have left them at the end of D - 1: the instalments, the ledger (disbursement,
interest on the due dates, repayments, the late payers' penalty and overdue interest, those
summed per stretch of days) and each loan's snapshot of D - 1, computed with the same pure
domain functions as the close. Borrowers: 85 % pay on the due date, 8 % 1-30 days late,
4 % 31-90 days late, 3 % stopped paying. The repayments of D itself are posted too, as the
desk would have before the night's run (each closing its loan's day first, as payment_post
does).

Then it times ``close_day(on=D)`` (and the next dates with --days) and a re-run of the last
date, which posts nothing. The closes run in one transaction that is rolled back at the end
(the deferred foreign-key checks are forced inside the timing), so that the same seed can be
timed again with --reuse; --commit keeps what they posted.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.money import ZERO, to_tiyn
from loans.domain.allocation import Component as Debt
from loans.domain.allocation import allocate
from loans.domain.dates import add_years, roll_to_business_day
from loans.domain.daycount import DayCount, days_between, year_basis
from loans.domain.gesv import gesv_of_schedule
from loans.domain.ledger import Component, Kind
from loans.domain.schedule import LoanTerms, Method, build_schedule
from loans.domain.servicing import (
    Accruals,
    AccrualTerms,
    InstallmentDue,
    Position,
    ScheduleTotals,
    accrue_day,
    accrued_not_due,
    debts_due,
    late_amounts,
    oldest_late,
)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/mfo_bench"
ONE_DAY = timedelta(days=1)
BATCH = 10_000
TERM = 24
SPREAD_DAYS = 720  # disbursements over the two years before the benchmark date
AMOUNTS = [Decimal(n * 100_000) for n in (2, 3, 5, 8, 10, 15, 20, 25, 30, 40, 50)]
PRODUCT = "almaty-unsecured"
# (share of borrowers, how they pay): days late for each instalment, or None: stopped paying
MIX = [(0.85, (0, 0)), (0.08, (1, 30)), (0.04, (31, 90)), (0.03, None)]
ACCELERATION_AFTER = 40  # as closing.ACCELERATION_AFTER_DAYS

# Ledger kinds and components, and the instalment statuses, as the rows store them.
DISBURSEMENT, REPAYMENT = Kind.DISBURSEMENT.value, Kind.REPAYMENT.value
HELD_APPLIED = Kind.HELD_APPLIED.value
INTEREST_ACCRUAL = Kind.INTEREST_ACCRUAL.value
OVERDUE_INTEREST_ACCRUAL = Kind.OVERDUE_INTEREST_ACCRUAL.value
PENALTY_ACCRUAL = Kind.PENALTY_ACCRUAL.value
PRINCIPAL, INTEREST, PENALTY, HELD = (c.value for c in Component)
PENDING, PAID, OVERDUE = "pending", "paid", "overdue"
# Which ledger component each part of an allocation repays (as services.payments).
LEDGER_COMPONENT = {
    Debt.OVERDUE_PRINCIPAL: PRINCIPAL,
    Debt.CURRENT_PRINCIPAL: PRINCIPAL,
    Debt.OVERDUE_INTEREST: INTEREST,
    Debt.CURRENT_INTEREST: INTEREST,
    Debt.PENALTY: PENALTY,
}


def setup_django(database_url: str) -> None:
    """Point Django at the bench database, create it when missing, migrate it."""
    os.environ["DATABASE_URL"] = database_url
    os.environ["DEBUG"] = "off"  # DEBUG would keep every query in memory
    os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mfo.settings")
    _create_database(database_url)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def _create_database(database_url: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    server = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(server, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


# --- the seed -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One instalment as stored, with its grace date and cumulative totals."""

    number: int
    due_date: date
    grace_date: date
    days: int
    principal: Decimal
    interest: Decimal
    total: Decimal
    balance: Decimal
    cumulative_principal: Decimal
    cumulative_interest: Decimal


@dataclass
class Seeded:
    loans: int = 0
    installments: int = 0
    entries: int = 0
    entries_on_close_date: int = 0
    snapshots: int = 0
    late_loans: int = 0
    seconds: float = 0.0


@dataclass
class History:
    """One loan's life up to the benchmark date, as rows to copy."""

    entries: list[tuple] = field(default_factory=list)  # (value_date, kind, component, amount)
    snapshot: dict = field(default_factory=dict)
    statuses: list[str] = field(default_factory=list)
    flagged_on: date | None = None


class Portfolio:
    """What every seeded loan shares: the product, the branch, the officer, the calendar."""

    def __init__(self, on: date):
        from django.contrib.auth import get_user_model

        from core.demo import seed_products
        from core.selectors import business_calendar
        from loans.models import Branch, Product
        from loans.selectors import penalty_caps

        seed_products()
        self.on = on
        self.product = Product.objects.get(code=PRODUCT)
        self.branch = Branch.objects.order_by("id").first()
        self.officer, _ = get_user_model().objects.get_or_create(username="bench.officer")
        self.rate = self.product.min_rate
        self.day_count = DayCount(self.product.day_count)
        caps = penalty_caps(on=on, to_individual=False)  # business loans: the daily cap only
        self.penalty_rate = min(self.product.penalty_rate_daily, caps.max_daily_rate)
        assert caps.max_total_share_of_loan_per_contract_year is None
        assert caps.stop_after_days_overdue is None
        self.terms_base = AccrualTerms(
            annual_rate=self.rate,
            day_count=self.day_count,
            penalty_rate=self.penalty_rate,
            penalty_year_cap=None,
            stop_after_days=None,
            start=on,
        )
        first = on - timedelta(days=SPREAD_DAYS + 5)
        self.calendar = business_calendar(years=range(first.year, on.year + 4))
        self.gesv = gesv_of_schedule(self.schedule(AMOUNTS[0], on))

    def schedule(self, amount: Decimal, disbursed_on: date):
        return build_schedule(
            LoanTerms(
                amount=amount,
                annual_rate=self.rate,
                term_months=TERM,
                method=Method.ANNUITY,
                day_count=self.day_count,
                disbursement_date=disbursed_on,
                payment_multiple=self.product.payment_multiple,
            )
        )

    @cache  # noqa: B019 - one portfolio per run; ~8,000 schedules
    def lines(self, amount: Decimal, disbursed_on: date) -> tuple[Line, ...]:
        rows, principal, interest = [], ZERO, ZERO
        for item in self.schedule(amount, disbursed_on).installments:
            principal += item.principal
            interest += item.interest
            rows.append(
                Line(
                    number=item.number,
                    due_date=item.due_date,
                    grace_date=roll_to_business_day(item.due_date, self.calendar.is_business_day),
                    days=item.days,
                    principal=item.principal,
                    interest=item.interest,
                    total=item.total,
                    balance=item.balance,
                    cumulative_principal=principal,
                    cumulative_interest=interest,
                )
            )
        return tuple(rows)


def _totals(lines: tuple[Line, ...], day: date):
    """The schedule's cumulative totals on ``day`` (as ``selectors.schedule_totals``)."""
    due = late = None
    for line in lines:
        if line.due_date > day:
            break
        due = line
        if line.grace_date < day:
            late = line
    if due is None:
        return ScheduleTotals()
    return ScheduleTotals(
        principal_due=due.cumulative_principal,
        interest_due=due.cumulative_interest,
        principal_late=late.cumulative_principal if late else ZERO,
        interest_late=late.cumulative_interest if late else ZERO,
        last_due_date=due.due_date,
    )


def payment_days(
    lines: tuple[Line, ...], disbursed_on: date, on: date, habit: tuple[int, int] | None, rng
) -> dict[int, date]:
    """When the borrower pays each instalment (only those paid by ``on``)."""
    if habit is None:  # stopped paying: on time up to a random instalment already due
        due = [line for line in lines if line.due_date < on]
        stop = rng.randrange(len(due)) if due else 0
        return {line.number: line.due_date for line in due[:stop]}
    days = {}
    for line in lines:
        delay = rng.randint(*habit) if habit != (0, 0) else 0
        paid = line.due_date + timedelta(days=delay)
        if paid > on:
            break
        days[line.number] = max(paid, max(days.values(), default=paid))
    return days


class Replay:
    """One loan replayed as the desk and the close would have run it, event by event.

    The close of each day (``closing._close_loan``) posts the scheduled interest on a due date
    and the change of the rounded penalty and overdue interest; between two events (a due date,
    the day after a grace date, a payment, an anniversary) only those accruals move, by the
    same amount every day, so a stretch is accrued at once and posted as one entry per kind.
    The borrower pays an instalment with what is then owed on it plus the overdue interest
    and the penalty posted so far, split by ``allocate`` in the legal order. A loan paying on
    the benchmark date has that day closed by its payment, as ``payment_post`` does.
    """

    def __init__(self, portfolio: Portfolio, amount: Decimal, disbursed_on: date, lines):
        self.on, self.lines, self.amount = portfolio.on, lines, amount
        self.terms = replace(portfolio.terms_base, start=disbursed_on)
        self.basis = Decimal(100 * year_basis(self.terms.day_count))
        self.entries: list[tuple] = [(disbursed_on, DISBURSEMENT, PRINCIPAL, amount)]
        self.balance = {PRINCIPAL: amount, INTEREST: ZERO, PENALTY: ZERO, HELD: ZERO}
        self.interest_accrued = ZERO
        self.accruals = Accruals()
        self.posted = {
            INTEREST_ACCRUAL: ZERO,
            OVERDUE_INTEREST_ACCRUAL: ZERO,
            PENALTY_ACCRUAL: ZERO,
        }

    @property
    def position(self):
        b = self.balance
        return Position(
            amount=self.amount,
            principal=b[PRINCIPAL],
            interest=b[INTEREST],
            penalty=b[PENALTY],
            held=-b[HELD],
            interest_accrued=self.interest_accrued,
        )

    def move(self, day: date, kind: str, component: str, amount: Decimal) -> None:
        if amount:
            self.entries.append((day, kind, component, amount))
            self.balance[component] += amount
            if kind in (INTEREST_ACCRUAL, OVERDUE_INTEREST_ACCRUAL):
                self.interest_accrued += amount

    def post_accruals(self, day: date, interest_due: Decimal) -> None:
        """What the close posts: each accrual's target less what is already posted."""
        targets = {
            INTEREST_ACCRUAL: interest_due,
            OVERDUE_INTEREST_ACCRUAL: self.accruals.overdue_interest_posted,
            PENALTY_ACCRUAL: self.accruals.penalty_posted,
        }
        for kind, target in targets.items():
            if target > self.posted[kind]:
                component = PENALTY if kind == PENALTY_ACCRUAL else INTEREST
                self.move(day, kind, component, target - self.posted[kind])
                self.posted[kind] = target

    def repay(self, day: date, totals, money: Decimal, kind: str = REPAYMENT) -> Decimal:
        """Split ``money`` over the debts due; returns what is left over."""
        split = allocate(money, debts_due(self.position, totals))
        for debt, part in split.parts.items():
            if part:
                self.move(day, kind, LEDGER_COMPONENT[debt], -part)
        return split.unapplied

    def accrue_stretch(self, first: date, last: date) -> None:
        """The close of ``first`` .. ``last``, days on which nothing but the accruals moved."""
        late_principal, late_interest = late_amounts(self.position, _totals(self.lines, last))
        if not (late_principal or late_interest):
            return
        days = (last - first).days + 1
        penalty = (late_principal + late_interest) * self.terms.penalty_rate / 100 * days
        principal_days = self.accruals.late_principal_days + late_principal * days_between(
            first - ONE_DAY, last, self.terms.day_count
        )
        exact = self.accruals.penalty_exact + penalty
        self.accruals = replace(
            self.accruals,
            late_principal_days=principal_days,
            overdue_interest_posted=to_tiyn(principal_days * self.terms.annual_rate / self.basis),
            penalty_exact=exact,
            penalty_exact_this_year=self.accruals.penalty_exact_this_year + penalty,
            penalty_posted=to_tiyn(exact),
        )
        self.post_accruals(last, self.posted[INTEREST_ACCRUAL])

    def pay(self, day: date, totals, line: Line) -> None:
        """At the desk, after the loan's day is closed (``payment_post`` closes it first): the
        instalment, the overdue interest and the penalty posted so far; then, as the re-close
        of the day does, the held money meets what is due."""
        position = self.position
        interest = line.cumulative_interest + self.posted[OVERDUE_INTEREST_ACCRUAL]
        money = (
            max(ZERO, line.cumulative_principal - position.principal_repaid)
            + min(max(ZERO, interest - position.interest_repaid), max(position.interest, ZERO))
            + max(position.penalty, ZERO)
        )
        if money > 0:
            self.move(day, REPAYMENT, HELD, -self.repay(day, totals, money))
            self.apply_held(day, totals)

    def close(self, day: date, totals, late: tuple[Decimal, Decimal]) -> None:
        self.accruals = accrue_day(
            self.terms,
            self.accruals,
            on=day,
            late_principal=late[0],
            late_interest=late[1],
            late_since=None,  # only the stop after N days late needs it; business loans have none
        )
        self.post_accruals(day, totals.interest_due)
        self.apply_held(day, totals)

    def apply_held(self, day: date, totals) -> None:
        held = -self.balance[HELD]
        if held > 0:
            applied = held - self.repay(day, totals, held, HELD_APPLIED)
            self.move(day, HELD_APPLIED, HELD, applied)

    def run(self, pays: dict[int, date]) -> History:
        disbursed_on = self.terms.start
        snapshot_day = self.on - ONE_DAY
        paying = {day: number for number, day in pays.items()}
        by_number = {line.number: line for line in self.lines}
        events = {self.on, snapshot_day, *pays.values()}
        for line in self.lines:
            events.update((line.due_date, line.grace_date + ONE_DAY))
        events.update(add_years(disbursed_on, years) for years in range(1, 4))
        result = History()
        if snapshot_day == disbursed_on:
            self.snapshot(snapshot_day, result)
        previous = disbursed_on
        for day in sorted(d for d in events if disbursed_on < d <= self.on):
            if (day - previous).days > 1:
                self.accrue_stretch(previous + ONE_DAY, day - ONE_DAY)
            if day == self.on and day not in paying:
                break  # the close of the benchmark date is what is timed
            totals = _totals(self.lines, day)
            self.close(day, totals, late_amounts(self.position, totals))
            if day in paying:
                self.pay(day, totals, by_number[paying[day]])
            if day == snapshot_day:
                self.snapshot(day, result)
            previous = day
        result.entries = self.entries
        return result

    def snapshot(self, day: date, result: History) -> None:
        result.snapshot, result.statuses, result.flagged_on = snapshot_of(
            self.lines, self.position, self.accruals, self.terms, day
        )


def snapshot_of(lines, position, accruals, terms, day: date):
    """The snapshot the close leaves, the instalments' statuses and the acceleration flag."""
    totals = _totals(lines, day)
    due = debts_due(position, totals)
    late_since = None
    if sum(late_amounts(position, totals), ZERO) > 0:
        late = [
            InstallmentDue(x.due_date, x.grace_date, x.cumulative_principal, x.cumulative_interest)
            for x in lines
            if x.grace_date < day
        ]
        oldest = oldest_late(late, position, day)
        late_since = oldest.due_date if oldest else None
    days_past_due = (day - late_since).days if late_since else 0
    snapshot = {
        "on": day,
        "principal": position.principal,
        "interest": position.interest,
        "penalty": position.penalty,
        "held": position.held,
        "overdue_principal": due[Debt.OVERDUE_PRINCIPAL],
        "overdue_interest": due[Debt.OVERDUE_INTEREST],
        "accrued_interest": accrued_not_due(position, totals, terms, day),
        "days_past_due": days_past_due,
        "late_since": late_since,
        "interest_accrued_total": position.interest_accrued,
        "principal_due": totals.principal_due,
        "interest_due": totals.interest_due,
        "principal_late": totals.principal_late,
        "interest_late": totals.interest_late,
        "last_due_date": totals.last_due_date,
        "scheduled_interest_posted": totals.interest_due,
        "late_principal_days": accruals.late_principal_days,
        # one rate over the loan's life: the rate-weighted base is the days times the rate
        "overdue_interest_base": accruals.late_principal_days * terms.annual_rate,
        "overdue_interest_posted": accruals.overdue_interest_posted,
        "penalty_exact": accruals.penalty_exact,
        "penalty_exact_this_year": accruals.penalty_exact_this_year,
        "penalty_posted": accruals.penalty_posted,
    }
    # as closing._mark_installments leaves them
    principal, interest = position.principal_repaid, position.interest_repaid
    statuses = []
    for x in lines:
        if x.due_date > day:
            statuses.append(PENDING)
        elif x.cumulative_principal <= principal and x.cumulative_interest <= interest:
            statuses.append(PAID)
        else:
            statuses.append(OVERDUE if x.grace_date < day else PENDING)
    flagged_on = (
        late_since + timedelta(days=ACCELERATION_AFTER + 1)
        if days_past_due > ACCELERATION_AFTER
        else None
    )
    return snapshot, statuses, flagged_on


def on_time_history(portfolio: Portfolio, amount: Decimal, disbursed_on: date, lines) -> History:
    """What ``Replay`` gives for a borrower who pays every instalment on its due date, fast:
    no late amount ever, so no penalty or overdue interest; each due date the interest accrues
    and the instalment is repaid."""
    on, snapshot_day = portfolio.on, portfolio.on - ONE_DAY
    entries = [(disbursed_on, DISBURSEMENT, PRINCIPAL, amount)]
    paid = None
    for line in lines:
        if line.due_date > on:
            break
        if line.interest:
            entries.append((line.due_date, INTEREST_ACCRUAL, INTEREST, line.interest))
        if line.principal:
            entries.append((line.due_date, REPAYMENT, PRINCIPAL, -line.principal))
        if line.interest:
            entries.append((line.due_date, REPAYMENT, INTEREST, -line.interest))
        if line.due_date <= snapshot_day:
            paid = line
    principal = paid.cumulative_principal if paid else ZERO
    interest = paid.cumulative_interest if paid else ZERO
    position = Position(amount=amount, principal=amount - principal, interest_accrued=interest)
    terms = replace(portfolio.terms_base, start=disbursed_on)
    result = History(entries=entries)
    result.snapshot, result.statuses, result.flagged_on = snapshot_of(
        lines, position, Accruals(), terms, snapshot_day
    )
    return result


def history(portfolio: Portfolio, amount: Decimal, disbursed_on: date, lines, pays) -> History:
    if all(pays.get(x.number) == x.due_date for x in lines if x.due_date <= portfolio.on):
        return on_time_history(portfolio, amount, disbursed_on, lines)
    return Replay(portfolio, amount, disbursed_on, lines).run(pays)


def _iins() -> Iterator[str]:
    """Distinct valid IINs: men born from 1960 on, serials in order."""
    from core.identifiers import check_digit

    day = date(1960, 1, 1)
    while True:
        for serial in range(10_000):
            first = f"{day:%y%m%d}3{serial:04d}"
            digit = check_digit(first)
            if digit is not None:
                yield first + str(digit)
        day += ONE_DAY


class Copy:
    """Rows of one model for COPY: the varying columns, then constants and the model's defaults."""

    def __init__(self, model, columns: list[str], constants: dict | None = None):
        now = timezone.now()
        constants = constants or {}
        self.model, self.columns, self.rows = model, list(columns), []
        fixed = []
        for model_field in model._meta.concrete_fields:
            name = model_field.attname
            if name in self.columns or (model_field.primary_key and name not in constants):
                continue
            if name in constants:
                value = constants[name]
            elif getattr(model_field, "auto_now", False) or getattr(
                model_field, "auto_now_add", False
            ):
                value = now
            else:
                value = model_field.get_default()
                if value is None and not model_field.null:
                    raise ValueError(f"{model.__name__}.{name} needs a value in the bench seed")
            fixed.append((name, model_field.get_db_prep_save(value, connection)))
        self.fixed_names = [name for name, _value in fixed]
        self.fixed_values = tuple(value for _name, value in fixed)

    def add(self, *values) -> None:
        self.rows.append(values)

    def copy(self) -> int:
        table = connection.ops.quote_name(self.model._meta.db_table)
        names = ", ".join(connection.ops.quote_name(n) for n in self.columns + self.fixed_names)
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
        ):
            for row in self.rows:
                copy.write_row(row + self.fixed_values)
        count, self.rows = len(self.rows), []
        return count


SNAPSHOT_FIELDS = [
    "on",
    "principal",
    "interest",
    "penalty",
    "held",
    "overdue_principal",
    "overdue_interest",
    "accrued_interest",
    "days_past_due",
    "late_since",
    "interest_accrued_total",
    "principal_due",
    "interest_due",
    "principal_late",
    "interest_late",
    "last_due_date",
    "scheduled_interest_posted",
    "late_principal_days",
    "overdue_interest_base",
    "overdue_interest_posted",
    "penalty_exact",
    "penalty_exact_this_year",
    "penalty_posted",
]


def _clear() -> None:
    """Drop what an earlier seeding left; only in a database made for the bench."""
    from loans.models import Loan

    if not Loan.objects.exists():
        return
    if "bench" not in connection.settings_dict["NAME"]:
        raise SystemExit("This database holds loans and is not a bench database: not touching it.")
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE loans_dayclose, loans_loan, applications_application, "
            "applications_applicant RESTART IDENTITY CASCADE"
        )


def _next_id(model) -> int:
    return (model.objects.aggregate(top=Max("id"))["top"] or 0) + 1


def _reset_sequences(*models) -> None:
    with connection.cursor() as cursor:
        for model in models:
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "  # noqa: S608
                f'(SELECT MAX(id) FROM "{table}"))'
            )


@contextmanager
def _bulk_load():
    """Skip the per-row foreign-key triggers while copying rows built consistent (superuser)."""
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        try:
            yield
        finally:
            cursor.execute("SET session_replication_role = origin")


def seed(*, loans: int, on: date, batch: int = BATCH, rng_seed: int = 2026) -> Seeded:
    """N active loans as of the end of ``on`` - 1 (snapshots, DayClose) plus the repayments of
    ``on``. Memory stays bounded: one batch of loans at a time, each in its own transaction."""
    from applications.models import Applicant, Application, Stage
    from loans.models import DayClose, Installment, LedgerEntry, Loan, LoanSnapshot

    started = time.perf_counter()
    _clear()
    portfolio = Portfolio(on)
    snapshot_day = on - ONE_DAY
    rng = random.Random(rng_seed)
    iins = _iins()
    now = timezone.now()
    officer = portfolio.officer.pk
    first_applicant, first_application, first_loan = (
        _next_id(Applicant),
        _next_id(Application),
        _next_id(Loan),
    )
    applicants = Copy(
        Applicant,
        ["id", "iin", "name"],
        {
            "kind": "individual_entrepreneur",
            "region": "almaty_city",
            "phone": "+77010000000",
            "monthly_income": Decimal("900000"),
            "existing_monthly_payments": Decimal("50000"),
            "activity_code": "47.11",
            "created_by_id": officer,
        },
    )
    applications = Copy(
        Application,
        ["id", "number", "applicant_id", "requested_amount"],
        {
            "product_id": portfolio.product.pk,
            "purpose": "working_capital",
            "requested_term_months": TERM,
            "requested_rate": portfolio.rate,
            "method": "annuity",
            "stage": Stage.ACCEPTED.value,
            "stage_changed_at": now,
            "prepared_by_id": officer,
        },
    )
    loan_rows = Copy(
        Loan,
        [
            "id",
            "number",
            "application_id",
            "borrower_id",
            "amount",
            "contract_date",
            "planned_disbursement_date",
            "signed_on",
            "disbursed_on",
            "acceleration_flagged_on",
        ],
        {
            "product_id": portfolio.product.pk,
            "branch_id": portfolio.branch.pk,
            "officer_id": officer,
            "status": Loan.Status.ACTIVE.value,
            "purpose": "working_capital",
            "annual_rate": portfolio.rate,
            "term_months": TERM,
            "method": "annuity",
            "day_count": portfolio.day_count.value,
            "payment_multiple": portfolio.product.payment_multiple,
            "penalty_rate_daily": portfolio.penalty_rate,
            "gesv": portfolio.gesv.quantize(Decimal("0.1")),
            "gesv_cap": portfolio.product.gesv_cap,
            "schedule_version": 1,
            "created_by_id": officer,
            "signed_by_id": officer,
            "disbursed_by_id": officer,
            "disbursement_channel": Loan.Channel.ACCOUNT.value,
            "payee_account": "KZ86125KZT5004100100",  # a valid IBAN, as the contract's
            "payout_account": "KZ86125KZT5004100100",
            "payout_account_source": "borrower_file",
        },
    )
    installments = Copy(
        Installment,
        [
            "loan_id",
            "number",
            "due_date",
            "grace_date",
            "days",
            "principal",
            "interest",
            "total",
            "balance",
            "cumulative_principal",
            "cumulative_interest",
            "status",
        ],
        {"version": 1},
    )
    ledger = Copy(
        LedgerEntry,
        ["loan_id", "value_date", "kind", "component", "amount"],
        {"posted_by_id": None},
    )
    snapshots = Copy(LoanSnapshot, ["loan_id", *SNAPSHOT_FIELDS])
    shares = [share for share, _habit in MIX]
    habits = [habit for _share, habit in MIX]
    result = Seeded()
    for start in range(0, loans, batch):
        with transaction.atomic(), _bulk_load():
            for index in range(start, min(start + batch, loans)):
                loan_id = first_loan + index
                applicant_id, application_id = first_applicant + index, first_application + index
                amount = rng.choice(AMOUNTS)
                disbursed_on = on - timedelta(days=rng.randint(1, SPREAD_DAYS))
                lines = portfolio.lines(amount, disbursed_on)
                habit = rng.choices(habits, shares)[0]
                pays = payment_days(lines, disbursed_on, on, habit, rng)
                life = history(portfolio, amount, disbursed_on, lines, pays)
                applicants.add(applicant_id, next(iins), f"Bench borrower {index + 1}")
                applications.add(application_id, f"B-{application_id:07d}", applicant_id, amount)
                signed = disbursed_on - ONE_DAY
                loan_rows.add(
                    loan_id,
                    f"MK-B-{loan_id:07d}",
                    application_id,
                    applicant_id,
                    amount,
                    signed,
                    disbursed_on,
                    signed,
                    disbursed_on,
                    life.flagged_on,
                )
                for line, status in zip(lines, life.statuses, strict=True):
                    installments.add(
                        loan_id,
                        line.number,
                        line.due_date,
                        line.grace_date,
                        line.days,
                        line.principal,
                        line.interest,
                        line.total,
                        line.balance,
                        line.cumulative_principal,
                        line.cumulative_interest,
                        status,
                    )
                for entry in life.entries:
                    ledger.add(loan_id, *entry)
                    result.entries_on_close_date += entry[0] == on
                snapshots.add(loan_id, *(life.snapshot[name] for name in SNAPSHOT_FIELDS))
                result.late_loans += life.snapshot["days_past_due"] > 0
            applicants.copy()
            applications.copy()
            result.loans += loan_rows.copy()
            result.installments += installments.copy()
            result.entries += ledger.copy()
            result.snapshots += snapshots.copy()
    _reset_sequences(Applicant, Application, Loan)
    DayClose.objects.update_or_create(
        business_date=snapshot_day, defaults={"loans": result.loans, "runs": 1}
    )
    vacuum()
    result.seconds = time.perf_counter() - started
    return result


def vacuum() -> None:
    """What autovacuum does to tables in daily use (and what rolled-back closes left behind)."""
    from loans.models import Installment, LedgerEntry, Loan, LoanSnapshot

    command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
    with connection.cursor() as cursor:
        for model in (Loan, Installment, LedgerEntry, LoanSnapshot):
            cursor.execute(f'{command} "{model._meta.db_table}"')


# --- the close ------------------------------------------------------------------------------


@dataclass
class Timed:
    on: date
    seconds: float
    loans: int
    entries_posted: int
    sql_seconds: float
    queries: int
    python_cpu: float  # this process
    database_cpu: float | None  # the PostgreSQL backend serving it, when it runs on this host

    @property
    def per_second(self) -> float:
        return self.loans / self.seconds if self.seconds else 0.0


def timed_close(on: date) -> Timed:
    """``close_day(on=...)``, with the deferred constraint checks it triggers, timed."""
    from loans.services import close_day

    sql = {"seconds": 0.0, "queries": 0}

    def measure(execute, query, params, many, context):
        started = time.perf_counter()
        try:
            return execute(query, params, many, context)
        finally:
            sql["seconds"] += time.perf_counter() - started
            sql["queries"] += 1

    backend = _backend_cpu()
    database_cpu, python_cpu = backend(), time.process_time()
    started = time.perf_counter()
    with connection.execute_wrapper(measure):
        result = close_day(on=on)
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the checks a commit would run
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    seconds = time.perf_counter() - started
    after = backend()
    return Timed(
        on=on,
        seconds=seconds,
        loans=result.loans,
        entries_posted=result.entries_posted,
        sql_seconds=sql["seconds"],
        queries=sql["queries"],
        python_cpu=time.process_time() - python_cpu,
        database_cpu=None if after is None else after - database_cpu,
    )


def _backend_cpu():
    """A function giving the CPU seconds of this connection's PostgreSQL backend, or None:
    on a busy machine the wall-clock time says more about the neighbours than about the close."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    stat = Path(f"/proc/{pid}/stat")
    ticks = os.sysconf("SC_CLK_TCK")

    def read() -> float | None:
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / ticks  # utime + stime

    return read


def run_closes(on: date, days: int, *, commit: bool = False) -> list[Timed]:
    """Close ``on`` and the next ``days`` - 1 dates, then re-run the last one."""
    runs = []
    with transaction.atomic():
        for offset in range(days):
            runs.append(timed_close(on + timedelta(days=offset)))
        runs.append(timed_close(on + timedelta(days=days - 1)))
        if not commit:
            transaction.set_rollback(True)
    return runs


def _seeded_already(loans: int, on: date) -> bool:
    from loans.models import DayClose, Loan

    closes = set(DayClose.objects.values_list("business_date", flat=True))
    return closes == {on - ONE_DAY} and Loan.objects.count() == loans


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--loans", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=1, help="consecutive dates to close")
    parser.add_argument("--date", type=date.fromisoformat, default=date.today())
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--reuse", action="store_true", help="time the existing seed if it fits")
    parser.add_argument("--commit", action="store_true", help="keep what the closes post")
    args = parser.parse_args()
    setup_django(args.database_url)

    print(f"Daily close of {args.date}, {args.loans:,} loans ({_mix()})")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"  machine: {os.cpu_count()} CPUs, load average {load}")
    if args.reuse and _seeded_already(args.loans, args.date):
        vacuum()
        print("  seed: reused")
    else:
        seeded = seed(loans=args.loans, on=args.date)
        print(
            f"  seeded in {seeded.seconds:.1f} s: {seeded.installments:,} instalments, "
            f"{seeded.entries:,} ledger entries ({seeded.entries_on_close_date:,} on "
            f"{args.date}), {seeded.snapshots:,} snapshots, {seeded.late_loans:,} loans late"
        )
    runs = run_closes(args.date, args.days, commit=args.commit)
    print(f"  load average after: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    for number, run in enumerate(runs):
        label = "re-run" if number == len(runs) - 1 else "close"
        print(
            f"  {label:>6} {run.on}: {run.seconds:7.1f} s  {run.per_second:7.0f} loans/s  "
            f"{run.loans:,} loans  {run.entries_posted:,} entries posted  "
            f"(SQL {run.sql_seconds:.1f} s in {run.queries:,} queries; CPU: Python "
            f"{run.python_cpu:.1f} s, PostgreSQL {_seconds(run.database_cpu)})"
        )


def _seconds(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f} s"


def _mix() -> str:
    parts = []
    for share, habit in MIX:
        if habit is None:
            what = "stopped paying"
        elif habit == (0, 0):
            what = "on time"
        else:
            what = f"{habit[0]}-{habit[1]} days late"
        parts.append(f"{share:.0%} {what}")
    return ", ".join(parts)


if __name__ == "__main__":
    main()
