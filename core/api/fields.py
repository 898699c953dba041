"""The output and input fields every app's API shares: money, rates, choice codes, identifiers.

Outputs give a choice as its plain code (documented in ``help_text``): the OpenAPI schema then
names each choice set once, on the input that accepts it, and never collides across components.
Money goes out as a string with two decimals (``MONEY``), a rate with six (``RATE``).
"""

from __future__ import annotations

from enum import StrEnum

from django.db import models
from rest_framework import serializers

from core.money import MONEY, RATE
from core.privacy import identifier_for

__all__ = ["MONEY", "RATE", "choice_code", "enum_code", "identifier_shown", "money", "rate"]


def choice_code(choices: type[models.TextChoices], **kwargs) -> serializers.CharField:
    """An output field giving a choice by its code, the codes listed for the schema."""
    values = ", ".join(f"`{value}`" for value in choices.values)
    return serializers.CharField(read_only=True, help_text=f"One of: {values}.", **kwargs)


def enum_code(enum: type[StrEnum], **kwargs) -> serializers.CharField:
    """An output field giving a member of a plain enum by its value, listed for the schema."""
    values = ", ".join(f"`{member.value}`" for member in enum)
    return serializers.CharField(read_only=True, help_text=f"One of: {values}.", **kwargs)


def money(**kwargs) -> serializers.DecimalField:
    """An output amount in KZT, a string with two decimals."""
    return serializers.DecimalField(**MONEY, read_only=True, **kwargs)


def rate(**kwargs) -> serializers.DecimalField:
    """An output rate, % a year, a string with six decimals."""
    return serializers.DecimalField(**RATE, read_only=True, **kwargs)


def identifier_shown(user, value: str, *, registered_by_id: int | None) -> str:
    """An IIN or BIN in full to the roles that need it and to the branch system that registered
    the person; masked otherwise.

    A branch system sent the number itself and matches its records by it; it sees the numbers
    of persons registered elsewhere masked, like any role without need-to-know.
    """
    if not value:
        return ""
    return identifier_for(user, value, registered_by_id=registered_by_id)
