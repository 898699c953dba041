"""Bank secrecy (DOMAIN.md §14): one table says which role sees which personal data, and how.

Serializers (``core.api.privacy``), templates (``{% load privacy %}``) and the PDF views all ask
this module, so a page and its API twin show a person's data the same way. Each category of
personal data lists the roles that see it in clear; everyone else sees it masked (a string of the
same field), banded (an amount rounded down to its band) or hidden (null in the API, left out of
the page). README, *Who sees personal data*, gives the reasons role by role.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from core.roles import PERSONAL_DATA_ROLES, Role, has_role, user_roles


class Category(StrEnum):
    # the IIN or BIN of a borrower, representative, pledgor, guarantor or related party
    IDENTIFIER = "identifier"
    BIRTH_DATE = "birth_date"
    # phone, e-mail, registered and actual address
    CONTACTS = "contacts"
    # average monthly income and payments on other loans (the debt burden's inputs)
    INCOME = "income"
    # the account a loan is paid out or a refund is paid to
    ACCOUNT = "account"
    # the scans in a credit file: identity papers, income statements, title deeds
    DOCUMENTS = "documents"
    # where a pledged item is and its registry numbers: address, cadastral number, VIN
    PROPERTY = "property"


class Shown(StrEnum):
    CLEAR = "clear"
    MASKED = "masked"  # IIN 9001******17: a string of the same field
    BANDED = "banded"  # an amount rounded down to the lower bound of its band
    HIDDEN = "hidden"  # null in the API, not on the page


@dataclass(frozen=True)
class Rule:
    clear: frozenset[Role]
    otherwise: Shown
    banded: frozenset[Role] = frozenset()


# PERSONAL_DATA_ROLES (credit administrator, committee member, monitoring manager, administrator)
# work on the whole credit file and see all of it. The others see what their work needs:
POLICY: dict[Category, Rule] = {
    # the accountant's payment orders name the beneficiary's IIN/BIN, and bank statements
    # name the payer by it
    Category.IDENTIFIER: Rule(PERSONAL_DATA_ROLES | {Role.ACCOUNTANT}, Shown.MASKED),
    Category.BIRTH_DATE: Rule(PERSONAL_DATA_ROLES, Shown.HIDDEN),
    # collectors call, write to and visit the borrower
    Category.CONTACTS: Rule(PERSONAL_DATA_ROLES | {Role.COLLECTOR}, Shown.HIDDEN),
    # the risk manager needs figures, not identities: an income band, never the amount
    Category.INCOME: Rule(PERSONAL_DATA_ROLES, Shown.HIDDEN, banded=frozenset({Role.RISK_MANAGER})),
    # the accountant pays out and refunds to the account
    Category.ACCOUNT: Rule(PERSONAL_DATA_ROLES | {Role.ACCOUNTANT}, Shown.MASKED),
    Category.DOCUMENTS: Rule(PERSONAL_DATA_ROLES, Shown.HIDDEN),
    Category.PROPERTY: Rule(PERSONAL_DATA_ROLES, Shown.HIDDEN),
}

# The fields of the models (and of the API) that hold each category; a name, an amount of a loan
# or a region is not personal data to the roles that may open the file at all.
FIELDS: dict[str, Category] = {
    "iin": Category.IDENTIFIER,
    "bin": Category.IDENTIFIER,
    "identifier": Category.IDENTIFIER,
    "birth_date": Category.BIRTH_DATE,
    "phone": Category.CONTACTS,
    "email": Category.CONTACTS,
    "legal_address": Category.CONTACTS,
    "actual_address": Category.CONTACTS,
    "monthly_income": Category.INCOME,
    "existing_monthly_payments": Category.INCOME,
    "existing_payments": Category.INCOME,
    "payee_account": Category.ACCOUNT,
    "account": Category.ACCOUNT,
    "address": Category.PROPERTY,
    "cadastral_number": Category.PROPERTY,
    "vin": Category.PROPERTY,
}

# Lower bounds of the income bands, KZT a month: wide enough that a band and a masked IIN do
# not single a person out.
INCOME_BANDS = tuple(
    Decimal(bound)
    for bound in (0, 100_000, 250_000, 500_000, 1_000_000, 2_500_000, 5_000_000, 10_000_000)
)


@dataclass(frozen=True)
class Band:
    low: Decimal
    high: Decimal | None  # None: the top band

    def __str__(self) -> str:
        low = number_format(self.low, decimal_pos=0, force_grouping=True)
        if self.high is None:
            return _("%(low)s and more") % {"low": low}
        high = number_format(self.high, decimal_pos=0, force_grouping=True)
        return _("%(low)s to %(high)s") % {"low": low, "high": high}


def income_band(amount: Decimal) -> Band:
    below = [bound for bound in INCOME_BANDS if bound <= amount] or [INCOME_BANDS[0]]
    low = below[-1]
    above = [bound for bound in INCOME_BANDS if bound > low]
    return Band(low=low, high=above[0] if above else None)


def treatment(user, category: Category, *, registered_by_id: int | None = None) -> Shown:
    """How ``user`` sees data of ``category``; with several roles the most open one counts.

    A branch system sees in clear the people it registered itself (``registered_by_id``): it
    sent their data and matches its records by them.
    """
    if (
        registered_by_id is not None
        and registered_by_id == getattr(user, "pk", None)
        and has_role(user, {Role.BRANCH_SYSTEM})
    ):
        return Shown.CLEAR
    rule = POLICY[Category(category)]
    roles = user_roles(user)
    if roles & rule.clear:
        return Shown.CLEAR
    if roles & rule.banded:
        return Shown.BANDED
    return rule.otherwise


def sees(user, category: Category, *, registered_by_id: int | None = None) -> bool:
    """The user sees the category's data in clear."""
    return treatment(user, category, registered_by_id=registered_by_id) == Shown.CLEAR


def shown(user, category: Category, value: Any, *, registered_by_id: int | None = None) -> Any:
    """``value`` as ``user`` may see it: itself, masked, its band's lower bound, or None."""
    how = treatment(user, category, registered_by_id=registered_by_id)
    if how == Shown.CLEAR:
        return value
    if how == Shown.HIDDEN:
        return None
    if value is None or value == "":
        return value
    if how == Shown.BANDED:
        return income_band(value).low
    return mask_identifier(str(value))


def can_see_personal_data(user) -> bool:
    """The user sees every category in clear (the roles working on the whole credit file)."""
    return has_role(user, PERSONAL_DATA_ROLES)


def mask_identifier(value: str) -> str:
    """An IIN or BIN with its middle hidden: 900101300017 → 9001******17."""
    if len(value) <= 6:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 6) + value[-2:]


def identifier_for(user, value: str, *, registered_by_id: int | None = None) -> str:
    return shown(user, Category.IDENTIFIER, value, registered_by_id=registered_by_id)
