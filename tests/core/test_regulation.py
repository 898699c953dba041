from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from core.models import RegulatoryValue
from core.regulation import (
    Key,
    LoanClass,
    RegulatoryValueMissing,
    gesv_cap,
    mrp,
    regulatory_value,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("on", "value"),
    [
        (date(2022, 5, 31), "3063"),
        (date(2022, 6, 1), "3180"),  # raised in the middle of 2022
        (date(2024, 12, 31), "3692"),
        (date(2025, 1, 1), "3932"),
        (date(2026, 11, 30), "4325"),
    ],
)
def test_mrp_in_force_on_a_date_is_seeded(on, value):
    assert mrp(on=on) == Decimal(value)


@pytest.mark.parametrize(
    ("on", "limit"),
    [(date(2025, 12, 31), "15"), (date(2026, 1, 1), "10"), (date(2026, 11, 30), "10")],
)
def test_k1_limit_changes_on_2026_01_01(on, limit):
    assert regulatory_value(Key.K1_OVERDUE90_LIMIT, on=on) == Decimal(limit)


def test_gesv_cap_is_the_lower_of_product_and_regulation():
    assert gesv_cap(on=date(2024, 6, 1), product_cap=Decimal("56")) == Decimal("56")
    assert gesv_cap(on=date(2025, 6, 1), product_cap=Decimal("56")) == Decimal("46")
    assert gesv_cap(on=date(2025, 6, 1), product_cap=Decimal("30")) == Decimal("30")


def test_short_small_loans_have_their_own_cap():
    assert gesv_cap(on=date(2025, 6, 1), loan_class=LoanClass.SHORT_SMALL) == Decimal("179")


def test_debt_burden_limit_for_borrowers_with_overdue_history():
    assert regulatory_value(Key.DEBT_BURDEN_LIMIT, on=date(2025, 11, 23)) == Decimal("0.5")
    assert regulatory_value(
        Key.DEBT_BURDEN_LIMIT, on=date(2025, 11, 24), loan_class=LoanClass.OVERDUE_HISTORY
    ) == Decimal("0.25")


def test_a_new_year_mrp_is_a_data_change():
    RegulatoryValue.objects.create(
        key=Key.MRP, value=Decimal("4500"), effective_from=date(2027, 1, 1)
    )
    assert mrp(on=date(2027, 1, 1)) == Decimal("4500")
    assert mrp(on=date(2026, 12, 31)) == Decimal("4325")


def test_missing_value_names_what_to_enter():
    with pytest.raises(RegulatoryValueMissing, match="MRP"):
        mrp(on=date(2019, 6, 1))
