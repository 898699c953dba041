"""Fixtures of the prudential tests."""

from __future__ import annotations

from datetime import date

import pytest


@pytest.fixture
def portfolio(active_loan):
    """Five loans; their figures on a date are set by hand, as the close would leave them."""
    return [active_loan(on=date(2026, 3, 2), amount="1000000", term=12) for _ in range(5)]
