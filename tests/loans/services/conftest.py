from __future__ import annotations

from datetime import date, timedelta

import pytest

from loans import services


@pytest.fixture
def pay(accountant):
    """Post a repayment with the value date as 'today' (the desk posts it that day)."""

    def post(loan, amount, on: date, **extra):
        payment, _created = services.payment_post(
            loan_id=loan.pk,
            amount=amount,
            value_date=on,
            channel="cash",
            by=accountant,
            today=extra.pop("today", on),
            **extra,
        )
        return payment

    return post


def close_through(first: date, last: date) -> None:
    day = first
    while day <= last:
        services.close_day(on=day)
        day += timedelta(days=1)


@pytest.fixture
def collector(make_user):
    from core.roles import Role

    return make_user(Role.COLLECTOR, username="collector")
