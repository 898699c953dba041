"""No personal data in the logs: a realistic flow (applicants registered with IIN, name, phone
and address through the API and the pages, refused inputs, 404s, searches, a disbursement,
payments) runs with every logger at DEBUG, and neither the records nor what the production
handler writes contain an IIN, a name or a phone number.

SQL is not logged: ``django.db.backends`` logs queries (with their parameters) only when
``DEBUG`` is on, which production never is, and LOGGING keeps it (and the template engine's
context dumps) at INFO; the test runs with DEBUG off as production does, every logger forced to
DEBUG all the same, and asserts that no SQL record appeared. IINs in URLs (a 404 at
/applicants/<IIN>/) reach ``django.request``'s records; ``core.log_filters`` masks them in what
the handler writes.
"""

from __future__ import annotations

import io
import logging
import re

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.identifiers import check_digit
from core.log_filters import MaskPersonalData, mask_personal_data
from core.roles import Role

pytestmark = pytest.mark.django_db


def valid_iin(birth: str, serial: int) -> str:
    for n in range(serial, serial + 50):
        first = f"{birth}3{n:04d}"
        digit = check_digit(first)
        if digit is not None:
            return f"{first}{digit}"
    raise AssertionError("no valid IIN")


BORROWER = {"iin": "900101300017", "name": "ИП Сейтқали"}  # tests.fixtures.lending's applicant
BY_API = {
    "kind": "individual_entrepreneur",
    "iin": valid_iin("870623", 1234),
    "name": "ИП Жақсыбекова Әйгерім",
    "region": "almaty_city",
    "phone": "+7 701 555 12 34",
    "legal_address": "Алматы, ул. Абая 150, кв. 12",
    "monthly_income": "900000",
    "existing_monthly_payments": "0",
    "activity_code": "47.11",
}
BY_PAGE = {
    "kind": "individual_entrepreneur",
    "iin": valid_iin("920311", 4321),
    "name": "IE Nurpeisov Daulet",
    "region": "almaty_city",
    "phone": "8 (777) 123-45-67",
    "monthly_income": "700000",
    "existing_monthly_payments": "0",
}
IINS = [BORROWER["iin"], BY_API["iin"], BY_PAGE["iin"]]
NAMES = [BORROWER["name"], BY_API["name"], BY_PAGE["name"], "Жақсыбекова", "Nurpeisov"]
PHONES = ["+7 701 555 12 34", "+77015551234", "8 (777) 123-45-67", "+77771234567"]
PHONE_DIGITS = ["7015551234", "7771234567"]  # however the digits are grouped
ADDRESSES = ["Абая 150"]


