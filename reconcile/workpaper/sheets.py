"""Streaming sheets (openpyxl write-only mode) with one consistent look.

Rows go straight to a temporary file as they are appended, so memory stays
bounded however many rows a period has.  A table longer than Excel's row
limit continues on numbered sheets ("Invoices", "Invoices (2)", ...); the
caller gets the parts back to build formulas over all of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from reconcile.workpaper.cells import (
    DATE_FORMAT,
    DATETIME_FORMAT,
    is_dangerous,
    major_units,
    money_format,
    parse_date,
    parse_timestamp,
)
from reconcile.workpaper.table import Table

EXCEL_MAX_ROWS = 1_048_576
"""Rows per sheet in Excel and LibreOffice, header row included."""

BOLD = Font(name="Calibri", size=11, bold=True)
TITLE = Font(name="Calibri", size=14, bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")
HEADER_BORDER = Border(bottom=Side(style="thin", color="7F8FA6"))
WRAP = Alignment(vertical="top")
_WIDTH_SAMPLE = 500  # rows looked at to size columns (deterministic, cheap)


@dataclass(frozen=True)
class SheetPart:
    """One sheet holding rows ``2..rows+1`` of a table (row 1 is the header)."""

    title: str
    rows: int
    columns: tuple[str, ...]

    def column_range(self, column: str) -> str:
        """Absolute range of ``column``'s data cells, e.g. ``'Invoices'!$G$2:$G$101``."""
        letter = get_column_letter(self.columns.index(column) + 1)
        return f"{quote_sheetname(self.title)}!${letter}$2:${letter}${max(self.rows + 1, 2)}"


def split_titles(title: str, rows: int, max_rows: int = EXCEL_MAX_ROWS) -> list[tuple[str, int]]:
    """Sheet titles and row counts for ``rows`` data rows, ``max_rows - 1`` per sheet."""
    per_sheet = max_rows - 1
    count = max(1, -(-rows // per_sheet))
    return [
        (title if i == 0 else f"{title[:26]} ({i + 1})", min(per_sheet, rows - i * per_sheet))
        for i in range(count)
    ]


class SheetWriter:
    """A write-only workbook whose sheets share fonts, header style and print setup."""

    def __init__(self, header_text: str, *, max_rows: int = EXCEL_MAX_ROWS) -> None:
        self.book = Workbook(write_only=True)
        self.header_text = header_text
        self.max_rows = max_rows

    def sheet(self, title: str, widths: Sequence[float] = (), *, freeze: str | None = "A2",
              print_titles: bool = True) -> WriteOnlyWorksheet:
        """A new sheet with column widths, frozen header, landscape fit-to-width print setup."""
        ws = self.book.create_sheet(title)
        for i, width in enumerate(widths, 1):
            ws.column_dimensions[get_column_letter(i)].width = width
        if freeze:
            ws.freeze_panes = freeze
        if print_titles:
            ws.print_title_rows = "1:1"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.HeaderFooter.oddHeader.left.text = self.header_text
        ws.HeaderFooter.oddHeader.right.text = "&A"
        ws.HeaderFooter.oddFooter.left.text = "tieout workpaper"
        ws.HeaderFooter.oddFooter.right.text = "Page &P of &N"
        return ws

    def cell(self, ws: WriteOnlyWorksheet, value: Any, *, number_format: str | None = None,
             font: Font | None = None) -> WriteOnlyCell:
        """A cell in the workbook's default font; formula-like text stays text (see :mod:`.cells`)."""
        cell = WriteOnlyCell(ws, value)
        if font is not None:
            cell.font = font
        if isinstance(value, str) and is_dangerous(value):
            cell.data_type = "s"
            cell.quotePrefix = True
        if number_format:
            cell.number_format = number_format
        return cell

    def formula(self, ws: WriteOnlyWorksheet, text: str, *, number_format: str | None = None,
                font: Font | None = None) -> WriteOnlyCell:
        """A formula cell: only the writer's own formulas come through here, never data."""
        if not text.startswith("="):
            raise ValueError(f"not a formula: {text!r}")
        cell = WriteOnlyCell(ws, text)
        if font is not None:
            cell.font = font
        if number_format:
            cell.number_format = number_format
        return cell

    def header_row(self, ws: WriteOnlyWorksheet, names: Iterable[str]) -> list[WriteOnlyCell]:
        cells = []
        for name in names:
            cell = self.cell(ws, name, font=BOLD)
            cell.fill = HEADER_FILL
            cell.border = HEADER_BORDER
            cells.append(cell)
        return cells

    def write_table(self, table: Table) -> list[SheetPart]:
        """Write ``table`` on one sheet, or several past the row limit, each with its header."""
        columns = tuple(table.frame.columns)
        widths = column_widths(table)
        rows: Iterator[list[Any]] | None = None
        parts = []
        for title, count in split_titles(table.name, table.frame.height, self.max_rows):
            ws = self.sheet(title, widths)
            rows = rows or self._rows(table, ws)
            ws.append(self.header_row(ws, columns))
            for _ in range(count):
                ws.append(next(rows))
            ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"
            parts.append(SheetPart(title, count, columns))
        return parts

    def _rows(self, table: Table, ws: WriteOnlyWorksheet) -> Iterator[list[Any]]:
        """Frame rows as cell values: money in major units with its format, dates as dates."""
        names = table.frame.columns
        money = [i for i, n in enumerate(names) if n in table.money]
        stamps = [i for i, n in enumerate(names) if n in table.timestamps]
        dates = [i for i, n in enumerate(names) if n in table.dates]
        special = set(money) | set(stamps) | set(dates)
        plain = [i for i in range(len(names)) if i not in special]
        cur = names.index(table.currency_col) if money else -1
        for raw in table.frame.iter_rows():
            row: list[Any] = list(raw)
            for i in plain:
                value = row[i]
                if isinstance(value, str):
                    if is_dangerous(value):
                        row[i] = self.cell(ws, value)
                elif isinstance(value, list):
                    row[i] = self.cell(ws, ", ".join(str(v) for v in value)) if value else None
            for i in money:
                if row[i] is not None:
                    currency = row[cur]
                    row[i] = self.cell(ws, major_units(row[i], currency), number_format=money_format(currency))
            for i in stamps:
                if row[i]:
                    row[i] = self.cell(ws, parse_timestamp(row[i]), number_format=DATETIME_FORMAT)
            for i in dates:
                if row[i]:
                    row[i] = self.cell(ws, parse_date(row[i]), number_format=DATE_FORMAT)
            yield row

    def save(self, path: Path) -> None:
        self.book.save(path)


def column_widths(table: Table) -> list[float]:
    """Widths from the header and the first rows' text, between 8 and 50 characters."""
    sample = table.frame.head(_WIDTH_SAMPLE)
    widths = []
    for name in table.frame.columns:
        if name in table.timestamps:
            widths.append(20.0)
            continue
        if name in table.money:
            widths.append(max(14.0, len(name) + 2.0))
            continue
        values = sample.get_column(name)
        if isinstance(values.dtype, pl.List):
            values = values.list.eval(pl.element().cast(pl.String)).list.join(", ")
        longest = int(values.cast(pl.String, strict=False).str.len_chars().max() or 0)  # type: ignore[arg-type]
        widths.append(float(min(50, max(8, len(name) + 2, longest + 2))))
    return widths
