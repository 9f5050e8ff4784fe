"""CSV/Parquet export for analysts: one file per workpaper table, the same columns.

Money stays Int64 minor units with its currency column (not the Excel
sheet's major units).  Parquet keeps id lists as lists and types timestamps
as UTC datetimes and dates as dates.  CSV has no types, so an id list is
written as a JSON array (``["1005885"]``): a reader's type inference (polars,
pandas) keeps it text, where ``1005885`` alone would become an integer.  CSV
text starting with = + - @ tab CR gets a leading ``'`` (OWASP), since a
spreadsheet opening a CSV would evaluate it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from enum import Enum
from pathlib import Path

import polars as pl

from tieout.reconcile.workpaper.cells import DANGEROUS_PREFIXES
from tieout.reconcile.workpaper.table import Table


class FileFormat(str, Enum):
    csv = "csv"
    parquet = "parquet"


def csv_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Lists as JSON arrays of strings, and text starting with = + - @ tab CR prefixed with a quote."""
    out = []
    for name, dtype in frame.schema.items():
        col = pl.col(name)
        if isinstance(dtype, pl.List):
            col = _json_array(col).alias(name)
        elif dtype != pl.String:
            out.append(col)
            continue
        danger = pl.any_horizontal(*(col.str.starts_with(p) for p in DANGEROUS_PREFIXES))
        out.append(pl.when(danger).then(pl.lit("'") + col).otherwise(col).alias(name))
    return frame.select(out)


def _json_array(col: pl.Expr) -> pl.Expr:
    """A list column as JSON array text, e.g. ``["in_1","in_2"]``, vectorised (no Python per row)."""
    items = col.list.eval(pl.element().cast(pl.String).str.replace_all("\\", "\\\\", literal=True)
                          .str.replace_all('"', '\\"', literal=True))
    return (pl.when(col.list.len() == 0).then(pl.lit("[]"))
            .otherwise(pl.lit('["') + items.list.join('","') + pl.lit('"]')))


def parquet_frame(frame: pl.DataFrame, *, timestamps: Sequence[str] = (), dates: Sequence[str] = ()) -> pl.DataFrame:
    """``timestamps`` (ISO-8601 UTC text) as UTC datetimes and ``dates`` (YYYY-MM-DD) as dates, for Parquet."""
    return frame.with_columns(
        *(pl.col(c).str.to_datetime(time_unit="us", time_zone="UTC") for c in timestamps
          if frame.schema.get(c) == pl.String),
        *(pl.col(c).str.to_date("%Y-%m-%d") for c in dates if frame.schema.get(c) == pl.String))


def write_tables(tables: list[Table], out_dir: Path, fmt: FileFormat) -> list[Path]:
    """Write each table to ``out_dir/<table>.<fmt>``; each file appears whole or not at all."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for table in tables:
        path = out_dir / f"{table.file_stem}.{fmt.value}"
        tmp = path.with_name(path.name + ".tmp")
        if fmt is FileFormat.csv:
            csv_frame(table.frame).write_csv(tmp)
        else:
            parquet_frame(table.frame, timestamps=table.timestamps, dates=table.dates).write_parquet(tmp)
        os.replace(tmp, path)
        written.append(path)
    return written
