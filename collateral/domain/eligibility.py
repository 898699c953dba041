"""What the MFO accepts as collateral (DOMAIN.md §4, §15; seed 004 ch. 2 §1 p.2, §3; seed 003 §6).

``collateral_reasons`` returns every reason an offered item cannot be accepted, each an
``Ineligibility(field, code, params)``; an empty list means acceptable. Edges translate the codes.
Declarations default to "not given", so an item nobody has checked is never silently accepted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from collateral.domain.countries import FAR_COUNTRIES, NEAR_COUNTRIES
from collateral.domain.valuation import appraisal_valid, appraisal_valid_until


class CollateralKind(StrEnum):
    # seed 004 ch. 2 §3 p.1 sub-points 1)–6)
    LAND = "land"
    HOUSING = "housing"
    NON_RESIDENTIAL = "non_residential"
    VEHICLE = "vehicle"
    SPECIAL_MACHINERY = "special_machinery"
    MACHINERY_PURCHASED = "machinery_purchased"
    GUARANTEE_INDIVIDUAL = "guarantee_individual"
    GUARANTEE_ENTITY = "guarantee_entity"


class MakeOrigin(StrEnum):
    FAR = "far"  # USA, Japan, Europe, South Korea, Canada
    NEAR = "near"  # CIS, China


class NotPledgeable(StrEnum):
    # seed 004 ch. 2 §1 p.2 3)
    ESSENTIAL_PERSONAL = "essential_personal"  # exempt from recovery: necessities, clothing
    CULTURAL_HISTORIC = "cultural_historic"
    ART = "art"
    ANTIQUE = "antique"
    # seed 003 §6.6: only property neither withdrawn from nor restricted in circulation
    RESTRICTED_CIRCULATION = "restricted_circulation"


REAL_ESTATE = frozenset(
    {CollateralKind.LAND, CollateralKind.HOUSING, CollateralKind.NON_RESIDENTIAL}
)
AGE_LIMITED = frozenset({CollateralKind.VEHICLE, CollateralKind.SPECIAL_MACHINERY})
GUARANTEES = frozenset({CollateralKind.GUARANTEE_INDIVIDUAL, CollateralKind.GUARANTEE_ENTITY})
PROPERTY = frozenset(CollateralKind) - GUARANTEES
# Machinery still being bought has no title in the borrower's name yet; its documents are
# handed over after the purchase (seed 004 ch. 3 §2 p.10), so they are not asked for up front.
TITLE_DOCUMENT_KINDS = REAL_ESTATE | AGE_LIMITED

# Real estate areas of seed 004 ch. 2 §3 p.1 1)–3): the cities of Almaty, Astana (Nur-Sultan)
# and Shymkent and Almaty region as a whole, elsewhere only a region's centre (областной
# центр). Codes are those of applications.models.Region.
SEED_004_WHOLE_REGIONS = frozenset({"almaty_city", "astana", "shymkent", "almaty"})
SEED_004_CENTRE_REGIONS = frozenset(
    {
        "abai",
        "akmola",
        "aktobe",
        "atyrau",
        "east_kazakhstan",
        "jambyl",
        "jetisu",
        "west_kazakhstan",
        "karaganda",
        "kostanay",
        "kyzylorda",
        "mangystau",
        "pavlodar",
        "north_kazakhstan",
        "turkistan",
        "ulytau",
    }
)


@dataclass(frozen=True)
class Ineligibility:
    field: str
    code: str
    params: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class CollateralRules:
    # Both empty: real estate anywhere. Else the region must be served as a whole, or be a
    # centre-only region with the item in its centre.
    served_regions: frozenset[str] = frozenset()
    served_regional_centres: frozenset[str] = frozenset()
    max_age_far: int = 7  # seed 004 ch. 2 §3 p.1 4)
    max_age_near: int = 3  # same
    far_countries: frozenset[str] = FAR_COUNTRIES
    near_countries: frozenset[str] = NEAR_COUNTRIES


SEED_004_RULES = CollateralRules(
    served_regions=SEED_004_WHOLE_REGIONS, served_regional_centres=SEED_004_CENTRE_REGIONS
)


@dataclass(frozen=True)
class CollateralItem:
    kind: CollateralKind
    # real estate: where it is registered
    region: str = ""
    in_regional_centre: bool = False
    state_registered: bool = False
    # vehicles and special machinery
    make_country: str = ""  # ISO 3166-1 alpha-2 of the make
    year_of_manufacture: int | None = None
    # every kind
    not_pledgeable: NotPledgeable | None = None
    # the pledgor's declarations and documents (seed 004 ch. 2 §3 p.2)
    has_original_title_documents: bool = False
    free_of_third_party_rights: bool = False
    free_of_budget_arrears: bool = False
    appraisal_date: date | None = None
    # pledgor (property) or guarantor (guarantees); a guarantee_entity is always an entity
    provider_is_legal_entity: bool = False
    body_decision: bool = False  # of the entity's authorised body to pledge or guarantee


def make_origin(
    country: str,
    *,
    far: frozenset[str] = FAR_COUNTRIES,
    near: frozenset[str] = NEAR_COUNTRIES,
) -> MakeOrigin | None:
    """The age-limit group of a make's country code; ``None`` when the rules do not name it."""
    code = country.strip().upper()
    # near first: a code configured into both groups gets the stricter limit
    if code in near:
        return MakeOrigin.NEAR
    if code in far:
        return MakeOrigin.FAR
    return None


