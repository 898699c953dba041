"""The load benchmark's database: the demo data, N bench loans (``portfolio.seed``) and one
loan whose borrower paid about every day for two years, its payments posted one by one
through ``payment_post``; made again unless --reuse finds it prepared."""

from __future__ import annotations

import io
import time
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal

from bench.common import ONE_DAY, database_name, is_bench_database, recreate_database

from .portfolio import seed

# The loan read at the end: a borrower who paid a little about every day for two years.
HEAVY_BORN = "750101"  # its borrower's IIN starts so; no demo or bench borrower does
HEAVY_AMOUNT = Decimal("5000000")
HEAVY_TERM = 24
HEAVY_DAYS = 690  # disbursed so long before the benchmark date: 22 instalments due, 2 to come


def drop_and_create(url: str) -> None:
    """The bench database dropped, created empty and migrated."""
    from django.core.management import call_command
    from django.db import connections

    name = database_name(url)
    if not is_bench_database(name):
        raise SystemExit(f"{name} holds loans and is not a bench database: not dropping it.")
    connections.close_all()
    recreate_database(url)
    call_command("migrate", verbosity=0)


def heavy_loan():
    from loans.demo import demo_iin
    from loans.models import Loan

    return Loan.objects.filter(borrower__iin=demo_iin(HEAVY_BORN)).first()


def prepared(loans: int, transactions: int) -> bool:
    from loans.models import Loan

    heavy = heavy_loan()
    return (
        heavy is not None
        and heavy.payments.count() >= transactions
        and Loan.objects.filter(number__startswith="MK-B-").count() == loans
    )


def prepare(args, on: date) -> None:
    """The demo data, N bench loans and the loan with many payments, unless --reuse finds them."""
    from django.core.management import call_command

    from loans.models import Loan

    if args.reuse and prepared(args.loans, args.transactions):
        print("  database: reused")
        return
    if Loan.objects.exists():
        drop_and_create(args.database_url)
    started = time.perf_counter()
    if args.demo:
        call_command("seed_demo", stdout=io.StringIO())
    else:  # what the loan with many payments needs of it
        from applications.demo import seed_required_documents
        from shell.demo import seed_products, seed_users

        seed_products()
        seed_users()
        seed_required_documents()
    demo_seconds = time.perf_counter() - started
    heavy, heavy_seconds = seed_heavy_loan(on, args.transactions, args.heavy_days)
    seeded = seed(loans=args.loans, on=on, keep=True)  # besides the demo's loans
    print(
        f"  database: demo data in {demo_seconds:.1f} s; {seeded.loans:,} loans in "
        f"{seeded.seconds:.1f} s ({seeded.installments:,} instalments, {seeded.entries:,} "
        f"ledger entries, {seeded.late_loans:,} late); loan {heavy.number} with "
        f"{heavy.payments.count():,} payments in {heavy_seconds:.1f} s"
    )


@contextmanager
def dates_not_closed():
    """A payment dated before the last closed date re-closes the loan's days up to it. The
    loan with many payments is posted as if each night's close had not yet been recorded (the
    loan's own days are closed by each payment), so its 1,000 payments take minutes, not
    hours; the closed dates are put back afterwards."""
    from django.db.models import F

    from loans.models import DayClose

    away = timedelta(days=36_500)
    DayClose.objects.update(business_date=F("business_date") - away)
    try:
        yield
    finally:
        DayClose.objects.update(business_date=F("business_date") + away)


def seed_heavy_loan(on: date, transactions: int, days: int):
    """A 24-month loan of 5,000,000 KZT disbursed ``days`` (690) before ``on``; its borrower paid a
    share of the instalments due about every day since (1,000 payments by default), each
    posted by ``payment_post`` on its value date. The loan stays active: 2 instalments to come."""
    from django.contrib.auth import get_user_model

    from applications.demo import committee_users
    from core.money import to_tiyn
    from loans import services
    from loans.demo import PAYEE_ACCOUNT, Demo, Story
    from loans.ledger.close import bring_loan_up_to
    from loans.models import PayoutSource
    from loans.selectors import current_installments

    started = time.perf_counter()
    users = get_user_model().objects
    credit_admin = users.get(username="credit.admin")
    accountant = users.get(username="accountant")
    demo = Demo(credit_admin, accountant, committee_users())
    disbursed = on - timedelta(days=days)
    disbursed -= timedelta(days=max(0, disbursed.day - 28))  # a due day every month has
    story = Story("heavy", "ИП Нагрузкин Тест", HEAVY_BORN, str(HEAVY_AMOUNT), HEAVY_TERM)
    with dates_not_closed():  # the services commit each step (durable, STYLE.md)
        application = demo.accepted_application(
            story, HEAVY_AMOUNT, decided_on=disbursed - 3 * ONE_DAY
        )
        loan = services.contract_create(
            application_id=application.pk,
            planned_disbursement_date=disbursed,
            contract_date=disbursed - 2 * ONE_DAY,
            payout_account=PAYEE_ACCOUNT,
            payout_account_source=PayoutSource.BORROWER_FILE,
            by=credit_admin,
        )
        services.contract_sign(loan_id=loan.pk, signed_on=disbursed - ONE_DAY, by=credit_admin)
        demo.disburse(loan, disbursed)
        last = on - ONE_DAY
        lines = list(current_installments(loan))
        # what fell due by then (the first instalment when nothing did yet), a share a payment
        due = sum((line.total for line in lines if line.due_date <= last), Decimal(0))
        due = due or lines[0].total
        amount = to_tiyn(due / transactions)
        span = (last - disbursed).days
        for number in range(transactions):
            value_date = disbursed + timedelta(days=1 + number * span // transactions)
            services.payment_post(
                loan_id=loan.pk,
                amount=amount,
                value_date=value_date,
                channel="bank_transfer" if number % 3 else "cash",
                reference=f"HEAVY-{number + 1:04d}",
                payer=story.name,
                by=accountant,
                today=value_date,
            )
        bring_loan_up_to(loan_id=loan.pk, through=last)
    loan.refresh_from_db()
    return loan, time.perf_counter() - started
