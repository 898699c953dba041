"""The monthly figures the MFO norms read (own capital, assets, liabilities; DOMAIN.md §12):
entered by hand or imported from a CSV file, and the figures in force on a date."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from core.audit import acting_user, audit
from core.errors import DomainError
from core.money import parse_money
from core.uploads import check_text_upload
from prudential.models import MonthlyFinancials

FIGURES = ("own_capital", "assets", "liabilities")
CSV_COLUMNS = ("month", *FIGURES)
CSV_MAX_BYTES = 1024 * 1024
AMOUNT_LIMIT = Decimal(10) ** 16  # DecimalField(18, 2)


def _checked_figures(
    *, month: date | None, own_capital, assets, liabilities
) -> tuple[date, dict[str, Decimal]]:
    """The month and the three amounts, or a DomainError naming the field that is wrong."""
    if not isinstance(month, date) or isinstance(month, datetime) or month.day != 1:
        raise DomainError(
            _("Give the month as its first day."), field="month", code="not_first_of_month"
        )
    values = {"own_capital": own_capital, "assets": assets, "liabilities": liabilities}
    for field, value in values.items():
        if not isinstance(value, Decimal) or not value.is_finite():
            raise DomainError(_("Enter an amount in KZT."), field=field, code="required")
        if value != value.quantize(Decimal("0.01")) or abs(value) >= AMOUNT_LIMIT:
            raise DomainError(
                _("Enter an amount in KZT with at most two decimal places."),
                field=field,
                code="invalid",
            )
    if assets <= 0:
        raise DomainError(_("Assets must be more than zero."), field="assets", code="not_positive")
    if liabilities < 0:
        raise DomainError(
            _("Liabilities cannot be negative."), field="liabilities", code="negative"
        )
    # Own capital may be zero or negative: when losses exceed the capital, that is the figure
    # the MFO must report, and refusing it would hide a breach of every norm.
    return month, values


def _store(
    month: date, values: dict[str, Decimal], *, source: str, by
) -> tuple[MonthlyFinancials, bool]:
    before = MonthlyFinancials.objects.select_for_update().filter(month=month).first()
    row, created = MonthlyFinancials.objects.update_or_create(
        month=month, defaults={**values, "source": source, "entered_by": acting_user(by)}
    )
    audit(
        row,
        "prudential.financials_entered",
        by=by,
        data={
            "month": month.isoformat(),
            "source": source,
            **{field: str(value) for field, value in values.items()},
            "replaced": {field: str(getattr(before, field)) for field in FIGURES}
            if before
            else None,
        },
    )
    return row, created


@transaction.atomic
def financials_enter(
    *, month: date, own_capital: Decimal, assets: Decimal, liabilities: Decimal, by
) -> MonthlyFinancials:
    """Enter a month's own capital, assets and liabilities; they replace the month's figures."""
    month, values = _checked_figures(
        month=month, own_capital=own_capital, assets=assets, liabilities=liabilities
    )
    row, _created = _store(month, values, source=MonthlyFinancials.Source.MANUAL, by=by)
    return row


@transaction.atomic
def financials_import_csv(*, file, by) -> list[MonthlyFinancials]:
    """Months from a CSV file (month,own_capital,assets,liabilities); one bad row refuses the
    whole file, with its row number, and nothing is written."""
    rows = _read_csv(file)
    return [
        _store(month, values, source=MonthlyFinancials.Source.CSV, by=by)[0]
        for month, values in rows
    ]


def _read_csv(file) -> list[tuple[date, dict[str, Decimal]]]:
    check_text_upload(file, refusal=_("The file is not a text CSV file."), max_bytes=CSV_MAX_BYTES)
    text = _decode(file.read())
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise DomainError(_("The file is empty."), field="file", code="empty")
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [(name or "").strip().lower() for name in reader.fieldnames or []]
    missing = [column for column in CSV_COLUMNS if column not in header]
    if missing:
        raise DomainError(
            _("Row 1: the file needs the columns %(columns)s; missing: %(missing)s.")
            % {"columns": ",".join(CSV_COLUMNS), "missing": ", ".join(missing)},
            field="file",
            code="columns",
        )
    reader.fieldnames = header
    rows, first_seen = [], {}
    for record in reader:
        number = reader.line_num
        cells = {column: (record.get(column) or "").strip() for column in CSV_COLUMNS}
        if not any(cells.values()):
            continue
        try:
            month = _csv_month(cells["month"])
            amounts = {field: _csv_amount(field, cells[field]) for field in FIGURES}
            month, values = _checked_figures(month=month, **amounts)
        except DomainError as error:
            raise DomainError(
                _("Row %(row)s: %(column)s: %(message)s")
                % {"row": number, "column": error.field, "message": error.message},
                field="file",
                code=error.code,
            ) from error
        if month in first_seen:
            raise DomainError(
                _("Row %(row)s: the month %(month)s is already in row %(first)s.")
                % {"row": number, "month": f"{month:%m.%Y}", "first": first_seen[month]},
                field="file",
                code="duplicate_month",
            )
        first_seen[month] = number
        rows.append((month, values))
    if not rows:
        raise DomainError(_("The file has no months."), field="file", code="empty")
    return rows


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1251"):  # spreadsheets in Kazakhstan save either
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DomainError(_("The file is not a text CSV file."), field="file", code="encoding")


def _csv_month(value: str) -> date | None:
    for pattern in ("%Y-%m", "%Y-%m-%d", "%m.%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise DomainError(
        _("“%(value)s” is not a month; write it as 2026-03.") % {"value": value},
        field="month",
        code="invalid",
    )


def _csv_amount(field: str, value: str) -> Decimal:
    try:
        return parse_money(value)
    except ValueError:
        raise DomainError(
            _("“%(value)s” is not an amount.") % {"value": value}, field=field, code="invalid"
        ) from None


def financials_for(on: date) -> MonthlyFinancials | None:
    """The latest figures known at the end of ``on``: a month's figures are its closing
    balances, so they count from its last day on (never a month still running)."""
    month = on.replace(day=1)
    month_ended = (on + timedelta(days=1)).day == 1
    figures = MonthlyFinancials.objects.filter(
        month__lte=month if month_ended else month - timedelta(days=1)
    )
    return figures.order_by("-month").first()


def financials_list() -> QuerySet[MonthlyFinancials]:
    return MonthlyFinancials.objects.select_related("entered_by").order_by("-month")
