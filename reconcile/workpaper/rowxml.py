"""A table's rows as SpreadsheetML ``<row>`` XML, built column-wise in polars.

openpyxl turns every value into a Python cell object and writes it through
lxml one element at a time: for a period with 100,000 breaks (2.1 million
cells) that was ~80% of the export.  Here each column becomes the XML of its
cells in one vectorised expression, a chunk of rows at a time (bounded
memory), with exactly the cells openpyxl would write for the same values:

- text: an inline string; formula-like text (see :mod:`.cells`) gets the
  quote-prefix style, so it stays text; cut at Excel's 32,767 characters;
- money: the exact decimal of ``minor / 10**exponent`` (no float on the way),
  with the number format of the row's currency;
- timestamps and dates: Excel serial numbers with a date format;
- integers, booleans; id lists joined with ``", "`` (an empty list is no cell);
- null: no cell.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from xml.sax.saxutils import escape

import polars as pl
from openpyxl.utils import get_column_letter

from tieout.reconcile.workpaper.cells import DANGEROUS_PREFIXES, parse_timestamp
from tieout.reconcile.workpaper.errors import ExportError
from tieout.reconcile.workpaper.table import Table
from tieout.storage.money import exponent

CHUNK_ROWS = 5_000
MAX_TEXT = 32_767  # Excel's longest cell text; openpyxl cuts there too
ILLEGAL_CHARS = r"[\x00-\x08\x0b\x0c\x0e-\x1f]"  # not allowed in XML 1.0 (openpyxl refuses them too)
EXCEL_EPOCH = date(1899, 12, 30)
ISO_TIMESTAMP = "%Y-%m-%dT%H:%M:%S%.f%:z"  # what storage.db.utc_now writes; anything else goes through Python


@dataclass(frozen=True)
class StyleIds:
    """Workbook style ids (``s=`` attribute) of the cells a table needs; 0 is the default style."""

    header: int
    quoted: int  # text with Excel's quote prefix
    timestamp: int
    date: int
    money: dict[str, int]  # currency ("" when none) -> id


def _escape(text: pl.Expr) -> pl.Expr:
    """Text content escaped for XML; ``\\r`` as a character reference, or the parser would turn it into ``\\n``."""
    for char, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("\r", "&#13;")):
        text = text.str.replace_all(char, entity, literal=True)
    return text


def _cell(ref: pl.Expr, attrs: pl.Expr | str, inner: pl.Expr) -> pl.Expr:
    """``<c r="A2" ...>inner</c>``; null when ``inner`` is null (no cell)."""
    return pl.concat_str(pl.lit('<c r="'), ref, pl.lit('"'), pl.lit(attrs) if isinstance(attrs, str) else attrs,
                         pl.lit(">"), inner, pl.lit("</c>"))


def text_cell(ref: pl.Expr, text: pl.Expr, quoted: int) -> pl.Expr:
    text = text.str.slice(0, MAX_TEXT)
    danger = pl.any_horizontal(*(text.str.starts_with(p) for p in DANGEROUS_PREFIXES))
    style = pl.when(danger).then(pl.lit(f' s="{quoted}" t="inlineStr"')).otherwise(pl.lit(' t="inlineStr"'))
    opening = (pl.when(text != text.str.strip_chars()).then(pl.lit('<is><t xml:space="preserve">'))
               .otherwise(pl.lit("<is><t>")))
    return (pl.when(text == "").then(pl.concat_str(pl.lit('<c r="'), ref, pl.lit('" t="inlineStr"/>')))
            .otherwise(_cell(ref, style, pl.concat_str(opening, _escape(text), pl.lit("</t></is>")))))


def number_cell(ref: pl.Expr, number: pl.Expr, style: int = 0) -> pl.Expr:
    attrs = f' s="{style}" t="n"' if style else ' t="n"'
    return _cell(ref, attrs, pl.concat_str(pl.lit("<v>"), number.cast(pl.String), pl.lit("</v>")))


def decimal_text(minor: pl.Expr, exp: pl.Expr, exponents: set[int]) -> pl.Expr:
    """``minor / 10**exp`` as exact decimal text (``-1234, 2`` -> ``"-12.34"``), for each exponent in ``exponents``."""
    digits = minor.abs().cast(pl.String)
    sign = pl.when(minor < 0).then(pl.lit("-")).otherwise(pl.lit(""))
    scaled = pl.when(exp == 0).then(digits)
    for e in sorted(exponents - {0}):
        padded = digits.str.zfill(e + 1)
        scaled = scaled.when(exp == e).then(pl.concat_str(padded.str.head(-e), pl.lit("."), padded.str.tail(e)))
    return pl.concat_str(sign, scaled.otherwise(None))


def excel_days(day: pl.Expr) -> pl.Expr:
    """Days since Excel's epoch, as openpyxl counts them (Excel's phantom 1900-02-29 below day 61)."""
    days = (day - pl.lit(EXCEL_EPOCH)).dt.total_days()
    return pl.when((days > 0) & (days <= 60)).then(days - 1).otherwise(days)


def excel_serial(stamp: pl.Expr) -> pl.Expr:
    """A naive UTC datetime as Excel's serial number, with openpyxl's arithmetic (same float)."""
    seconds = stamp.dt.hour().cast(pl.Int64) * 3600 + stamp.dt.minute().cast(pl.Int64) * 60 \
        + stamp.dt.second().cast(pl.Int64)
    fraction = (seconds.cast(pl.Float64) + stamp.dt.microsecond().cast(pl.Float64) / 10**6) / 86400
    return excel_days(stamp.dt.date()).cast(pl.Float64) + fraction


def money_currencies(table: Table) -> list[str]:
    """The currencies of ``table``'s money, sorted (so style ids are the same run to run)."""
    if not table.money:
        return []
    return sorted(table.frame.get_column(table.currency_col).drop_nulls().unique().to_list())


