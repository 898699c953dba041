from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collateral.domain.eligibility import CollateralKind
from collateral.domain.monitoring import (
    DEFAULT_INSPECTION_MONTHS,
    MonitoredItem,
    OverdueInspection,
    ValueDrop,
    inspection_frequency,
    next_inspection_due,
    overdue_inspections,
    value_drop_flag,
)

D = Decimal
K = CollateralKind
PROPERTY = settings(max_examples=100, deadline=None, database=None, derandomize=True)


@pytest.mark.parametrize(
    ("kind", "months"),
    [
        (K.VEHICLE, 3),
        (K.SPECIAL_MACHINERY, 3),
        (K.MACHINERY_PURCHASED, 3),
        (K.HOUSING, 6),
        (K.NON_RESIDENTIAL, 6),
        (K.LAND, 12),
        (K.GUARANTEE_INDIVIDUAL, None),
        (K.GUARANTEE_ENTITY, None),
        ("vehicle", 3),
    ],
)
def test_default_inspection_frequency_per_kind(kind, months):
    assert inspection_frequency(kind) == months


def test_the_caller_can_override_the_frequency_table():
    table = {**DEFAULT_INSPECTION_MONTHS, K.HOUSING: 12}
    assert inspection_frequency(K.HOUSING, table) == 12
    assert inspection_frequency(K.VEHICLE, table) == 3


@pytest.mark.parametrize(
    ("last", "months", "due"),
    [
        (date(2026, 1, 15), 3, date(2026, 4, 15)),
        (date(2026, 1, 31), 3, date(2026, 4, 30)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2027, 11, 30), 3, date(2028, 2, 29)),  # leap year
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2026, 2, 28), 3, date(2026, 5, 28)),  # not moved to the month end
        (date(2026, 12, 31), 1, date(2027, 1, 31)),
        (date(2026, 10, 31), 6, date(2027, 4, 30)),
    ],
)
def test_next_inspection_due_clamps_to_month_end(last, months, due):
    assert next_inspection_due(last, months) == due


@pytest.mark.parametrize("months", [0, -3])
def test_a_frequency_below_one_month_is_refused(months):
    with pytest.raises(ValueError):
        next_inspection_due(date(2026, 1, 1), months)


AS_OF = date(2026, 6, 15)


def _item(item_id, kind=K.VEHICLE, accepted=date(2026, 1, 1), **fields) -> MonitoredItem:
    return MonitoredItem(item_id=item_id, kind=kind, accepted_on=accepted, **fields)


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        # due on 2026-06-15 itself: not yet overdue
        (_item(1, last_inspected_on=date(2026, 3, 15)), None),
        (_item(1, last_inspected_on=date(2026, 3, 14)), (date(2026, 6, 14), 1)),
        # never inspected: counted from acceptance
        (_item(2, accepted=date(2026, 3, 1)), (date(2026, 6, 1), 14)),
        (_item(2, accepted=date(2026, 3, 16)), None),
        # real estate every 6 months, land every 12
        (_item(3, K.HOUSING, accepted=date(2025, 12, 1)), (date(2026, 6, 1), 14)),
        (_item(3, K.LAND, accepted=date(2025, 12, 1)), None),
        # the pledge agreement's own frequency wins over the kind's
        (_item(4, K.LAND, frequency_months=3), (date(2026, 4, 1), 75)),
        # an inspection before acceptance does not restart the clock
        (
            _item(5, accepted=date(2026, 3, 1), last_inspected_on=date(2026, 2, 1)),
            (date(2026, 6, 1), 14),
        ),
        # released items and guarantees are not inspected
        (_item(6, accepted=date(2025, 1, 1), released_on=date(2026, 6, 15)), None),
        (
            _item(6, accepted=date(2025, 1, 1), released_on=date(2026, 6, 16)),
            (date(2025, 4, 1), 440),
        ),
        (_item(7, K.GUARANTEE_ENTITY, accepted=date(2020, 1, 1)), None),
    ],
)
def test_overdue_inspections_known_answers(item, expected):
    found = [OverdueInspection(item.item_id, *expected)] if expected else []
    assert overdue_inspections([item], AS_OF) == found


def test_overdue_inspections_lists_the_most_overdue_first():
    items = [
        _item("a", accepted=date(2026, 2, 10)),
        _item("b", accepted=date(2025, 11, 1)),
        _item("c", accepted=date(2026, 6, 1)),
        _item("d", accepted=date(2026, 1, 20)),
    ]
    assert [found.item_id for found in overdue_inspections(items, AS_OF)] == ["b", "d", "a"]


def test_overdue_inspections_uses_the_given_table():
    item = _item(1, K.HOUSING, accepted=date(2026, 1, 1))
    assert overdue_inspections([item], AS_OF) == []  # by default due on 2026-07-01
    found = overdue_inspections([item], AS_OF, {K.HOUSING: 2})
    assert found == [OverdueInspection(1, date(2026, 3, 1), 106)]


@pytest.mark.parametrize(
    ("values", "outstanding", "required", "expected"),
    [
        (
            [D("1500000.00")],
            D("1000000.00"),
            D("1.5"),
            ValueDrop(D("1.5000"), D("1.5"), False, D("0.0000"), D("0.00")),
        ),
        (
            [D("900000.00"), D("300000.00")],
            D("1000000.00"),
            D("1.5"),
            ValueDrop(D("1.2000"), D("1.5"), True, D("0.3000"), D("300000.00")),
        ),
        (
            [D("1000000.00")],
            D("400000.00"),
            D("1.25"),
            ValueDrop(D("2.5000"), D("1.25"), False, D("0.0000"), D("0.00")),
        ),
        (
            [D("100.00")],
            D("333.33"),
            D("1.5"),
            ValueDrop(D("0.3000"), D("1.5"), True, D("1.2000"), D("400.00")),
        ),
        (
            [],
            D("1000.00"),
            D("1"),
            ValueDrop(D("0.0000"), D("1"), True, D("1.0000"), D("1000.00")),
        ),
    ],
)
def test_value_drop_flag_known_answers(values, outstanding, required, expected):
    assert value_drop_flag(values, outstanding, required) == expected


def test_value_drop_flag_refuses_a_loan_with_nothing_outstanding():
    with pytest.raises(ValueError):
        value_drop_flag([D("1")], D("0"), D("1.5"))


@PROPERTY
@given(
    last=st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)),
    months=st.integers(1, 60),
)
def test_next_due_is_after_the_last_inspection_and_within_the_months(last, months):
    due = next_inspection_due(last, months)
    assert last < due <= last + timedelta(days=31 * months)
    # the due date is in the month exactly ``months`` later
    assert (due.year * 12 + due.month) - (last.year * 12 + last.month) == months


@PROPERTY
@given(
    accepted=st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
    as_of=st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
    kind=st.sampled_from(list(CollateralKind)),
)
def test_overdue_exactly_when_the_due_date_has_passed(accepted, as_of, kind):
    found = overdue_inspections([_item(1, kind, accepted=accepted)], as_of)
    months = inspection_frequency(kind)
    if months is None:
        assert found == []
    else:
        due = next_inspection_due(accepted, months)
        assert found == ([OverdueInspection(1, due, (as_of - due).days)] if due < as_of else [])
