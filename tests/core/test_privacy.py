"""The privacy policy's table (core.privacy): which role sees which personal data, and how."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.utils import translation

from core.privacy import (
    FIELDS,
    INCOME_BANDS,
    POLICY,
    Category,
    Shown,
    can_see_personal_data,
    identifier_for,
    income_band,
    sees,
    shown,
    treatment,
)
from core.roles import PERSONAL_DATA_ROLES, Role

C, M, B, H = Shown.CLEAR, Shown.MASKED, Shown.BANDED, Shown.HIDDEN
IIN = "900101300017"

# The decision, role by role (README, "Who sees personal data"): a change to the policy is a
# change to this table.
#                 identifier birth  contacts income account documents property
EXPECTED = {
    Role.CREDIT_ADMINISTRATOR: (C, C, C, C, C, C, C),
    Role.COMMITTEE_MEMBER: (C, C, C, C, C, C, C),
    Role.MONITORING_MANAGER: (C, C, C, C, C, C, C),
    Role.ADMINISTRATOR: (C, C, C, C, C, C, C),
    Role.ACCOUNTANT: (C, H, H, H, C, H, H),
    Role.COLLECTOR: (M, H, C, H, M, H, H),
    Role.RISK_MANAGER: (M, H, H, B, M, H, H),
    Role.BRANCH_SYSTEM: (M, H, H, H, M, H, H),
}
ORDER = (
    Category.IDENTIFIER,
    Category.BIRTH_DATE,
    Category.CONTACTS,
    Category.INCOME,
    Category.ACCOUNT,
    Category.DOCUMENTS,
    Category.PROPERTY,
)


def user(*roles: Role, pk: int = 1):
    """A user whose roles are already resolved (``core.roles.user_roles`` reads the cache)."""
    return SimpleNamespace(
        pk=pk, is_authenticated=True, is_active=True, is_superuser=False, _mfo_roles=set(roles)
    )


def test_every_category_has_a_rule_and_every_role_a_row():
    assert set(POLICY) == set(Category) == set(ORDER)
    assert set(EXPECTED) == set(Role)


@pytest.mark.parametrize("role", list(Role))
def test_each_role_sees_each_category_as_the_table_says(role):
    assert tuple(treatment(user(role), category) for category in ORDER) == EXPECTED[role]


def test_the_roles_working_on_the_whole_file_see_everything_in_clear():
    for role in PERSONAL_DATA_ROLES:
        assert all(sees(user(role), category) for category in Category)
        assert can_see_personal_data(user(role))
    assert not can_see_personal_data(user(Role.ACCOUNTANT))


def test_an_anonymous_or_missing_user_sees_the_most_closed_form():
    for nobody in (None, SimpleNamespace(is_authenticated=False)):
        assert [treatment(nobody, category) for category in ORDER] == [
            POLICY[category].otherwise for category in ORDER
        ]


def test_with_several_roles_the_most_open_one_counts():
    collector_and_risk = user(Role.COLLECTOR, Role.RISK_MANAGER)
    assert treatment(collector_and_risk, Category.CONTACTS) == C
    assert treatment(collector_and_risk, Category.INCOME) == B
    assert treatment(user(Role.RISK_MANAGER, Role.CREDIT_ADMINISTRATOR), Category.INCOME) == C


def test_a_branch_system_sees_in_clear_only_the_people_it_registered():
    branch = user(Role.BRANCH_SYSTEM, pk=7)
    for category in Category:
        assert treatment(branch, category, registered_by_id=7) == C
        assert treatment(branch, category, registered_by_id=8) == POLICY[category].otherwise
    # registering someone gives no other role a view it does not have
    assert treatment(user(Role.RISK_MANAGER, pk=7), Category.CONTACTS, registered_by_id=7) == H


def test_shown_gives_the_value_masked_banded_or_none():
    risk = user(Role.RISK_MANAGER)
    assert shown(risk, Category.IDENTIFIER, IIN) == "9001******17"
    assert shown(risk, Category.ACCOUNT, "KZ123456789012345678") == "KZ12**************78"
    assert shown(risk, Category.INCOME, Decimal("900000.00")) == Decimal("500000")
    assert shown(risk, Category.BIRTH_DATE, date(1990, 1, 1)) is None
    assert shown(risk, Category.CONTACTS, "+77015551234") is None
    assert shown(risk, Category.CONTACTS, "") is None  # hidden, not "has no phone"
    assert shown(risk, Category.IDENTIFIER, "") == ""
    officer = user(Role.CREDIT_ADMINISTRATOR)
    assert shown(officer, Category.INCOME, Decimal("900000.00")) == Decimal("900000.00")
    assert identifier_for(officer, IIN) == IIN
    assert identifier_for(user(Role.BRANCH_SYSTEM, pk=3), IIN, registered_by_id=3) == IIN


@pytest.mark.parametrize(
    ("amount", "low", "high"),
    [
        ("0", "0", "100000"),
        ("99999.99", "0", "100000"),
        ("100000", "100000", "250000"),
        ("900000", "500000", "1000000"),
        ("1000000", "1000000", "2500000"),
        ("25000000", "10000000", None),
    ],
)
def test_an_income_falls_into_its_band(amount, low, high):
    band = income_band(Decimal(amount))
    assert band.low == Decimal(low)
    assert band.high == (Decimal(high) if high else None)


def test_the_bands_rise_and_start_at_zero():
    assert INCOME_BANDS[0] == 0
    assert list(INCOME_BANDS) == sorted(set(INCOME_BANDS))


def test_a_band_reads_in_the_language_of_the_page():
    with translation.override("en"):
        assert str(income_band(Decimal("900000"))) == "500,000 to 1,000,000"
        assert str(income_band(Decimal("12000000"))) == "10,000,000 and more"


def test_the_personal_fields_are_named_once():
    assert FIELDS["phone"] == FIELDS["email"] == Category.CONTACTS
    assert FIELDS["monthly_income"] == FIELDS["existing_payments"] == Category.INCOME
    assert FIELDS["payee_account"] == Category.ACCOUNT
    assert {FIELDS[name] for name in ("iin", "bin", "identifier")} == {Category.IDENTIFIER}


def render(template: str, as_user, **values) -> str:
    page = Template("{% load privacy %}" + template)
    with translation.override("en"):
        return page.render(Context({"request": SimpleNamespace(user=as_user), **values})).strip()


@pytest.mark.parametrize(
    ("role", "income", "phone", "iin"),
    [
        (Role.CREDIT_ADMINISTRATOR, "900,000.00", "+77015551234", IIN),
        (Role.RISK_MANAGER, "500,000 to 1,000,000", "", "9001******17"),
        (Role.COLLECTOR, "", "+77015551234", "9001******17"),
        (Role.ACCOUNTANT, "", "", IIN),
    ],
)
def test_the_template_tags_follow_the_same_table(role, income, phone, iin):
    as_user = user(role)
    values = {"income": Decimal("900000.00"), "phone": "+77015551234", "iin": IIN}
    assert render('{% personal "income" income %}', as_user, **values) == income
    assert render('{% personal "contacts" phone %}', as_user, **values) == phone
    assert render('{% personal "identifier" iin %}', as_user, **values) == iin
    shown_flag = render('{% visible "income" as v %}{{ v|yesno:"y,n" }}', as_user)
    assert shown_flag == ("y" if income else "n")


def test_the_template_tag_escapes_and_formats_dates():
    officer = user(Role.CREDIT_ADMINISTRATOR)
    assert render('{% personal "contacts" a %}', officer, a="<b>x</b>") == "&lt;b&gt;x&lt;/b&gt;"
    assert render('{% personal "birth_date" d %}', officer, d=date(1990, 1, 2)) == "02.01.1990"
    assert render('{% personal "contacts" a %}', officer, a="") == "—"
