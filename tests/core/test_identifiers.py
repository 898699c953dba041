from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from core.identifiers import (
    IdentifierError,
    check_digit,
    is_valid_bin,
    is_valid_iin,
    parse_bin,
    parse_iin,
    validate_bin,
    validate_iin,
)


def test_check_digit_first_pass():
    # 9·1 + 0 + 0 + 1·4 + 0 + 1·6 + 3·7 + 0 + 0 + 0 + 1·11 = 51; 51 mod 11 = 7
    assert check_digit("90010130001") == 7


def test_check_digit_second_pass_when_first_gives_ten():
    # weights 1..11 give 153 mod 11 = 10; weights 3..11,1,2 give 140 mod 11 = 8
    assert check_digit("85051240070") == 8


def test_check_digit_none_when_both_passes_give_ten():
    assert check_digit("85051240071") is None


@pytest.mark.parametrize(
    ("iin", "birth_date", "sex"),
    [
        ("900101300017", date(1990, 1, 1), "M"),
        ("850512400708", date(1985, 5, 12), "F"),
    ],
)
def test_valid_iin_gives_birth_date_and_sex(iin, birth_date, sex):
    info = parse_iin(iin)
    assert info.birth_date == birth_date
    assert info.sex == sex
    validate_iin(iin)  # does not raise


@pytest.mark.parametrize(
    ("iin", "reason"),
    [
        ("90010130001", "12 digits"),
        ("9001013000170", "12 digits"),
        ("90010130001a", "12 digits"),
        ("900101300018", "control digit"),
        ("850512400710", "control digit"),  # no valid control digit exists for this prefix
    ],
)
def test_malformed_iin_is_refused(iin, reason):
    with pytest.raises(IdentifierError, match=reason):
        parse_iin(iin)
    assert not is_valid_iin(iin)
    with pytest.raises(ValidationError):
        validate_iin(iin)


@pytest.mark.parametrize(
    ("prefix", "reason"),
    [
        ("90010100001", "7th digit"),  # century digit 0
        ("90010170001", "7th digit"),  # century digit 7
        ("90023030001", "date of birth"),  # 30 February
    ],
)
def test_iin_with_a_right_control_digit_but_bad_content_is_refused(prefix, reason):
    iin = prefix + str(check_digit(prefix))
    with pytest.raises(IdentifierError, match=reason):
        parse_iin(iin)
    assert not is_valid_iin(iin)


def test_valid_bin():
    parse_bin("180340000015")  # registered 2018-03, resident legal entity (4)
    assert is_valid_bin("180340000015")
    validate_bin("180340000015")


@pytest.mark.parametrize(
    ("prefix", "reason"),
    [
        ("18134000001", "month"),
        ("18033000001", "entity type"),
    ],
)
def test_invalid_bin_is_refused_with_a_reason(prefix, reason):
    number = prefix + str(check_digit(prefix))
    with pytest.raises(IdentifierError, match=reason):
        parse_bin(number)
    with pytest.raises(ValidationError):
        validate_bin(number)


def test_bin_with_wrong_control_digit_is_refused():
    assert not is_valid_bin("180340000016")
