"""Payout accounts: where a loan or a refund is paid to (DOMAIN.md §9, §14).

Two kinds are accepted, nothing else:

* a Kazakhstan IBAN: ``KZ``, 2 check digits, 3 digits of the bank, 13 letters or digits of the
  account, 20 characters in all, checked (ISO 13616 mod-97 and the country's structure) by the
  maintained ``schwifty`` library, not by code of our own; stored compact
  (``KZ86125KZT5004100100``);
* a payment card: its FULL number (13 to 19 digits, ISO/IEC 7812) is typed once and its Luhn
  check digit verified, then only the masked form is kept: the first six digits (the issuer)
  and the last four, the middle as ``*`` (``440043******1234``). A full card number is never
  stored, logged or audited. A masked number cannot be checked, so it is accepted only as a
  *reference* to an account already verified on the contract or approved by a second person
  (``parse_payout_reference``), never as a new account (``parse_payout_account``).

Spaces, hyphens and case are normalised. Forms and serializers use the Django validators at the
bottom (the error lands on their field); services call ``payout_account_checked``, which raises a
``DomainError`` naming the field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from schwifty import IBAN
from schwifty import exceptions as iban_errors

from core.errors import DomainError

KZ_IBAN_LENGTH = 20
CARD_LENGTHS = range(13, 20)  # ISO/IEC 7812: 13 to 19 digits
CARD_SHOWN_FIRST, CARD_SHOWN_LAST = 6, 4
_SEPARATORS = re.compile(r"[\s\-]+")
_MASKED_CARD = re.compile(r"^(\d{6})(\*+)(\d{4})$")


class AccountKind(StrEnum):
    IBAN = "iban"
    CARD = "card"


@dataclass(frozen=True)
class PayoutAccount:
    kind: AccountKind
    value: str  # as stored: a compact IBAN, or a masked card number

    @property
    def shown(self) -> str:
        """In groups of four as printed on paper; a masked card as it is."""
        if self.kind == AccountKind.IBAN:
            return " ".join(self.value[i : i + 4] for i in range(0, len(self.value), 4))
        return self.value


class PayoutAccountError(ValueError):
    def __init__(self, message, code: str) -> None:
        super().__init__(message)
        self.message, self.code = message, code


def normalise(raw: str) -> str:
    """``kz86 125k-zt50…`` → ``KZ86125KZT50…``: no spaces or hyphens, upper case."""
    return _SEPARATORS.sub("", raw or "").upper()


def luhn_valid(digits: str) -> bool:
    """The Luhn (mod 10) check of a card number, its last digit the check digit."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = int(char)
        if position % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def mask_card(number: str) -> str:
    """``4400430000001234`` → ``440043******1234``."""
    hidden = len(number) - CARD_SHOWN_FIRST - CARD_SHOWN_LAST
    return number[:CARD_SHOWN_FIRST] + "*" * hidden + number[-CARD_SHOWN_LAST:]


def _iban(value: str) -> PayoutAccount:
    if not value.startswith("KZ"):
        raise PayoutAccountError(
            _("Only an account in Kazakhstan is accepted: its IBAN starts with KZ."), "not_kz"
        )
    if len(value) != KZ_IBAN_LENGTH:
        raise PayoutAccountError(
            _("A Kazakhstan IBAN has 20 characters; this one has %(count)s.")
            % {"count": len(value)},
            "iban_length",
        )
    try:
        iban = IBAN(value, validate_bban=True)
    except iban_errors.InvalidChecksumDigits as error:
        raise PayoutAccountError(
            _("The IBAN's check digits do not match: a character is mistyped."), "iban_checksum"
        ) from error
    except iban_errors.SchwiftyException as error:
        raise PayoutAccountError(
            _(
                "This is not a Kazakhstan IBAN: KZ, two check digits, three digits of the bank "
                "and thirteen letters or digits of the account."
            ),
            "iban_format",
        ) from error
    return PayoutAccount(AccountKind.IBAN, iban.compact)


def _card(value: str) -> PayoutAccount:
    if len(value) not in CARD_LENGTHS:
        raise PayoutAccountError(
            _("A card number has 13 to 19 digits; this one has %(count)s.") % {"count": len(value)},
            "card_length",
        )
    if not luhn_valid(value):
        raise PayoutAccountError(
            _("The card number's check digit does not match: a digit is mistyped."),
            "card_checksum",
        )
    return PayoutAccount(AccountKind.CARD, mask_card(value))


def _masked_card(value: str) -> PayoutAccount | None:
    if _MASKED_CARD.match(value) and len(value) in CARD_LENGTHS:
        return PayoutAccount(AccountKind.CARD, value)
    return None


def parse_payout_account(raw: str) -> PayoutAccount:
    """A NEW account, verified: a Kazakhstan IBAN or a full card number (kept masked)."""
    value = normalise(raw)
    if not value:
        raise PayoutAccountError(_("Give the IBAN or the card number."), "required")
    if value.isdigit():
        return _card(value)
    if _masked_card(value):
        raise PayoutAccountError(
            _(
                "Give the card's full number: its check digit is verified, then only the first "
                "six and the last four digits are kept."
            ),
            "card_masked",
        )
    if value[:2].isalpha() and value[2:4].isdigit():  # a country and check digits: an IBAN
        return _iban(value)
    raise PayoutAccountError(
        _("Give a Kazakhstan IBAN (KZ and 18 more characters) or a card number."), "invalid"
    )


def parse_payout_reference(raw: str) -> PayoutAccount:
    """An account named to pay to: verified like a new one, or the masked form of a card that
    was verified before (the caller then requires it to be the contract's or an approved one)."""
    return _masked_card(normalise(raw)) or parse_payout_account(raw)


def stored_account(value: str) -> PayoutAccount:
    """An account as stored on a contract or a request (verified when it was stored)."""
    kind = AccountKind.CARD if _masked_card(value) else AccountKind.IBAN
    return PayoutAccount(kind, value)


def payout_account_checked(raw: str, *, field: str, reference: bool = False) -> PayoutAccount:
    """For services: the account, or a ``DomainError`` naming ``field``."""
    try:
        return parse_payout_reference(raw) if reference else parse_payout_account(raw)
    except PayoutAccountError as error:
        raise DomainError(error.message, field=field, code=error.code) from error


def validate_payout_account(value: str) -> None:
    """Form and serializer field validator: a new account."""
    try:
        parse_payout_account(value)
    except PayoutAccountError as error:
        raise ValidationError(error.message, code=error.code) from error


def validate_payout_reference(value: str) -> None:
    """Form and serializer field validator: an account to pay to (a masked card allowed)."""
    try:
        parse_payout_reference(value)
    except PayoutAccountError as error:
        raise ValidationError(error.message, code=error.code) from error
