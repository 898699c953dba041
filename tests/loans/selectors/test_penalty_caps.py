from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from loans.domain.penalties import PenaltyCaps
from loans.selectors import penalty_caps

pytestmark = pytest.mark.django_db


def test_loans_to_individuals_have_all_three_caps():
    assert penalty_caps(on=date(2026, 11, 30), to_individual=True) == PenaltyCaps(
        max_daily_rate=Decimal("0.5"),
        max_total_share_of_loan_per_contract_year=Decimal("0.1"),
        stop_after_days_overdue=90,
    )


def test_business_loans_have_only_the_daily_cap():
    assert penalty_caps(on=date(2026, 11, 30), to_individual=False) == PenaltyCaps(
        max_daily_rate=Decimal("1")
    )
