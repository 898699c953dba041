"""The portfolio list as a file: CSV (streamed) or XLSX, with the list's filters.

Amounts stay exact: ``str(Decimal)`` in the CSV, numbers (not text) in the workbook. The
export of borrowers' data is logged, with the filters it used (DOMAIN.md §14).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date

from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.utils import translation
from django.utils.translation import gettext as _

from core.audit import audit
from core.permissions import role_required
from core.throttling import heavy_page
from core.xlsx import MONEY_FORMAT, Sheet, workbook_bytes, xlsx_response
from loans.forms_portfolio import PortfolioFilterForm
from loans.portfolio_views import READ_ROLES, PortfolioRow, filtered_portfolio, portfolio_rows

CHUNK = 2000
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"  # so that Excel reads the file as UTF-8 and shows Kazakh letters


def _header() -> list[str]:
    return [
        _("Contract number"),
        _("Borrower"),
        _("IIN/BIN"),
        _("Product"),
        _("Branch"),
        _("Credit officer"),
        _("Status"),
        _("Amount, KZT"),
        _("Principal outstanding, KZT"),
        _("Overdue principal, KZT"),
        _("Overdue interest, KZT"),
        _("Overdue, KZT"),
        _("Days past due"),
        _("Overdue bucket"),
    ]


def _values(row: PortfolioRow) -> list:
    return [
        row.loan.number,
        row.borrower,
        row.identifier,
        row.product,
        row.branch,
        row.officer,
        row.status,
        row.amount,
        row.principal,
        row.overdue_principal,
        row.overdue_interest,
        row.overdue,
        row.days_past_due,
        row.bucket_label,
    ]


def _text(value: str) -> str:
    """Text a spreadsheet would run as a formula (a name such as "=HYPERLINK(…)") kept text."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _csv_cell(value) -> str:
    if value is None:
        return ""
    return _text(value) if isinstance(value, str) else str(value)


class _Echo:
    """A file-like object whose ``write`` hands the line back, for streaming ``csv``."""

    def write(self, value: str) -> str:
        return value


def _csv_lines(rows: Iterator[PortfolioRow], header: list[str], language: str) -> Iterator[str]:
    # streamed after the view returns: keep the request's language for the labels in rows
    with translation.override(language):
        writer = csv.writer(_Echo())
        yield BOM + writer.writerow(header)
        for row in rows:
            yield writer.writerow([_csv_cell(value) for value in _values(row)])


def _xlsx(rows: Iterator[PortfolioRow], header: list[str]) -> bytes:
    money_columns = range(7, 12)
    return workbook_bytes(
        Sheet(
            _("Portfolio"),
            header,
            (_values(row) for row in rows),
            column_formats=dict.fromkeys(money_columns, MONEY_FORMAT),
        )
    )


def _filename(on: date | None, fmt: str) -> str:
    return f"portfolio-{on.isoformat() if on else 'no-close'}.{fmt}"


@role_required(*READ_ROLES)
@heavy_page
def portfolio_export(request, fmt: str):
    if fmt not in ("csv", "xlsx"):
        raise Http404
    form = PortfolioFilterForm(request.GET)
    loans, on = filtered_portfolio(form, request.user)
    if form.errors:
        # a file silently missing a filter would mislead; the list shows why
        return HttpResponse(
            "\n".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items()),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    audit(
        None,
        "loan.portfolio_exported",
        by=request.user,
        data={"format": fmt, "on": on.isoformat() if on else None, "filters": form.filters()},
    )
    rows = portfolio_rows(loans.iterator(chunk_size=CHUNK), request.user)
    header = _header()
    if fmt == "xlsx":
        return xlsx_response(_xlsx(rows, header), _filename(on, fmt))
    response = StreamingHttpResponse(
        _csv_lines(rows, header, translation.get_language()),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(on, fmt)}"'
    return response