class _Raw(logging.Handler):
    """Each record's text as it was logged, before any handler's filter rewrites it."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[tuple[str, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info:
            text += "\n" + logging.Formatter().formatException(record.exc_info)
        self.lines.append((record.name, text))


@pytest.fixture
def every_log_at_debug():
    """Every logger at DEBUG; the production handler ("console", LOGGING) writes to a buffer."""
    root = logging.getLogger()
    (console,) = [handler for handler in root.handlers if handler.get_name() == "console"]
    written = io.StringIO()
    stream = console.setStream(written)
    raw = _Raw()
    root.handlers.insert(0, raw)  # before the console handler's filter masks the record
    loggers = [root] + [
        logger for logger in logging.root.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]  # fmt: skip
    levels = {logger: logger.level for logger in loggers}
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
    try:
        yield raw, written
    finally:
        for logger, level in levels.items():
            logger.setLevel(level)
        root.removeHandler(raw)
        console.setStream(stream)


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def test_a_day_of_work_logs_no_iin_name_or_phone(
    every_log_at_debug, make_user, client, active_loan, settings
):
    raw, written = every_log_at_debug
    assert not settings.DEBUG
    today = timezone.localdate()

    # a branch system registers an applicant, and sends a few bad ones
    branch = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    token = Token.objects.create(user=make_user(Role.BRANCH_SYSTEM))
    branch.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert branch.post("/api/v1/applicants/", BY_API, format="json").status_code == 201
    assert branch.post("/api/v1/applicants/", BY_API, format="json").status_code == 400  # twice
    bad_digit = BY_API["iin"][:-1] + str((int(BY_API["iin"][-1]) + 1) % 10)
    for bad in ({"iin": bad_digit}, {"birth_date": "1990-01-01"}, {"phone": "+7 701 555"}):
        response = branch.post("/api/v1/applicants/", {**BY_API, **bad}, format="json")
        assert response.status_code == 400
    assert branch.get(f"/api/v1/applicants/{BY_API['iin']}/").status_code == 404
    assert branch.get("/api/v1/applicants/", {"search": BY_API["iin"]}).status_code == 200

    # a credit administrator in the pages
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(make_user(Role.CREDIT_ADMINISTRATOR))
    response = client.post("/applications/applicants/new/", {**BY_PAGE, "birth_date": "1990-01-01"})
    assert response.status_code == 400
    assert client.post("/applications/applicants/new/", BY_PAGE).status_code == 302
    for query in (BY_PAGE["iin"], BY_PAGE["phone"], "Nurpeisov"):
        assert client.get("/applications/applicants/", {"q": query}).status_code == 200
    assert client.get(f"/applications/applicants/{BY_PAGE['iin']}/").status_code == 404
    assert client.get(f"/no-such-page/{BY_PAGE['iin']}/").status_code == 404

    # the borrower's loan is disbursed and paid, by the branch system and at the desk
    loan = active_loan(on=today)
    payment = {"amount": "50000", "value_date": today.isoformat(), "channel": "cash"}
    response = branch.post(
        f"/api/v1/loans/{loan.pk}/payments/",
        {**payment, "payer": BORROWER["name"], "reference": f"IIN {BORROWER['iin']}"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    response = branch.post(
        f"/api/v1/loans/{loan.pk}/payments/", {**payment, "amount": "-1"}, format="json"
    )
    assert response.status_code == 400

    records = "\n".join(text for _, text in raw.lines)
    output = written.getvalue()
    # the capture saw the flow: the refusals and the 404s were logged
    assert "Bad Request: /api/v1/applicants/" in output
    assert "Not Found: /applications/applicants/" in output
    assert not [name for name, _ in raw.lines if name.startswith("django.db.backends")]

    for text, where in ((records, "records"), (output, "handler output")):
        for secret in NAMES + ADDRESSES + PHONES:
            assert secret not in text, f"{secret!r} in the {where}"
        for line in text.splitlines():
            for phone in PHONE_DIGITS:
                assert phone not in _digits(line), f"{phone!r} in the {where}: {line}"
    for iin in IINS:
        assert iin not in output, f"{iin} written by the handler"


def test_the_filter_masks_a_traceback_and_the_arguments():
    record = logging.LogRecord(
        "x", logging.ERROR, __file__, 1, "Not Found: %s", ("/a/900101300017/",), None
    )
    try:
        raise ValueError("no applicant 900101300017, phone +7 701 555 12 34")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    assert MaskPersonalData().filter(record)
    text = logging.Formatter().format(record)
    assert "900101300017" not in text
    assert "555 12 34" not in text
    assert "Not Found: /a/**********17/" in text
    assert "no applicant **********17, phone +7*******34" in text


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("IIN 900101300017.", "IIN **********17."),
        ("BIN 180340000015", "BIN **********15"),
        ("+77015551234 / 8 (701) 555-12-34", "+7*******34 / +7*******34"),
        ("to KZ12 3456 7890 1234 5678", "to KZ****************78"),
        ("loan 1234, 5000000.00 KZT on 2026-11-29", "loan 1234, 5000000.00 KZT on 2026-11-29"),
        ("1234567890123456 (16 digits: not an IIN)", "1234567890123456 (16 digits: not an IIN)"),
        ("card 4400 4300 0000 1237 paid", "card 440043******1237 paid"),  # Luhn-valid: a card
        ("to 4111111111111111.", "to 411111******1111."),
    ],
)
def test_what_is_masked_and_what_is_not(text, masked):
    assert mask_personal_data(text) == masked


def test_the_logging_configuration_masks_and_keeps_sql_and_template_dumps_out(settings):
    config = settings.LOGGING
    assert config["filters"]["personal_data"]["()"] == "core.log_filters.MaskPersonalData"
    assert "personal_data" in config["handlers"]["console"]["filters"]
    assert config["root"]["handlers"] == ["console"]
    for noisy in ("django.template", "django.db.backends"):
        assert config["loggers"][noisy]["level"] == "INFO"  # whatever LOG_LEVEL says
    assert settings.CELERY_WORKER_HIJACK_ROOT_LOGGER is False  # workers log through it too


def _handlers_reached(name: str) -> list[logging.Handler]:
    """Every handler a record of logger ``name`` is written by, up the propagation chain."""
    handlers, logger = [], logging.getLogger(name)
    while logger is not None:
        handlers.extend(logger.handlers)
        logger = logger.parent if logger.propagate else None
    # pytest's capture handlers are not the configuration's; a NullHandler writes nothing
    return [
        h
        for h in handlers
        if not type(h).__module__.startswith("_pytest") and not isinstance(h, logging.NullHandler)
    ]


@pytest.mark.parametrize(
    "name",
    ["django", "django.request", "django.server", "django.security.csrf", "celery", "core"],
)
def test_every_handler_a_django_record_reaches_masks_it(name):
    """Django configures its own handlers (a console, mail_admins) before LOGGING: were they
    kept, a 404 at /applicants/<IIN>/ would be written unmasked before the root masks it."""
    handlers = _handlers_reached(name)
    assert handlers
    for handler in handlers:
        assert any(isinstance(f, MaskPersonalData) for f in handler.filters), (name, handler)


@pytest.mark.parametrize(
    ("text", "hidden"),
    [
        ("call 77015551234", "7015551234"),
        ("call 7 701 555 12 34", "701 555 12"),
        ("account kz86125kzt5004100100", "125kzt50041001"),
    ],
)
def test_phones_without_a_plus_and_lowercase_accounts_are_masked(text, hidden):
    assert hidden not in mask_personal_data(text)
