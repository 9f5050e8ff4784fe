"""CSV/Parquet export for analysts: one file per workpaper table, the same columns.

Money stays Int64 minor units with its currency column (not the Excel
sheet's major units), timestamps stay ISO-8601 text.  Parquet keeps id lists
as lists; CSV joins them with ``;`` and neutralises formula-like text with a
leading ``'`` (OWASP), since a spreadsheet opening a CSV would evaluate it.
"""

from __future__ import annotations

import os
from enum import Enum
from pathlib import Path

import polars as pl

from tieout.reconcile.workpaper.cells import DANGEROUS_PREFIXES
from tieout.reconcile.workpaper.table import Table


class FileFormat(str, Enum):
    csv = "csv"
    parquet = "parquet"


def csv_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Lists joined with ';' and text starting with = + - @ tab CR prefixed with a quote."""
    out = []
    for name, dtype in frame.schema.items():
        col = pl.col(name)
        if isinstance(dtype, pl.List):
            col = col.list.eval(pl.element().cast(pl.String)).list.join(";")
        elif dtype != pl.String:
            out.append(col)
            continue
        danger = pl.any_horizontal(*(col.str.starts_with(p) for p in DANGEROUS_PREFIXES))
        out.append(pl.when(danger).then(pl.lit("'") + col).otherwise(col).alias(name))
    return frame.select(out)


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
            table.frame.write_parquet(tmp)
        os.replace(tmp, path)
        written.append(path)
    return written
