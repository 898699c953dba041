from __future__ import annotations

from decimal import Decimal

from lending.domain.limits import ProductLimits, check_limits, gesv_violation

LIMITS = ProductLimits(
    min_amount=Decimal("500000"),
    max_amount=Decimal("86500000"),
    min_term_months=3,
    max_term_months=36,
    min_rate=Decimal("2"),
    max_rate=Decimal("6"),
    methods=frozenset({"annuity", "differentiated"}),
    day_count="actual/360",
)


def _check(**overrides):
    terms = {
        "amount": Decimal("1000000"),
        "term_months": 12,
        "annual_rate": Decimal("6"),
        "method": "annuity",
        "day_count": "actual/360",
    }
    return check_limits(LIMITS, **{**terms, **overrides})


def test_terms_inside_every_limit_pass():
    assert _check() == []


def test_limits_are_inclusive_at_both_ends():
    assert _check(amount=Decimal("500000"), term_months=3, annual_rate=Decimal("2")) == []
    assert _check(amount=Decimal("86500000"), term_months=36) == []


def test_each_broken_limit_is_reported_with_its_field():
    violations = _check(
        amount=Decimal("499999.99"),
        term_months=37,
        annual_rate=Decimal("6.01"),
        method="interest_only",
        day_count="30/360",
    )
    assert [(v.field, v.code) for v in violations] == [
        ("amount", "amount_out_of_range"),
        ("term_months", "term_out_of_range"),
        ("annual_rate", "rate_out_of_range"),
        ("method", "method_not_allowed"),
        ("day_count", "day_count_differs"),
    ]
    assert violations[0].params == {"min": Decimal("500000"), "max": Decimal("86500000")}


def test_gesv_equal_to_the_cap_is_allowed_above_is_not():
    assert gesv_violation(Decimal("46.0"), Decimal("46")) is None
    violation = gesv_violation(Decimal("46.1"), Decimal("46"))
    assert violation.code == "gesv_above_cap"
    assert violation.field == "gesv"
