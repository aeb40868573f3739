"""Exports of the WFM screens: CSV (UTF-8 with BOM, for Excel in Japan) and Excel (openpyxl)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

Cell = str | int | float | None
Format = Literal["csv", "xlsx"]

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Sheet:
    """One table: a title (the sheet name), Japanese headings and rows."""

    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


def _safe(value: Cell) -> Cell:
    """Text that a spreadsheet would run as a formula is prefixed with an apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def to_csv(sheet: Sheet) -> bytes:
    """The sheet as CSV in UTF-8 with a byte-order mark and CRLF line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(sheet.headers)
    for row in sheet.rows:
        writer.writerow(["" if v is None else _safe(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(sheets: Sequence[Sheet]) -> bytes:
    """The sheets as one Excel workbook, bold headings, frozen first row."""
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for sheet in sheets:
        ws = book.create_sheet(title=sheet.title[:31])
        ws.append(list(sheet.headers))
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in sheet.rows:
            ws.append([_safe(v) for v in row])
        ws.freeze_panes = "A2"
        for i, head in enumerate(sheet.headers, start=1):
            ws.column_dimensions[get_column_letter(i)].width = max(10, len(head) * 2 + 2)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export(sheet: Sheet, fmt: Format) -> tuple[bytes, str]:
    """The bytes and media type of one sheet in the requested format."""
    if fmt == "csv":
        return to_csv(sheet), CSV_TYPE
    return to_xlsx([sheet]), XLSX_TYPE
