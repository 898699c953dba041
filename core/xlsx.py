"""Workbooks for download: one writer for every XLSX the back office exports.

A sheet is a header row and rows of values. Cells keep their type: text stays text (never
run as a formula, whatever it starts with: a borrower named "=HYPERLINK(…)" is a name), amounts
stay numbers (a ``Decimal`` is written as the number it is, not as text), dates stay dates.
A number format is chosen per column (``column_formats``) or per type of value
(``type_formats``: ``{Decimal: MONEY_FORMAT, …}``); the column's wins. The workbook is written
in openpyxl's write-only mode, row by row, so a long list is never held in memory as cells.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from io import BytesIO

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONEY_FORMAT = "#,##0.00"
MAX_TITLE = 31  # Excel refuses longer sheet names


@dataclass(frozen=True)
class Sheet:
    title: str
    header: Sequence[str]
    rows: Iterable[Sequence]
    column_formats: Mapping[int, str] = field(default_factory=dict)  # column index -> format
    type_formats: Mapping[type, str] = field(default_factory=dict)  # type of value -> format
    bold_header: bool = False


def workbook_bytes(*sheets: Sheet) -> bytes:
    """The workbook of ``sheets``, in their order, as the bytes of an .xlsx file."""
    workbook = Workbook(write_only=True)
    for spec in sheets:
        sheet = workbook.create_sheet(spec.title[:MAX_TITLE])
        sheet.append(_header(sheet, spec))
        for values in spec.rows:
            sheet.append([_cell(sheet, spec, index, value) for index, value in enumerate(values)])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    """The workbook as a download named ``filename``."""
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _header(sheet, spec: Sheet) -> list:
    if not spec.bold_header:
        return list(spec.header)
    cells = []
    for label in spec.header:
        cell = WriteOnlyCell(sheet, value=label)
        cell.font = Font(bold=True)
        cells.append(cell)
    return cells


def _cell(sheet, spec: Sheet, index: int, value) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever the text starts with
    elif index in spec.column_formats:
        cell.number_format = spec.column_formats[index]
    else:
        for kind, number_format in spec.type_formats.items():
            if isinstance(value, kind):
                cell.number_format = number_format
                break
    return cell
