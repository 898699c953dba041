"""Payout accounts: a Kazakhstan IBAN checked by schwifty, a card by its full number's Luhn
digit and kept masked (core.payout_accounts). No database."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from core.errors import DomainError
from core.payout_accounts import (
    AccountKind,
    PayoutAccountError,
    luhn_valid,
    parse_payout_account,
    parse_payout_reference,
    payout_account_checked,
    validate_payout_account,
)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("KZ86125KZT5004100100", "KZ86125KZT5004100100"),
        ("kz86 125k zt50 0410 0100", "KZ86125KZT5004100100"),  # as printed, any case
        ("KZ18-722S-0000-1234-5678", "KZ18722S000012345678"),
        ("KZ74601A000012345678", "KZ74601A000012345678"),
    ],
)
def test_a_kazakhstan_iban_is_accepted_and_stored_compact(typed, stored):
    account = parse_payout_account(typed)
    assert account.kind == AccountKind.IBAN
    assert account.value == stored


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("MY-OWN-CARD-4111", "invalid"),  # accepted by the disbursement before
        ("KZ00125KZT5004100100", "iban_checksum"),  # wrong check digits, accepted before
        ("KZ87125KZT5004100100", "iban_checksum"),  # one digit off
        ("KZ86125KZT5004100101", "iban_checksum"),
        ("KZ86125KZT500410010", "iban_length"),
        ("KZ86125KZT50041001001", "iban_length"),
        ("KZ23ABCKZT5004100100", "iban_format"),  # the bank code is three digits
        ("DE89370400440532013000", "not_kz"),  # a valid IBAN, but not of Kazakhstan
        ("KZ123456789012345678", "iban_checksum"),
        ("", "required"),
    ],
)
def test_anything_else_is_refused_with_a_reason(typed, code):
    with pytest.raises(PayoutAccountError) as refused:
        parse_payout_account(typed)
    assert refused.value.code == code


def test_a_card_is_checked_by_luhn_and_only_its_masked_number_is_kept():
    account = parse_payout_account("4400 4300 0000 1237")
    assert account.kind == AccountKind.CARD
    assert account.value == "440043******1237"
    assert "4300 0000" not in account.shown
    with pytest.raises(PayoutAccountError) as refused:
        parse_payout_account("4400 4300 0000 1238")  # the last digit mistyped
    assert refused.value.code == "card_checksum"
    with pytest.raises(PayoutAccountError) as short:
        parse_payout_account("440043000012")  # 12 digits: an IIN, not a card
    assert short.value.code == "card_length"


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("4111111111111111", True),
        ("4111111111111112", False),
        ("5500000000000004", True),
        ("79927398713", True),  # the textbook example
        ("79927398710", False),
    ],
)
def test_luhn(number, valid):
    assert luhn_valid(number) is valid


def test_a_masked_card_is_a_reference_to_a_verified_card_never_a_new_account():
    with pytest.raises(PayoutAccountError) as refused:
        parse_payout_account("440043******1237")
    assert refused.value.code == "card_masked"
    assert parse_payout_reference("440043******1237").value == "440043******1237"
    with pytest.raises(PayoutAccountError):
        parse_payout_reference("44******1237")  # not six and four digits


def test_services_get_a_domain_error_naming_the_field_forms_a_validation_error():
    with pytest.raises(DomainError) as refused:
        payout_account_checked("KZ00125KZT5004100100", field="payee_account")
    assert (refused.value.field, refused.value.code) == ("payee_account", "iban_checksum")
    with pytest.raises(ValidationError) as invalid:
        validate_payout_account("MY-OWN-CARD-4111")
    assert invalid.value.code == "invalid"
