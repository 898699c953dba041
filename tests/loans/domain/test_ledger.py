"""The signed ledger: sign rules per kind, reversals, balances by date, reconciliation."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.money import ZERO
from loans.domain.ledger import (
    ONLY_COMPONENT,
    SIGNS,
    Balances,
    Component,
    Entry,
    InvalidLedgerEntry,
    Kind,
    balances_at,
    check_entry,
    reconcile,
    totals_by_component,
)
from tests.lending.domain.strategies import dates, money

D = Decimal
C, K = Component, Kind
FAST = settings(max_examples=60, deadline=None, database=None, derandomize=True)

# 100,000 lent on 10 Jan; on 10 Feb the first instalment's interest (3,100) falls due and the
# borrower brings 11,600: 3,100 interest, 8,000 principal, 500 held for the next instalment.
LENT = Entry(date(2024, 1, 10), K.DISBURSEMENT, C.PRINCIPAL, D("100000.00"))
INTEREST = Entry(date(2024, 2, 10), K.INTEREST_ACCRUAL, C.INTEREST, D("3100.00"))
PAID_INTEREST = Entry(date(2024, 2, 10), K.REPAYMENT, C.INTEREST, D("-3100.00"))
PAID_PRINCIPAL = Entry(date(2024, 2, 10), K.REPAYMENT, C.PRINCIPAL, D("-8000.00"))
PAID_HELD = Entry(date(2024, 2, 10), K.REPAYMENT, C.HELD, D("-500.00"))
PENALTY = Entry(date(2024, 3, 15), K.PENALTY_ACCRUAL, C.PENALTY, D("45.10"))
LEDGER = [LENT, INTEREST, PAID_INTEREST, PAID_PRINCIPAL, PAID_HELD, PENALTY]


# --- balances ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (date(2024, 1, 9), Balances()),
        (date(2024, 1, 10), Balances(principal=D("100000.00"))),
        (date(2024, 2, 9), Balances(principal=D("100000.00"))),
        (date(2024, 2, 10), Balances(principal=D("92000.00"), held=D("500.00"))),
        (
            date(2024, 3, 15),
            Balances(principal=D("92000.00"), penalty=D("45.10"), held=D("500.00")),
        ),
    ],
)
def test_balances_at_the_end_of_a_date(as_of, expected):
    assert balances_at(LEDGER, as_of) == expected


def test_held_money_is_a_negative_debt_shown_positive():
    balances = balances_at(LEDGER, date(2024, 3, 15))
    assert balances.held == D("500.00")
    assert balances.of(C.HELD) == D("-500.00")  # as the ledger keeps it
    assert balances.of(C.PENALTY) == D("45.10")
    # 92,000 + 0 + 45.10 owed, less the 500 held for the borrower.
    assert balances.total == D("91545.10")


def test_a_payments_entries_sum_to_minus_the_money_received():
    payment = [PAID_INTEREST, PAID_PRINCIPAL, PAID_HELD]
    assert sum((entry.amount for entry in payment), ZERO) == D("-11600.00")


def test_held_money_applied_to_the_next_instalment_leaves_the_total_unchanged():
    # On 10 Mar the next interest (2,000) falls due; the 500 held pays part of it.
    due = Entry(date(2024, 3, 10), K.INTEREST_ACCRUAL, C.INTEREST, D("2000.00"))
    applied = [
        Entry(date(2024, 3, 10), K.HELD_APPLIED, C.INTEREST, D("-500.00")),
        Entry(date(2024, 3, 10), K.HELD_APPLIED, C.HELD, D("500.00")),
    ]
    before = balances_at([*LEDGER, due], date(2024, 3, 10))
    after = balances_at([*LEDGER, due, *applied], date(2024, 3, 10))
    assert after == Balances(principal=D("92000.00"), interest=D("1500.00"))
    assert after.total == before.total


def test_refund_and_transfer_move_held_money_out_and_in():
    ledger = [
        *LEDGER,
        Entry(date(2024, 4, 1), K.REFUND, C.HELD, D("200.00")),  # paid back to the borrower
        Entry(date(2024, 4, 2), K.TRANSFER, C.HELD, D("300.00")),  # to their other contract
    ]
    assert balances_at(ledger, date(2024, 4, 2)).held == ZERO
    moved_in = Entry(date(2024, 4, 3), K.TRANSFER, C.HELD, D("-750.00"))  # from a closed one
    assert balances_at([*ledger, moved_in], date(2024, 4, 3)).held == D("750.00")


def test_write_off_lowers_the_debt():
    ledger = [*LEDGER, Entry(date(2024, 4, 1), K.WRITE_OFF, C.PENALTY, D("-45.10"))]
    assert balances_at(ledger, date(2024, 4, 1)).penalty == ZERO


def test_a_negative_accrual_corrects_one_posted_too_high():
    correction = Entry(date(2024, 3, 16), K.PENALTY_ACCRUAL, C.PENALTY, D("-0.10"))
    assert balances_at([*LEDGER, correction], date(2024, 3, 16)).penalty == D("45.00")


def test_totals_by_component_takes_sql_rows_with_plain_strings():
    rows = [("principal", D("100000.00")), ("held", D("-500.00")), ("principal", D("-8000.00"))]
    assert totals_by_component(rows) == Balances(principal=D("92000.00"), held=D("500.00"))
    pairs = [(entry.component, entry.amount) for entry in LEDGER]
    assert totals_by_component(pairs) == balances_at(LEDGER, date.max)


# --- sign and component rules --------------------------------------------------------------

# The signs each kind may carry, written out from the rules (DOMAIN.md §8–§9), not from SIGNS.
EXPECTED_SIGNS = {
    K.DISBURSEMENT: {1},  # the loan raises principal
    K.REPAYMENT: {-1},  # money received lowers a debt, or is held
    K.HELD_APPLIED: {1, -1},  # a pair: a debt goes down, the held money too
    K.INTEREST_ACCRUAL: {1, -1},  # -: a recomputation found too much posted
    K.OVERDUE_INTEREST_ACCRUAL: {1, -1},
    K.PENALTY_ACCRUAL: {1, -1},
    K.REFUND: {1},  # held money paid back: less held
    K.TRANSFER: {1, -1},  # held money moved out, or in
    K.WRITE_OFF: {-1},
    K.FINE: {1},
    K.REVERSAL: {1, -1},
}


def test_the_sign_rules_cover_every_kind():
    assert {kind: set(signs) for kind, signs in SIGNS.items()} == EXPECTED_SIGNS


def _a_component_for(kind: Kind) -> Component:
    return ONLY_COMPONENT.get(kind, C.PRINCIPAL)


@pytest.mark.parametrize("kind", [kind for kind in Kind if kind is not K.REVERSAL])
@pytest.mark.parametrize("sign", [1, -1])
def test_an_entry_carries_only_the_signs_of_its_kind(kind, sign):
    amount = D("125.50") * sign
    if sign in EXPECTED_SIGNS[kind]:
        entry = Entry(date(2024, 2, 1), kind, _a_component_for(kind), amount)
        assert entry.amount == amount
    else:
        with pytest.raises(InvalidLedgerEntry) as caught:
            Entry(date(2024, 2, 1), kind, _a_component_for(kind), amount)
        assert caught.value.field == "amount"


@pytest.mark.parametrize(
    ("kind", "only"),
    [
        (K.DISBURSEMENT, C.PRINCIPAL),
        (K.INTEREST_ACCRUAL, C.INTEREST),
        (K.OVERDUE_INTEREST_ACCRUAL, C.INTEREST),
        (K.PENALTY_ACCRUAL, C.PENALTY),
        (K.REFUND, C.HELD),
        (K.TRANSFER, C.HELD),
    ],
)
def test_a_one_component_kind_refuses_every_other_component(kind, only):
    assert ONLY_COMPONENT[kind] is only
    amount = D("10.00")
    check_entry(kind, only, amount)
    for other in set(Component) - {only}:
        with pytest.raises(InvalidLedgerEntry) as caught:
            check_entry(kind, other, amount)
        assert caught.value.field == "component"


@pytest.mark.parametrize("kind", [K.REPAYMENT, K.HELD_APPLIED])
@pytest.mark.parametrize("component", list(Component))
def test_repayments_and_held_money_may_move_any_component(kind, component):
    check_entry(kind, component, D("-10.00"))


@pytest.mark.parametrize("component", [C.PRINCIPAL, C.INTEREST, C.PENALTY])
def test_a_write_off_lowers_any_debt(component):
    check_entry(K.WRITE_OFF, component, D("-10.00"))


def test_a_write_off_cannot_raise_the_money_held():
    with pytest.raises(InvalidLedgerEntry):
        Entry(date(2024, 4, 1), K.WRITE_OFF, C.HELD, D("-100.00"))


@pytest.mark.parametrize(
    "amount",
    [D("0"), D("0.00"), D("1.001"), D("-0.005"), D("NaN"), D("Infinity"), 1.5, 100],
    ids=["zero", "zero-tiyn", "under-a-tiyn", "negative-half-tiyn", "nan", "inf", "float", "int"],
)
def test_an_amount_must_be_whole_non_zero_tiyn_as_a_decimal(amount):
    with pytest.raises(InvalidLedgerEntry) as caught:
        check_entry(K.REPAYMENT, C.PRINCIPAL, amount)
    assert caught.value.field == "amount"


def test_a_whole_tiyn_amount_with_fewer_places_is_accepted():
    check_entry(K.DISBURSEMENT, C.PRINCIPAL, D("100000"))
    check_entry(K.DISBURSEMENT, C.PRINCIPAL, D("0.1"))


# --- reversals ------------------------------------------------------------------------------


def test_a_reversal_undoes_a_wrong_repayment_from_its_date():
    reversal = Entry(date(2024, 2, 12), K.REVERSAL, C.PRINCIPAL, D("8000.00"), PAID_PRINCIPAL)
    ledger = [*LEDGER, reversal]
    assert balances_at(ledger, date(2024, 2, 11)).principal == D("92000.00")
    assert balances_at(ledger, date(2024, 2, 12)).principal == D("100000.00")


def test_a_reversal_on_the_day_of_its_entry_is_allowed():
    reversal = Entry(date(2024, 1, 10), K.REVERSAL, C.PRINCIPAL, D("-100000.00"), LENT)
    assert balances_at([LENT, reversal], date(2024, 1, 10)) == Balances()


def test_a_reversal_of_a_reversal_restores_the_entry():
    first = Entry(date(2024, 2, 12), K.REVERSAL, C.HELD, D("500.00"), PAID_HELD)
    second = Entry(date(2024, 2, 13), K.REVERSAL, C.HELD, D("-500.00"), first)
    assert balances_at([*LEDGER, first], date(2024, 2, 13)).held == ZERO
    assert balances_at([*LEDGER, first, second], date(2024, 2, 13)).held == D("500.00")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"kind": K.REVERSAL}, "reverses"),  # a reversal without its entry
        ({"reverses": LENT}, "reverses"),  # a repayment pointing at an entry
        ({"kind": K.REVERSAL, "amount": D("-8000.00"), "reverses": PAID_PRINCIPAL}, "reverses"),
        ({"kind": K.REVERSAL, "amount": D("7999.99"), "reverses": PAID_PRINCIPAL}, "reverses"),
        (  # on another component
            {"kind": K.REVERSAL, "component": C.INTEREST, "reverses": PAID_PRINCIPAL},
            "reverses",
        ),
        (  # before its entry
            {"kind": K.REVERSAL, "on": date(2024, 2, 9), "reverses": PAID_PRINCIPAL},
            "reverses",
        ),
        ({"kind": K.DISBURSEMENT, "component": C.INTEREST, "amount": D("1.00")}, "component"),
        ({"amount": D("8000.00")}, "amount"),  # a repayment cannot raise a debt
    ],
)
def test_a_bad_entry_names_the_field(kwargs, field):
    fields = {
        "on": date(2024, 2, 12),
        "kind": K.REPAYMENT,
        "component": C.PRINCIPAL,
        "amount": D("-8000.00"),
    } | kwargs
    if fields["kind"] is K.REVERSAL and "amount" not in kwargs:
        fields["amount"] = D("8000.00")
    with pytest.raises(InvalidLedgerEntry) as caught:
        Entry(**fields)
    assert caught.value.field == field


def test_reversing_an_entry_twice_is_refused():
    reversal = Entry(date(2024, 2, 1), K.REVERSAL, C.PRINCIPAL, D("-100000.00"), LENT)
    with pytest.raises(InvalidLedgerEntry) as caught:
        balances_at([LENT, reversal, reversal], date(2024, 3, 1))
    assert caught.value.field == "reverses"


def test_reversing_an_entry_not_in_the_ledger_is_refused():
    reversal = Entry(date(2024, 2, 1), K.REVERSAL, C.PRINCIPAL, D("-100000.00"), LENT)
    with pytest.raises(InvalidLedgerEntry):
        balances_at([reversal], date(2024, 3, 1))
    with pytest.raises(InvalidLedgerEntry):  # even when the as-of date is before the reversal
        balances_at([reversal], date(2024, 1, 1))


def test_two_equal_entries_may_each_be_reversed_once():
    # Two payments of 5,000 on one day are equal values; each may be reversed, not a third time.
    paid = Entry(date(2024, 2, 10), K.REPAYMENT, C.PRINCIPAL, D("-5000.00"))
    reversal = Entry(date(2024, 2, 11), K.REVERSAL, C.PRINCIPAL, D("5000.00"), paid)
    ledger = [LENT, paid, paid, reversal, reversal]
    assert balances_at(ledger, date(2024, 2, 11)).principal == D("100000.00")
    with pytest.raises(InvalidLedgerEntry):
        balances_at([*ledger, reversal], date(2024, 2, 11))


# --- reconciliation -------------------------------------------------------------------------


def test_reconcile_finds_each_component_that_differs():
    stored = Balances(principal=D("92000.00"), penalty=D("45.00"), held=D("500.00"))
    assert reconcile(LEDGER, stored) == {C.PENALTY: D("0.10")}
    stored = Balances(principal=D("92100.00"), interest=D("0.01"), held=D("500.00"))
    assert reconcile(LEDGER, stored) == {
        C.PRINCIPAL: D("-100.00"),
        C.INTEREST: D("-0.01"),
        C.PENALTY: D("45.10"),
    }


def test_reconcile_is_empty_when_the_stored_balances_agree():
    stored = Balances(principal=D("92000.00"), penalty=D("45.10"), held=D("500.00"))
    assert reconcile(LEDGER, stored) == {}
    assert reconcile([], Balances()) == {}


def test_reconcile_on_a_date_ignores_later_entries():
    assert reconcile(LEDGER, Balances(), as_of=date(2024, 1, 10)) == {C.PRINCIPAL: D("100000.00")}
    assert reconcile(LEDGER, Balances(principal=D("100000.00")), as_of=date(2024, 2, 9)) == {}


def test_reconcile_states_a_held_difference_as_the_ledger_keeps_it():
    # The ledger holds 500 for the borrower (-500), the stored figure says 450 (-450):
    # derived minus stored is -50 on HELD, a negative debt.
    stored = Balances(principal=D("92000.00"), penalty=D("45.10"), held=D("450.00"))
    assert reconcile(LEDGER, stored) == {C.HELD: D("-50.00")}


# --- properties -----------------------------------------------------------------------------


@st.composite
def loan_ledgers(draw: st.DrawFn) -> list[Entry]:
    """A loan's life: a disbursement, then dated accruals, split repayments, held money moves."""
    day = draw(dates)
    ledger = [Entry(day, K.DISBURSEMENT, C.PRINCIPAL, draw(money(10_000, 5_000_000)))]
    for _ in range(draw(st.integers(0, 12))):
        day += timedelta(days=draw(st.integers(0, 40)))
        event = draw(st.sampled_from(["accrual", "repayment", "held", "refund", "transfer"]))
        if event == "accrual":
            kind = draw(
                st.sampled_from([K.INTEREST_ACCRUAL, K.OVERDUE_INTEREST_ACCRUAL, K.PENALTY_ACCRUAL])
            )
            sign = draw(st.sampled_from([1, 1, 1, -1]))  # now and then a correction
            ledger.append(Entry(day, kind, ONLY_COMPONENT[kind], sign * draw(money(1, 50_000))))
        elif event == "repayment":
            # Money received, split over the debts and what is held: each part an entry.
            parts = draw(
                st.lists(
                    st.tuples(st.sampled_from(list(C)), money(1, 100_000)), min_size=1, max_size=4
                )
            )
            ledger.extend(Entry(day, K.REPAYMENT, comp, -amount) for comp, amount in parts)
        elif event == "held":
            component = draw(st.sampled_from([C.PRINCIPAL, C.INTEREST, C.PENALTY]))
            amount = draw(money(1, 50_000))
            ledger.append(Entry(day, K.HELD_APPLIED, component, -amount))
            ledger.append(Entry(day, K.HELD_APPLIED, C.HELD, amount))
        elif event == "refund":
            ledger.append(Entry(day, K.REFUND, C.HELD, draw(money(1, 10_000))))
        else:
            sign = draw(st.sampled_from([1, -1]))
            ledger.append(Entry(day, K.TRANSFER, C.HELD, sign * draw(money(1, 10_000))))
    return ledger


