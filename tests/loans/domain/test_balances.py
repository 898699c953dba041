from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.money import ZERO
from loans.domain.balances import (
    Balances,
    Component,
    Entry,
    InvalidLedgerEntry,
    Kind,
    balances_at,
    reconcile,
)
from tests.loans.domain.strategies import dates, money

D = Decimal
C, K = Component, Kind
FAST = settings(max_examples=100, deadline=None, database=None, derandomize=True)

LENT = Entry(date(2024, 1, 10), K.DISBURSEMENT, C.PRINCIPAL, D("100000.00"))
INTEREST = Entry(date(2024, 2, 10), K.INTEREST_ACCRUAL, C.INTEREST, D("3100.00"))
PAID_INTEREST = Entry(date(2024, 2, 10), K.REPAYMENT, C.INTEREST, D("3100.00"))
PAID_PRINCIPAL = Entry(date(2024, 2, 10), K.REPAYMENT, C.PRINCIPAL, D("8000.00"))
PENALTY = Entry(date(2024, 3, 15), K.PENALTY_ACCRUAL, C.PENALTY, D("45.10"))
LEDGER = [LENT, INTEREST, PAID_INTEREST, PAID_PRINCIPAL, PENALTY]


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (date(2024, 1, 9), Balances()),
        (date(2024, 1, 10), Balances(principal=D("100000.00"))),
        (date(2024, 2, 10), Balances(principal=D("92000.00"))),
        (date(2024, 3, 15), Balances(principal=D("92000.00"), penalty=D("45.10"))),
    ],
)
def test_balances_at_a_date(as_of, expected):
    assert balances_at(LEDGER, as_of) == expected


def test_reversal_undoes_a_wrong_repayment():
    reversal = Entry(date(2024, 2, 12), K.REVERSAL, C.PRINCIPAL, D("8000.00"), PAID_PRINCIPAL)
    assert balances_at([*LEDGER, reversal], date(2024, 2, 11)).principal == D("92000.00")
    assert balances_at([*LEDGER, reversal], date(2024, 2, 12)).principal == D("100000.00")


def test_write_off_refund_and_transfer():
    ledger = [
        *LEDGER,
        Entry(date(2024, 4, 1), K.WRITE_OFF, C.PENALTY, D("45.10")),
        Entry(date(2024, 4, 2), K.REFUND, C.PRINCIPAL, D("1000.00")),
        Entry(date(2024, 4, 3), K.TRANSFER, C.PRINCIPAL, D("500.00")),
    ]
    assert balances_at(ledger, date(2024, 4, 30)) == Balances(principal=D("93500.00"))


def test_reconcile():
    stored = Balances(principal=D("92000.00"), penalty=D("45.00"))
    assert reconcile(LEDGER, stored) == {C.PENALTY: D("0.10")}
    assert reconcile(LEDGER, Balances(principal=D("92000.00"), penalty=D("45.10"))) == {}
    assert reconcile(LEDGER, Balances(), as_of=date(2024, 1, 10)) == {C.PRINCIPAL: D("100000.00")}
    assert reconcile([], Balances()) == {}


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"amount": D("0")}, "amount"),
        ({"amount": D("-1.00")}, "amount"),
        ({"amount": D("1.001")}, "amount"),
        ({"amount": 1.5}, "amount"),
        ({"kind": K.DISBURSEMENT, "component": C.INTEREST}, "component"),
        ({"kind": K.REVERSAL}, "reverses"),
        ({"reverses": LENT}, "reverses"),
        ({"kind": K.REVERSAL, "reverses": INTEREST}, "reverses"),  # other component
    ],
)
def test_bad_entry_names_the_field(kwargs, field):
    fields = {
        "on": date(2024, 2, 1),
        "kind": K.REPAYMENT,
        "component": C.PRINCIPAL,
        "amount": D("100000.00"),
    } | kwargs
    with pytest.raises(InvalidLedgerEntry) as caught:
        Entry(**fields)
    assert caught.value.field == field


def test_reversal_before_its_entry_is_refused():
    with pytest.raises(InvalidLedgerEntry):
        Entry(date(2024, 1, 9), K.REVERSAL, C.PRINCIPAL, D("100000.00"), LENT)


def test_reversing_twice_or_a_missing_entry_is_refused():
    reversal = Entry(date(2024, 2, 1), K.REVERSAL, C.PRINCIPAL, D("100000.00"), LENT)
    with pytest.raises(InvalidLedgerEntry):
        balances_at([LENT, reversal, reversal], date(2024, 3, 1))
    with pytest.raises(InvalidLedgerEntry):
        balances_at([reversal], date(2024, 3, 1))


@st.composite
def entries(draw: st.DrawFn) -> Entry:
    kind = draw(st.sampled_from([k for k in Kind if k is not Kind.REVERSAL]))
    component = {
        K.DISBURSEMENT: C.PRINCIPAL,
        K.INTEREST_ACCRUAL: C.INTEREST,
        K.PENALTY_ACCRUAL: C.PENALTY,
    }.get(kind) or draw(st.sampled_from(list(Component)))
    return Entry(draw(dates), kind, component, draw(money(1, 1_000_000)))


@FAST
@given(ledger=st.lists(entries(), max_size=20), lag=st.integers(0, 30), data=st.data())
def test_entries_and_their_reversals_return_to_zero(ledger, lag, data):
    reversals = [Entry(e.on + timedelta(lag), K.REVERSAL, e.component, e.amount, e) for e in ledger]
    mixed = data.draw(st.permutations([*ledger, *reversals]))
    latest = max((e.on for e in mixed), default=date(2030, 1, 1))
    assert balances_at(mixed, latest) == Balances()
    assert reconcile(mixed, Balances()) == {}
    # Before the reversals land, the balance is that of the entries alone.
    if ledger:
        first = min(e.on for e in ledger)
        alone = balances_at(ledger, first)
        if lag > 0:
            assert balances_at(mixed, first) == alone


@FAST
@given(ledger=st.lists(entries(), max_size=20), as_of=dates)
def test_balance_is_the_signed_sum(ledger, as_of):
    result = balances_at(ledger, as_of)
    for component in Component:
        expected = ZERO
        for e in ledger:
            if e.on <= as_of and e.component is component:
                expected += e.amount if e.kind not in (K.REPAYMENT, K.WRITE_OFF) else -e.amount
        assert result.of(component) == expected
