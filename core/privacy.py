"""Bank secrecy (DOMAIN.md §14): who sees a borrower's personal data, and masking for the rest."""

from __future__ import annotations

from core.roles import PERSONAL_DATA_ROLES, has_role


def can_see_personal_data(user) -> bool:
    return has_role(user, PERSONAL_DATA_ROLES)


def mask_identifier(value: str) -> str:
    """An IIN or BIN with its middle hidden: 900101300017 → 9001******17."""
    if len(value) <= 6:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 6) + value[-2:]


def identifier_for(user, value: str) -> str:
    return value if can_see_personal_data(user) else mask_identifier(value)
