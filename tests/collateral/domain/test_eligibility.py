from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from collateral.domain.countries import CIS, EUROPE
from collateral.domain.eligibility import (
    SEED_004_RULES,
    CollateralItem,
    CollateralKind,
    CollateralRules,
    Ineligibility,
    MakeOrigin,
    NotPledgeable,
    age_in_years,
    collateral_reasons,
    make_origin,
)

K = CollateralKind
ON = date(2026, 6, 15)
ANY_REGION = CollateralRules()


def _acceptable(kind: CollateralKind, **overrides) -> CollateralItem:
    """An item of ``kind`` with every declaration and document in order."""
    item = CollateralItem(
        kind=kind,
        region="almaty_city",
        state_registered=True,
        make_country="JP",
        year_of_manufacture=2024,
        has_original_title_documents=True,
        free_of_third_party_rights=True,
        free_of_budget_arrears=True,
        appraisal_date=date(2026, 5, 1),
        body_decision=True,
    )
    return replace(item, **overrides)


def _codes(item: CollateralItem, rules: CollateralRules = SEED_004_RULES, on: date = ON):
    return [(r.field, r.code) for r in collateral_reasons(item, rules, on)]


@pytest.mark.parametrize(
    ("country", "origin"),
    [
        ("US", MakeOrigin.FAR),
        ("JP", MakeOrigin.FAR),
        ("KR", MakeOrigin.FAR),
        ("CA", MakeOrigin.FAR),
        ("DE", MakeOrigin.FAR),
        ("SE", MakeOrigin.FAR),
        ("GB", MakeOrigin.FAR),
        ("CZ", MakeOrigin.FAR),
        ("CH", MakeOrigin.FAR),
        ("de", MakeOrigin.FAR),  # codes are read case-insensitively
        (" it ", MakeOrigin.FAR),
        ("RU", MakeOrigin.NEAR),
        ("BY", MakeOrigin.NEAR),
        ("KZ", MakeOrigin.NEAR),
        ("UZ", MakeOrigin.NEAR),
        ("UA", MakeOrigin.NEAR),  # former CIS: the stricter group, not Europe
        ("CN", MakeOrigin.NEAR),
        ("TR", None),  # not named by the seed: no guess
        ("KP", None),  # North Korea is not South Korea
        ("TW", None),
        ("USA", None),  # alpha-3 is not accepted
        ("", None),
    ],
)
def test_make_origin_groups_by_iso_alpha2(country, origin):
    assert make_origin(country) is origin


def test_europe_and_cis_do_not_overlap():
    assert not EUROPE & CIS


def test_a_country_in_both_groups_gets_the_stricter_one():
    assert make_origin("DE", far=frozenset({"DE"}), near=frozenset({"DE"})) is MakeOrigin.NEAR


@pytest.mark.parametrize("kind", list(CollateralKind))
def test_an_item_in_order_is_acceptable(kind):
    assert collateral_reasons(_acceptable(kind), SEED_004_RULES, ON) == []


def test_a_guarantee_needs_no_property_declarations():
    assert collateral_reasons(CollateralItem(kind=K.GUARANTEE_INDIVIDUAL), ANY_REGION, ON) == []


def test_an_unchecked_vehicle_lists_everything_missing():
    assert _codes(CollateralItem(kind=K.VEHICLE)) == [
        ("make_country", "make_origin_unknown"),
        ("year_of_manufacture", "year_of_manufacture_missing"),
        ("has_original_title_documents", "title_documents_missing"),
        ("free_of_third_party_rights", "third_party_rights"),
        ("free_of_budget_arrears", "budget_arrears"),
        ("appraisal_date", "appraisal_missing"),
    ]


