"""A named table of a workpaper: one polars frame plus how its columns are presented.

The Excel writer and the CSV/Parquet exporter take the same :class:`Table`
objects, so a sheet and its file always have the same columns.  Money stays
Int64 minor units in the frame; only the Excel writer turns it into major
units, with the number format of each row's currency.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl


@dataclass(frozen=True)
class Table:
    """``frame`` with its presentation: money columns, their currency column, timestamp columns."""

    name: str  # sheet title; the file stem is derived from it
    frame: pl.DataFrame
    money: tuple[str, ...] = ()  # Int64 minor units in the currency named by `currency_col`
    currency_col: str = "currency"
    timestamps: tuple[str, ...] = ()  # ISO-8601 text; shown as Excel date-times
    dates: tuple[str, ...] = ()  # YYYY-MM-DD text; shown as Excel dates

    @property
    def file_stem(self) -> str:
        """``"Invoice detail"`` -> ``"invoice_detail"``."""
        return re.sub(r"[^a-z0-9]+", "_", self.name.lower()).strip("_")
