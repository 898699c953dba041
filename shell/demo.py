"""Demo data: the product sets of DOMAIN.md §5 and one user per role.

``manage.py seed_demo`` loads them, then each app's own demo data (``applications.demo``,
``collateral.demo``, ``loans.demo``) and yesterday's k1.
"""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from core.integrations import integration_token_issue
from core.roles import Role
from lending.models import AmountUnit, DayCount, Product, ProductPurpose, Purpose, RepaymentMethod

ALL_METHODS = [
    RepaymentMethod.ANNUITY,
    RepaymentMethod.DIFFERENTIATED,
    RepaymentMethod.INTEREST_ONLY,
]

PRODUCTS: list[dict] = [
    {
        "code": "efg-standard",
        "name_kk": "Стандартты микрокредит (Express Finance Group)",
        "name_ru": "Стандартный микрокредит (Express Finance Group)",
        "name_en": "Standard microcredit (Express Finance Group)",
        "min_amount": Decimal("10000"),
        "min_amount_unit": AmountUnit.KZT,
        "max_amount": Decimal("20000"),
        "max_amount_unit": AmountUnit.MRP,
        "min_term_months": 1,
        "max_term_months": 72,
        "min_rate": Decimal("0.01"),
        "max_rate": Decimal("45"),
        "gesv_cap": Decimal("56"),
        "secured": True,
        "day_count": DayCount.THIRTY_360,
        "methods": ALL_METHODS,
        "penalty_rate_daily": Decimal("0.5"),
        "purposes": [(Purpose.ANY_LAWFUL, None)],
    },
    {
        "code": "almaty-secured",
        "name_kk": "Кепілді микрокредит (МҚҰ «Алматы»)",
        "name_ru": "Обеспеченный микрокредит (МФО «Алматы»)",
        "name_en": "Secured microcredit (MFO Almaty)",
        "min_amount": Decimal("500000"),
        "min_amount_unit": AmountUnit.KZT,
        "max_amount": Decimal("20000"),
        "max_amount_unit": AmountUnit.MRP,
        "min_term_months": 3,
        "max_term_months": 84,
        "min_rate": Decimal("2"),
        "max_rate": Decimal("6"),
        "gesv_cap": Decimal("56"),
        "secured": True,
        "day_count": DayCount.ACTUAL_360,
        "methods": ALL_METHODS,
        "penalty_rate_daily": Decimal("1"),
        "min_coverage": Decimal("1"),
        "purposes": [(Purpose.FIXED_ASSETS, 84), (Purpose.WORKING_CAPITAL, 36)],
    },
    {
        "code": "almaty-unsecured",
        "name_kk": "Кепілсіз микрокредит (МҚҰ «Алматы»)",
        "name_ru": "Беззалоговый микрокредит (МФО «Алматы»)",
        "name_en": "Unsecured microcredit (MFO Almaty)",
        "min_amount": Decimal("100000"),
        "min_amount_unit": AmountUnit.KZT,
        "max_amount": Decimal("6000000"),
        "max_amount_unit": AmountUnit.KZT,
        "min_term_months": 1,
        "max_term_months": 24,
        "min_rate": Decimal("12"),
        "max_rate": Decimal("12"),
        "gesv_cap": Decimal("56"),
        "secured": False,
        "day_count": DayCount.ACTUAL_360,
        "methods": ALL_METHODS,
        "penalty_rate_daily": Decimal("1"),
        "purposes": [(Purpose.FIXED_ASSETS, 24), (Purpose.WORKING_CAPITAL, 24)],
    },
]

DEMO_USERS: list[tuple[str, Role, str, str]] = [
    ("credit.admin", Role.CREDIT_ADMINISTRATOR, "Айгүл", "Сейітова"),
    ("committee", Role.COMMITTEE_MEMBER, "Ерлан", "Жақсыбеков"),
    ("committee2", Role.COMMITTEE_MEMBER, "Мәдина", "Қасымова"),
    ("committee3", Role.COMMITTEE_MEMBER, "Олег", "Петренко"),
    ("accountant", Role.ACCOUNTANT, "Динара", "Омарова"),
    ("monitoring", Role.MONITORING_MANAGER, "Бауыржан", "Әлиев"),
    ("risk", Role.RISK_MANAGER, "Светлана", "Ким"),
    ("collector", Role.COLLECTOR, "Нұржан", "Төлеуов"),
    ("branch.api", Role.BRANCH_SYSTEM, "Branch", "System"),
    ("admin", Role.ADMINISTRATOR, "Асхат", "Нұрланов"),
]


@transaction.atomic
def seed_products() -> list[Product]:
    products = []
    for spec in PRODUCTS:
        fields = {k: v for k, v in spec.items() if k not in {"code", "purposes"}}
        product, _ = Product.objects.update_or_create(code=spec["code"], defaults=fields)
        product.purposes.exclude(purpose__in=[p for p, _ in spec["purposes"]]).delete()
        for purpose, max_term in spec["purposes"]:
            ProductPurpose.objects.update_or_create(
                product=product, purpose=purpose, defaults={"max_term_months": max_term}
            )
        products.append(product)
    return products


@transaction.atomic
def seed_users() -> list[tuple[str, Role, str]]:
    """Create (or reset) one user per role; returns (username, role, secret) to print.

    The secret is a password, or for the API-only branch system its token.
    """
    User = get_user_model()
    logins = []
    for username, role, first_name, last_name in DEMO_USERS:
        user, _ = User.objects.get_or_create(username=username)
        user.first_name, user.last_name = first_name, last_name
        user.is_staff = user.is_superuser = role == Role.ADMINISTRATOR
        if role == Role.BRANCH_SYSTEM:
            user.set_unusable_password()
            user.save()
            user.groups.set([Group.objects.get(name=role.value)])
            # the head office's integration: the demo's files are at head office
            issued = integration_token_issue(
                username=username, branch=None, all_branches=True, rotate=True, operator="demo"
            )
            secret = f"token {issued.key}"
        else:
            secret = secrets.token_urlsafe(9)
            user.set_password(secret)
            user.save()
            user.groups.set([Group.objects.get(name=role.value)])
        logins.append((username, role, secret))
    return logins
