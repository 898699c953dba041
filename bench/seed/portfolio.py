"""The portfolio the close and k1 benchmarks time, copied in set-based.

Into a database made for the bench (its loans are replaced at every seeding), with COPY, in
batches: N active 24-month annuity loans disbursed over the two years before the benchmark
date D, as the services and the nightly close would have left them at the end of D - 1: the
instalments, the ledger (disbursement, interest on the due dates, repayments, the late payers'
penalty and overdue interest, those summed per stretch of days) and each loan's snapshot of
D - 1 (``history``). Borrowers: 85 % pay on the due date, 8 % 1-30 days late, 4 % 31-90 days
late, 3 % stopped paying. The repayments of D itself are posted too, as the desk would have
before the night's run (each closing its loan's day first, as payment_post does).
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from bench.common import ONE_DAY, is_bench_database

from .bulk import Copy, bulk_load, iins, next_id, reset_sequences
from .history import history, payment_days
from .terms import AMOUNTS, SPREAD_DAYS, TERM, Portfolio

BATCH = 10_000
# (share of borrowers, how they pay): days late for each instalment, or None: stopped paying
MIX = [(0.85, (0, 0)), (0.08, (1, 30)), (0.04, (31, 90)), (0.03, None)]


@dataclass
class Seeded:
    loans: int = 0
    installments: int = 0
    entries: int = 0
    entries_on_close_date: int = 0
    snapshots: int = 0
    late_loans: int = 0
    seconds: float = 0.0


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


def clear() -> None:
    """Drop what an earlier seeding left; only in a database made for the bench."""
    from loans.models import Loan

    if not Loan.objects.exists():
        return
    if not is_bench_database(connection.settings_dict["NAME"]):
        raise SystemExit("This database holds loans and is not a bench database: not touching it.")
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE loans_dayclose, loans_loan, applications_application, "
            "applications_applicant RESTART IDENTITY CASCADE"
        )


def seed(
    *, loans: int, on: date, batch: int = BATCH, rng_seed: int = 2026, keep: bool = False
) -> Seeded:
    """N active loans as of the end of ``on`` - 1 (snapshots, DayClose) plus the repayments of
    ``on``. Memory stays bounded: one batch of loans at a time, each in its own transaction.
    The loans already there are dropped first, unless ``keep``: then the seed adds to them."""
    from applications.models import Applicant, Application, Stage
    from loans.models import DayClose, Installment, LedgerEntry, Loan, LoanSnapshot

    started = time.perf_counter()
    if not keep:
        clear()
    portfolio = Portfolio(on)
    snapshot_day = on - ONE_DAY
    rng = random.Random(rng_seed)
    identifiers = iins()
    now = timezone.now()
    officer = portfolio.officer.pk
    first_applicant, first_application, first_loan = (
        next_id(Applicant),
        next_id(Application),
        next_id(Loan),
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
        with transaction.atomic(), bulk_load():
            for index in range(start, min(start + batch, loans)):
                loan_id = first_loan + index
                applicant_id, application_id = first_applicant + index, first_application + index
                amount = rng.choice(AMOUNTS)
                disbursed_on = on - timedelta(days=rng.randint(1, SPREAD_DAYS))
                lines = portfolio.lines(amount, disbursed_on)
                habit = rng.choices(habits, shares)[0]
                pays = payment_days(lines, disbursed_on, on, habit, rng)
                life = history(portfolio, amount, disbursed_on, lines, pays)
                applicants.add(applicant_id, next(identifiers), f"Bench borrower {index + 1}")
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
    reset_sequences(Applicant, Application, Loan)
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


def seeded_already(loans: int, on: date) -> bool:
    """The database holds a seed of ``loans`` loans for the benchmark date ``on``."""
    from loans.models import DayClose, Loan

    closes = set(DayClose.objects.values_list("business_date", flat=True))
    return closes == {on - ONE_DAY} and Loan.objects.count() == loans


def describe_mix() -> str:
    """How the borrowers pay, for the report: "85 % on time, 8 % 1-30 days late, ..."."""
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