def age_in_years(year_of_manufacture: int, on: date) -> int:
    """Age on ``on`` of an item of which only the year is known.

    Taken as made on 1 January of that year, the oldest it can be, so the limit is never
    exceeded unnoticed: a 2019 car is 7 throughout 2026 and 8 from 1 January 2027.
    """
    return on.year - year_of_manufacture


def collateral_reasons(
    item: CollateralItem, rules: CollateralRules, on: date
) -> list[Ineligibility]:
    """Every reason ``item`` cannot be accepted for an application dated ``on``."""
    kind = CollateralKind(item.kind)
    reasons: list[Ineligibility] = []
    if item.not_pledgeable is not None:
        reasons.append(
            Ineligibility(
                "not_pledgeable", "not_pledgeable", {"category": str(item.not_pledgeable)}
            )
        )
    if kind in REAL_ESTATE:
        reasons += _real_estate_reasons(item, rules)
    if kind in AGE_LIMITED:
        reasons += _age_reasons(item, rules, on)
    if kind in TITLE_DOCUMENT_KINDS and not item.has_original_title_documents:
        reasons.append(Ineligibility("has_original_title_documents", "title_documents_missing"))
    if kind in PROPERTY:
        reasons += _property_reasons(item, on)
    reasons += _provider_reasons(item, kind)
    return reasons


def _real_estate_reasons(item: CollateralItem, rules: CollateralRules) -> list[Ineligibility]:
    reasons = []
    if not _location_served(item, rules):
        reasons.append(
            Ineligibility(
                "region",
                "region_not_served",
                {"region": item.region, "in_regional_centre": item.in_regional_centre},
            )
        )
    if not item.state_registered:  # seed 004 ch. 2 §3 p.1 1)–3): "с государственной регистрацией"
        reasons.append(Ineligibility("state_registered", "not_state_registered"))
    return reasons


def _location_served(item: CollateralItem, rules: CollateralRules) -> bool:
    if not rules.served_regions and not rules.served_regional_centres:
        return True
    if item.region in rules.served_regions:
        return True
    return item.region in rules.served_regional_centres and item.in_regional_centre


def _age_reasons(item: CollateralItem, rules: CollateralRules, on: date) -> list[Ineligibility]:
    reasons = []
    origin = make_origin(item.make_country, far=rules.far_countries, near=rules.near_countries)
    if origin is None:
        reasons.append(
            Ineligibility("make_country", "make_origin_unknown", {"country": item.make_country})
        )
    year = item.year_of_manufacture
    if year is None:
        reasons.append(Ineligibility("year_of_manufacture", "year_of_manufacture_missing"))
    elif year > on.year:
        reasons.append(
            Ineligibility("year_of_manufacture", "year_of_manufacture_in_future", {"year": year})
        )
    elif origin is not None:
        limit = rules.max_age_far if origin is MakeOrigin.FAR else rules.max_age_near
        age = age_in_years(year, on)
        if age > limit:  # "не старше N лет": N itself is accepted
            reasons.append(
                Ineligibility(
                    "year_of_manufacture",
                    "too_old",
                    {"age": age, "max_age": limit, "origin": str(origin), "year": year},
                )
            )
    return reasons


def _property_reasons(item: CollateralItem, on: date) -> list[Ineligibility]:
    reasons = []
    if not item.free_of_third_party_rights:
        reasons.append(Ineligibility("free_of_third_party_rights", "third_party_rights"))
    if not item.free_of_budget_arrears:
        reasons.append(Ineligibility("free_of_budget_arrears", "budget_arrears"))
    if item.appraisal_date is None:
        reasons.append(Ineligibility("appraisal_date", "appraisal_missing"))
    elif not appraisal_valid(item.appraisal_date, on):
        reasons.append(
            Ineligibility(
                "appraisal_date",
                "appraisal_expired",
                {
                    "appraisal_date": item.appraisal_date,
                    "valid_until": appraisal_valid_until(item.appraisal_date),
                },
            )
        )
    return reasons


def _provider_reasons(item: CollateralItem, kind: CollateralKind) -> list[Ineligibility]:
    if kind == CollateralKind.GUARANTEE_INDIVIDUAL:
        return []
    if kind == CollateralKind.GUARANTEE_ENTITY:
        # seed 003 §6.3: the guarantor's body decides to issue the guarantee
        if not item.body_decision:
            return [Ineligibility("body_decision", "guarantor_body_decision_missing")]
        return []
    # seed 003 §6.5, 3.4.5: the pledging entity's body decides to pledge
    if item.provider_is_legal_entity and not item.body_decision:
        return [Ineligibility("body_decision", "pledgor_body_decision_missing")]
    return []
