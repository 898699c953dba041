"""No borrower's personal data in the logs (DOMAIN.md §14): IINs and BINs, phone numbers and
account numbers are masked in every record the configured handlers write, whatever logger
emitted it (a 404 at a URL with an IIN in it, an exception message quoting a value).

Names cannot be recognised by a pattern: the code never logs them, and
tests/security/test_no_personal_data_in_logs.py proves it on a realistic flow.
Pure Python: the logging configuration imports it before Django's apps are loaded.
"""

from __future__ import annotations

import logging
import re

IDENTIFIER = re.compile(r"(?<!\d)\d{10}(\d{2})(?!\d)")  # IIN or BIN: 12 digits
PHONE = re.compile(  # +7 701 555 12 34, 8 (701) 555-12-34, +77015551234, 77015551234
    r"(?<![\d+])(?:\+?7|8)[\s\-()]*\d{3}[\s\-()]*\d{3}[\s\-]*\d{2}[\s\-]*(\d{2})(?!\d)"
)
# an IBAN of Kazakhstan: 20 characters
ACCOUNT = re.compile(r"\bKZ\d{2}(?:\s?[0-9A-Z]){16}\b", re.IGNORECASE)
# a payment card: 13 to 19 digits, maybe in groups, whose Luhn digit checks (PCI DSS: never
# in a log); a longer number that fails Luhn (a reference, an amount in tiyn) is left alone
CARD = re.compile(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])")


def _luhn_valid(digits: str) -> bool:  # as core.payout_accounts.luhn_valid, without Django
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = int(char) * (2 if position % 2 else 1)
        total += digit - 9 if digit > 9 else digit
    return total % 10 == 0


def _mask_card(match: re.Match) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    if not 13 <= len(digits) <= 19 or not _luhn_valid(digits):
        return match.group(0)
    return digits[:6] + "*" * (len(digits) - 10) + digits[-4:]


def mask_personal_data(text: str) -> str:
    text = CARD.sub(_mask_card, text)
    text = IDENTIFIER.sub(lambda match: "*" * 10 + match.group(1), text)
    text = ACCOUNT.sub(lambda match: "KZ" + "*" * 16 + match.group(0)[-2:], text)
    return PHONE.sub(lambda match: "+7*******" + match.group(1), text)


class MaskPersonalData(logging.Filter):
    """Rewrites the record's message (and its traceback) with the personal data masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: leave it to the formatter to report
            return True
        record.msg, record.args = mask_personal_data(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_personal_data(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_personal_data(record.stack_info)
        return True