@pytest.mark.parametrize(
    ("kind", "overrides", "expected"),
    [
        (
            K.HOUSING,
            {"not_pledgeable": NotPledgeable.CULTURAL_HISTORIC},
            Ineligibility("not_pledgeable", "not_pledgeable", {"category": "cultural_historic"}),
        ),
        (
            K.VEHICLE,
            {"not_pledgeable": NotPledgeable.ANTIQUE},
            Ineligibility("not_pledgeable", "not_pledgeable", {"category": "antique"}),
        ),
        (
            K.MACHINERY_PURCHASED,
            {"not_pledgeable": NotPledgeable.ESSENTIAL_PERSONAL},
            Ineligibility("not_pledgeable", "not_pledgeable", {"category": "essential_personal"}),
        ),
        (
            K.NON_RESIDENTIAL,
            {"not_pledgeable": NotPledgeable.ART},
            Ineligibility("not_pledgeable", "not_pledgeable", {"category": "art"}),
        ),
        (
            K.LAND,
            {"region": "karaganda", "in_regional_centre": False},
            Ineligibility(
                "region",
                "region_not_served",
                {"region": "karaganda", "in_regional_centre": False},
            ),
        ),
        (
            K.HOUSING,
            {"state_registered": False},
            Ineligibility("state_registered", "not_state_registered"),
        ),
        (
            K.VEHICLE,
            {"make_country": "TR"},
            Ineligibility("make_country", "make_origin_unknown", {"country": "TR"}),
        ),
        (
            K.SPECIAL_MACHINERY,
            {"year_of_manufacture": None},
            Ineligibility("year_of_manufacture", "year_of_manufacture_missing"),
        ),
        (
            K.VEHICLE,
            {"year_of_manufacture": 2027},
            Ineligibility("year_of_manufacture", "year_of_manufacture_in_future", {"year": 2027}),
        ),
        (
            K.VEHICLE,
            {"make_country": "CN", "year_of_manufacture": 2022},
            Ineligibility(
                "year_of_manufacture",
                "too_old",
                {"age": 4, "max_age": 3, "origin": "near", "year": 2022},
            ),
        ),
        (
            K.LAND,
            {"has_original_title_documents": False},
            Ineligibility("has_original_title_documents", "title_documents_missing"),
        ),
        (
            K.SPECIAL_MACHINERY,
            {"has_original_title_documents": False},
            Ineligibility("has_original_title_documents", "title_documents_missing"),
        ),
        (
            K.NON_RESIDENTIAL,
            {"free_of_third_party_rights": False},
            Ineligibility("free_of_third_party_rights", "third_party_rights"),
        ),
        (
            K.MACHINERY_PURCHASED,
            {"free_of_budget_arrears": False},
            Ineligibility("free_of_budget_arrears", "budget_arrears"),
        ),
        (
            K.HOUSING,
            {"appraisal_date": None},
            Ineligibility("appraisal_date", "appraisal_missing"),
        ),
        (
            K.HOUSING,
            {"appraisal_date": date(2025, 12, 14)},
            Ineligibility(
                "appraisal_date",
                "appraisal_expired",
                {"appraisal_date": date(2025, 12, 14), "valid_until": date(2026, 6, 14)},
            ),
        ),
        (
            K.LAND,
            {"provider_is_legal_entity": True, "body_decision": False},
            Ineligibility("body_decision", "pledgor_body_decision_missing"),
        ),
        (
            K.GUARANTEE_ENTITY,
            {"body_decision": False},
            Ineligibility("body_decision", "guarantor_body_decision_missing"),
        ),
    ],
)
def test_each_defect_gives_exactly_its_reason(kind, overrides, expected):
    assert collateral_reasons(_acceptable(kind, **overrides), SEED_004_RULES, ON) == [expected]


@pytest.mark.parametrize(
    ("kind", "overrides"),
    [
        # purchased machinery has no title yet; a guarantee is no property
        (K.MACHINERY_PURCHASED, {"has_original_title_documents": False}),
        (K.GUARANTEE_INDIVIDUAL, {"has_original_title_documents": False}),
        (K.GUARANTEE_INDIVIDUAL, {"free_of_third_party_rights": False, "appraisal_date": None}),
        # region, registration and age rules apply only to their kinds
        (K.VEHICLE, {"region": "mars", "state_registered": False}),
        (K.HOUSING, {"make_country": "", "year_of_manufacture": 1950}),
        (K.MACHINERY_PURCHASED, {"make_country": "", "year_of_manufacture": None}),
        # an entity with its body's decision, and an individual who needs none
        (K.HOUSING, {"provider_is_legal_entity": True, "body_decision": True}),
        (K.GUARANTEE_ENTITY, {"body_decision": True}),
        (K.GUARANTEE_INDIVIDUAL, {"body_decision": False}),
    ],
)
def test_rules_that_do_not_apply_to_a_kind_give_no_reason(kind, overrides):
    assert collateral_reasons(_acceptable(kind, **overrides), SEED_004_RULES, ON) == []


