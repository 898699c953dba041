"""IIN and BIN: the 12-digit numbers of persons and legal entities (DOMAIN.md §13)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_FIRST_WEIGHTS = tuple(range(1, 12))
_SECOND_WEIGHTS = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
_CENTURY_BY_DIGIT = {1: 1800, 2: 1800, 3: 1900, 4: 1900, 5: 2000, 6: 2000}


class IdentifierError(ValueError):
    pass


def check_digit(first_eleven: str) -> int | None:
    """The control digit of the first 11 digits, or None when no valid digit exists."""
    digits = [int(c) for c in first_eleven]
    for weights in (_FIRST_WEIGHTS, _SECOND_WEIGHTS):
        remainder = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
        if remainder != 10:
            return remainder
    return None


def _check_shape(number: str) -> None:
    if len(number) != 12 or not number.isdigit():
        raise IdentifierError(_("Must be exactly 12 digits."))
    if check_digit(number[:11]) != int(number[11]):
        raise IdentifierError(_("The control digit does not match."))


@dataclass(frozen=True)
class IinInfo:
    birth_date: date
    sex: str  # "M" or "F"


def parse_iin(number: str) -> IinInfo:
    """Validate an IIN and return the birth date and sex it encodes."""
    _check_shape(number)
    century_digit = int(number[6])
    if century_digit not in _CENTURY_BY_DIGIT:
        raise IdentifierError(_("The 7th digit (century and sex) must be 1 to 6."))
    year = _CENTURY_BY_DIGIT[century_digit] + int(number[0:2])
    try:
        birth_date = date(year, int(number[2:4]), int(number[4:6]))
    except ValueError as exc:
        raise IdentifierError(_("The first six digits are not a valid date of birth.")) from exc
    return IinInfo(birth_date=birth_date, sex="M" if century_digit % 2 else "F")


def parse_bin(number: str) -> None:
    """Validate a BIN: YYMM of registration, entity type 4–6, kind, six digits, control digit."""
    _check_shape(number)
    month = int(number[2:4])
    if not 1 <= month <= 12:
        raise IdentifierError(_("The 3rd and 4th digits must be a month of registration."))
    if number[4] not in "456":
        raise IdentifierError(_("The 5th digit must be the entity type 4, 5 or 6."))


def is_valid_iin(number: str) -> bool:
    try:
        parse_iin(number)
    except IdentifierError:
        return False
    return True


def is_valid_bin(number: str) -> bool:
    try:
        parse_bin(number)
    except IdentifierError:
        return False
    return True


def validate_iin(value: str) -> None:
    """Model and serializer field validator."""
    try:
        parse_iin(value)
    except IdentifierError as exc:
        raise ValidationError(_("Invalid IIN: %(reason)s"), params={"reason": exc.args[0]}) from exc


def validate_bin(value: str) -> None:
    try:
        parse_bin(value)
    except IdentifierError as exc:
        raise ValidationError(_("Invalid BIN: %(reason)s"), params={"reason": exc.args[0]}) from exc
