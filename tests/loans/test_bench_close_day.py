"""The close benchmark's seed and close, small, on the test database (no timing asserted)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db.models import Q, Sum

from loans.models import Installment, LedgerEntry, Loan, LoanSnapshot

ON = date(2026, 3, 2)
LOANS = 200


@pytest.fixture(scope="module")
def bench():
    """The runner (bench/close_day.py) and the portfolio seed it times (bench/seed/)."""
    from bench import close_day
    from bench.seed import history, portfolio, terms

    return SimpleNamespace(
        seed=portfolio.seed,
        TERM=terms.TERM,
        Portfolio=terms.Portfolio,
        Replay=history.Replay,
        on_time_history=history.on_time_history,
        run_closes=close_day.run_closes,
    )


def _ledger(on: date) -> dict[int, dict[str, Decimal]]:
    sums: dict[int, dict[str, Decimal]] = {}
    rows = (
        LedgerEntry.objects.filter(value_date__lte=on)
        .values("loan_id", "component")
        .annotate(total=Sum("amount"))
    )
    for row in rows:
        sums.setdefault(row["loan_id"], {})[row["component"]] = row["total"]
    return sums


def _reconcile(on: date) -> list[str]:
    """Loans whose snapshot of ``on`` differs from their ledger summed through ``on``."""
    ledger = _ledger(on)
    wrong = []
    for snapshot in LoanSnapshot.objects.filter(on=on):
        sums = ledger.get(snapshot.loan_id, {})
        stored = {
            "principal": snapshot.principal,
            "interest": snapshot.interest,
            "penalty": snapshot.penalty,
            "held": -snapshot.held,
        }
        for component, value in stored.items():
            if sums.get(component, Decimal(0)) != value:
                wrong.append(f"{snapshot.loan_id} {component}: {sums.get(component)} != {value}")
    return wrong


def test_seed_gives_every_loan_its_schedule_and_a_snapshot_that_reconciles(bench, db):
    seeded = bench.seed(loans=LOANS, on=ON)

    assert seeded.loans == Loan.objects.filter(status="active").count() == LOANS
    assert Installment.objects.filter(version=1).count() == LOANS * bench.TERM
    assert LoanSnapshot.objects.filter(on=ON - timedelta(days=1)).count() == LOANS
    assert seeded.late_loans > 0
    assert _reconcile(ON - timedelta(days=1)) == []


def test_close_snapshots_every_loan_reconciles_and_rerun_posts_nothing(bench, db):
    bench.seed(loans=LOANS, on=ON)

    first, rerun = bench.run_closes(ON, 1, commit=True)

    assert first.loans == LoanSnapshot.objects.filter(on=ON).count() == LOANS
    assert first.entries_posted > 0
    assert rerun.loans == LOANS
    assert rerun.entries_posted == 0
    assert _reconcile(ON) == []
    principal = _ledger(ON)
    for snapshot in LoanSnapshot.objects.filter(on=ON):
        assert principal[snapshot.loan_id]["principal"] == snapshot.principal


def test_closes_of_later_days_keep_reconciling(bench, db):
    bench.seed(loans=LOANS, on=ON)

    bench.run_closes(ON, 3, commit=True)

    last = ON + timedelta(days=2)
    assert LoanSnapshot.objects.filter(on=last).count() == LOANS
    assert _reconcile(last) == []


def test_fast_path_for_punctual_borrowers_is_what_the_replay_gives(bench, db):
    portfolio = bench.Portfolio(ON)
    for amount, days_before in [
        (Decimal(200_000), 1),
        (Decimal(500_000), 45),
        (Decimal(1_000_000), 400),
    ]:
        disbursed_on = ON - timedelta(days=days_before)
        lines = portfolio.lines(amount, disbursed_on)
        pays = {line.number: line.due_date for line in lines if line.due_date <= ON}

        fast = bench.on_time_history(portfolio, amount, disbursed_on, lines)
        replay = bench.Replay(portfolio, amount, disbursed_on, lines).run(pays)

        assert fast.entries == replay.entries
        assert fast.snapshot == replay.snapshot
        assert fast.statuses == replay.statuses


def test_snapshot_days_past_due_matches_the_instalments_left_unpaid(bench, db):
    bench.seed(loans=LOANS, on=ON)
    snapshot_day = ON - timedelta(days=1)

    late = LoanSnapshot.objects.filter(on=snapshot_day, days_past_due__gt=0)
    assert late.exists()
    for snapshot in late:
        oldest = (
            Installment.objects.filter(loan_id=snapshot.loan_id, status="overdue")
            .order_by("number")
            .first()
        )
        assert oldest is not None
        assert snapshot.late_since == oldest.due_date
    flagged = Loan.objects.filter(~Q(acceleration_flagged_on=None))
    assert set(flagged.values_list("id", flat=True)) == set(
        LoanSnapshot.objects.filter(on=snapshot_day, days_past_due__gt=40).values_list(
            "loan_id", flat=True
        )
    )