class RowRenderer:
    """Renders ``table``'s rows as ``<row>`` XML with the workbook's ``styles``."""

    def __init__(self, table: Table, styles: StyleIds) -> None:
        self.table = table
        self.styles = styles
        self.letters = [get_column_letter(i) for i in range(1, table.frame.width + 1)]
        self.exponents: dict[str, int] = {}
        if table.money:
            self.exponents = {"": 0, **{c: exponent(c) for c in money_currencies(table)}}
        self._check_text()

    def header(self) -> str:
        """Row 1: the column names in the header style."""
        cells = "".join(
            f'<c r="{letter}1" s="{self.styles.header}" t="inlineStr"><is><t>{escape(name)}</t></is></c>'
            for letter, name in zip(self.letters, self.table.frame.columns))
        return f'<row r="1">{cells}</row>'

    def chunks(self, offset: int, count: int, first_row: int = 2) -> Iterator[str]:
        """XML of ``count`` rows from frame row ``offset`` on, numbered from ``first_row``, a chunk at a time."""
        for start in range(0, count, CHUNK_ROWS):
            frame = self.table.frame.slice(offset + start, min(CHUNK_ROWS, count - start))
            yield "".join(self._rows(frame, first_row + start).to_list())

    def _rows(self, frame: pl.DataFrame, first_row: int) -> pl.Series:
        frame = self._parse_timestamps(frame)
        number = pl.int_range(first_row, first_row + frame.height, dtype=pl.Int64).cast(pl.String)
        cells = [self._column(frame, name, pl.concat_str(pl.lit(letter), number))
                 for letter, name in zip(self.letters, frame.columns)]
        row = pl.concat_str(pl.lit('<row r="'), number, pl.lit('">'),
                            pl.concat_str(cells, ignore_nulls=True) if cells else pl.lit(""), pl.lit("</row>"))
        return frame.select(row.alias("xml")).to_series()

    def _column(self, frame: pl.DataFrame, name: str, ref: pl.Expr) -> pl.Expr:
        table, styles, col = self.table, self.styles, pl.col(name)
        dtype = frame.schema[name]
        if name in table.money:
            col = col.cast(pl.Int64)  # an all-null column may come as pl.Null
            currency = pl.col(table.currency_col).fill_null("")
            exp = currency.replace_strict(self.exponents, return_dtype=pl.Int64)
            style = currency.replace_strict({c: str(styles.money[c]) for c in self.exponents},
                                            return_dtype=pl.String)
            return _cell(ref, pl.concat_str(pl.lit(' s="'), style, pl.lit('" t="n"')),
                         pl.concat_str(pl.lit("<v>"), decimal_text(col, exp, set(self.exponents.values())),
                                       pl.lit("</v>")))
        if name in table.timestamps:
            return number_cell(ref, excel_serial(col), styles.timestamp)
        if name in table.dates:
            return number_cell(ref, excel_days(col.cast(pl.String).str.to_date("%Y-%m-%d", strict=True)), styles.date)
        if dtype == pl.String:
            return text_cell(ref, col, styles.quoted)
        if isinstance(dtype, pl.List):
            return text_cell(ref, pl.when(col.list.len() > 0).then(_joined(col)), styles.quoted)
        if dtype == pl.Boolean:
            return _cell(ref, ' t="b"', pl.concat_str(pl.lit("<v>"), col.cast(pl.Int8).cast(pl.String),
                                                      pl.lit("</v>")))
        if dtype.is_numeric():
            return number_cell(ref, col.fill_nan(None) if dtype.is_float() else col)
        if dtype == pl.Null:
            return pl.lit(None, pl.String)
        raise TypeError(f"{table.name}: column {name!r} has type {dtype}, which the workpaper cannot show")

    def _parse_timestamps(self, frame: pl.DataFrame) -> pl.DataFrame:
        """ISO-8601 text -> naive UTC datetimes; the common form vectorised, any other via Python."""
        stamps = [n for n in self.table.timestamps if n in frame.columns]
        if not stamps:
            return frame
        parsed = frame.with_columns(
            pl.col(n).cast(pl.String).str.to_datetime(ISO_TIMESTAMP, time_unit="us", time_zone="UTC", strict=False)
            .dt.replace_time_zone(None) for n in stamps)
        for name in stamps:
            text = frame.get_column(name).cast(pl.String)
            missed = parsed.get_column(name).is_null() & text.is_not_null() & (text != "")
            if missed.any():
                parsed = parsed.with_columns(pl.Series(name, [
                    self._parse_one(name, t) for t in text.to_list()], dtype=pl.Datetime("us")))
        return parsed

    def _parse_one(self, name: str, text: str | None) -> datetime | None:
        try:
            return parse_timestamp(text)
        except ValueError:
            raise ExportError(f"{self.table.name}: column {name}: {text!r} is not an ISO-8601 timestamp") from None

    def _check_text(self) -> None:
        """Refuse text XML cannot hold, naming the cell, before anything is written."""
        frame = self.table.frame
        for name, dtype in frame.schema.items():
            if name in self.table.timestamps or not (dtype == pl.String or isinstance(dtype, pl.List)):
                continue
            text = pl.col(name) if dtype == pl.String else _joined(pl.col(name))
            bad = frame.with_row_index("_i").filter(text.str.contains(ILLEGAL_CHARS))
            if bad.height:
                where = f"id {bad['id'][0]}" if "id" in bad.columns else f"row {bad['_i'][0] + 1}"
                raise ExportError(f"{self.table.name}: column {name}, {where}: the text holds a control character "
                                  "that Excel cannot store")


def _joined(ids: pl.Expr) -> pl.Expr:
    """An id list as one text, as str(v) joined by ", " would give."""
    return ids.list.eval(pl.element().cast(pl.String).fill_null("None")).list.join(", ")
