"""One line under the queue: rows shown, selection, and the amount at stake per currency."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from textual.widgets import Static

from tieout.storage.money import format_amount


def totals_text(shown: int, total: int, selected: int, totals: pl.DataFrame) -> str:
    """E.g. ``"1,204 of 9,873 breaks · 3 selected · USD 12,345.67 (1,100) · EUR 99.00 (104)"``."""
    parts = [f"{shown:,} of {total:,} breaks"]
    if selected:
        parts.append(f"{selected:,} selected")
    for row in totals.iter_rows(named=True):
        cur = row["currency"]
        amount = format_amount(row["amount"], cur) if cur else str(row["amount"])
        parts.append(f"{cur or '???'} {amount} ({row['count']:,})")
    return " · ".join(parts)


class TotalsBar(Static):
    DEFAULT_CSS = Path(__file__).with_suffix(".tcss").read_text(encoding="utf-8")