@pytest.mark.parametrize(
    ("region", "in_centre", "rules", "served"),
    [
        ("almaty_city", False, SEED_004_RULES, True),
        ("astana", False, SEED_004_RULES, True),
        ("shymkent", False, SEED_004_RULES, True),
        ("almaty", False, SEED_004_RULES, True),  # Almaty region as a whole
        ("karaganda", True, SEED_004_RULES, True),  # Karaganda, the regional centre
        ("karaganda", False, SEED_004_RULES, False),  # elsewhere in the region
        ("ulytau", True, SEED_004_RULES, True),
        ("", False, SEED_004_RULES, False),
        ("karaganda", False, ANY_REGION, True),  # no regions set: every region
        ("karaganda", False, CollateralRules(served_regions=frozenset({"astana"})), False),
        ("karaganda", True, CollateralRules(served_regions=frozenset({"astana"})), False),
    ],
)
def test_real_estate_must_lie_in_a_served_area(region, in_centre, rules, served):
    item = _acceptable(K.HOUSING, region=region, in_regional_centre=in_centre)
    assert (("region", "region_not_served") not in _codes(item, rules)) is served


@pytest.mark.parametrize(
    ("year", "on", "age"),
    [
        (2019, date(2026, 1, 1), 7),
        (2019, date(2026, 12, 31), 7),
        (2019, date(2027, 1, 1), 8),
        (2026, date(2026, 1, 1), 0),
    ],
)
def test_age_counts_from_the_first_of_january_of_the_year_made(year, on, age):
    assert age_in_years(year, on) == age


@pytest.mark.parametrize(
    ("kind", "country", "year", "on", "accepted"),
    [
        # far makes: 7 years; a 2019 make is 7 all through 2026
        (K.VEHICLE, "JP", 2019, date(2026, 12, 31), True),
        (K.VEHICLE, "JP", 2019, date(2027, 1, 1), False),
        (K.VEHICLE, "DE", 2018, date(2026, 1, 1), False),
        (K.SPECIAL_MACHINERY, "US", 2019, date(2026, 12, 31), True),
        (K.SPECIAL_MACHINERY, "KR", 2018, date(2026, 1, 1), False),
        # near makes: 3 years
        (K.VEHICLE, "RU", 2023, date(2026, 12, 31), True),
        (K.VEHICLE, "RU", 2023, date(2027, 1, 1), False),
        (K.VEHICLE, "CN", 2022, date(2026, 1, 1), False),
        (K.SPECIAL_MACHINERY, "BY", 2023, date(2026, 12, 31), True),
        (K.SPECIAL_MACHINERY, "CN", 2022, date(2026, 1, 1), False),
        # a new make of this year
        (K.VEHICLE, "CN", 2026, date(2026, 1, 1), True),
    ],
)
def test_age_limits_at_their_boundaries(kind, country, year, on, accepted):
    item = _acceptable(kind, make_country=country, year_of_manufacture=year, appraisal_date=on)
    assert (collateral_reasons(item, SEED_004_RULES, on) == []) is accepted


def test_the_age_limits_come_from_the_rules():
    rules = CollateralRules(max_age_far=10, max_age_near=5)
    item = _acceptable(K.VEHICLE, make_country="CN", year_of_manufacture=2021)
    assert collateral_reasons(item, rules, ON) == []
    reasons = collateral_reasons(replace(item, year_of_manufacture=2020), rules, ON)
    assert reasons[0].params == {"age": 6, "max_age": 5, "origin": "near", "year": 2020}


def test_the_rules_may_name_more_countries():
    rules = CollateralRules(near_countries=frozenset({"TR"}))
    assert collateral_reasons(_acceptable(K.VEHICLE, make_country="TR"), rules, ON) == []


def test_kind_given_as_a_plain_string_is_read_as_the_kind():
    item = replace(_acceptable(K.VEHICLE, make_country="TR"), kind="vehicle")
    assert _codes(item) == [("make_country", "make_origin_unknown")]
