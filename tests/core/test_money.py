from __future__ import annotations

from decimal import Decimal

import pytest

from core.money import parse_money, round_to_multiple, to_tiyn


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("2.345", "2.35"),  # half-up, not banker's rounding (which gives 2.34)
        ("2.335", "2.34"),
        ("-2.345", "-2.35"),
        ("277.7777", "277.78"),
        ("0.004", "0.00"),
        ("100", "100.00"),
    ],
)
def test_to_tiyn_rounds_half_up(amount, expected):
    assert to_tiyn(Decimal(amount)) == Decimal(expected)
    assert str(to_tiyn(Decimal(amount))) == expected


@pytest.mark.parametrize(
    ("amount", "multiple", "expected"),
    [
        ("17.126", "0.01", "17.13"),
        ("17126.50", "1", "17127.00"),
        ("17126.49", "1", "17126.00"),
        ("17150", "100", "17200.00"),
    ],
)
def test_round_to_multiple(amount, multiple, expected):
    assert round_to_multiple(Decimal(amount), Decimal(multiple)) == Decimal(expected)


def test_round_to_multiple_refuses_non_positive_multiple():
    with pytest.raises(ValueError):
        round_to_multiple(Decimal("1"), Decimal("0"))


def test_parse_money_accepts_strings_with_spaces_and_commas():
    assert parse_money("1 000 000,50") == Decimal("1000000.50")


@pytest.mark.parametrize("bad", ["abc", "NaN", "Infinity", ""])
def test_parse_money_refuses_non_amounts(bad):
    with pytest.raises(ValueError):
        parse_money(bad)


def test_parse_money_refuses_float():
    with pytest.raises(TypeError):
        parse_money(0.1)