def _reversal(entry: Entry, lag: int) -> Entry:
    return Entry(entry.on + timedelta(days=lag), K.REVERSAL, entry.component, -entry.amount, entry)


def _plain_sum(ledger: list[Entry], component: Component, as_of: date) -> Decimal:
    return sum((e.amount for e in ledger if e.component is component and e.on <= as_of), ZERO)


@FAST
@given(ledger=loan_ledgers(), data=st.data())
def test_balances_are_the_plain_signed_sum_per_component(ledger, data):
    reversed_ = data.draw(st.sets(st.sampled_from(range(len(ledger)))), label="reversed")
    lags = data.draw(st.lists(st.integers(0, 60), min_size=len(ledger), max_size=len(ledger)))
    mixed = [*ledger, *(_reversal(ledger[i], lags[i]) for i in sorted(reversed_))]
    mixed = data.draw(st.permutations(mixed), label="order")
    first, last = min(e.on for e in mixed), max(e.on for e in mixed)
    as_of = data.draw(st.dates(first - timedelta(days=1), last + timedelta(days=1)), label="as_of")

    balances = balances_at(mixed, as_of)
    for component in Component:
        assert balances.of(component) == _plain_sum(mixed, component, as_of)
    assert balances.held == -_plain_sum(mixed, C.HELD, as_of)
    assert balances.total == sum((e.amount for e in mixed if e.on <= as_of), ZERO)
    assert reconcile(mixed, balances, as_of=as_of) == {}
    assert balances_at(mixed, first - timedelta(days=1)) == Balances()


@FAST
@given(ledger=loan_ledgers(), data=st.data())
def test_reversing_every_entry_brings_every_balance_to_zero(ledger, data):
    # Some entries are reversed early; at the end every entry not yet reversed is reversed.
    early = data.draw(st.sets(st.sampled_from(range(len(ledger)))), label="reversed early")
    lag = data.draw(st.integers(0, 30), label="lag")
    latest = max(e.on for e in ledger) + timedelta(days=lag)
    reversals = [
        _reversal(entry, lag if i in early else (latest - entry.on).days)
        for i, entry in enumerate(ledger)
    ]
    complete = data.draw(st.permutations([*ledger, *reversals]), label="order")
    assert balances_at(complete, latest) == Balances()
    assert reconcile(complete, Balances()) == {}
