"""Break-queue data work in polars: filter, sort, totals.

The queue never copies the million-row frame: a filter/sort yields the
*row numbers* of the frame in display order (:class:`QueueView`), and the
table widget looks up only the rows it paints.  Only the columns a filter or
sort touches are read, so a change costs tens to a few hundred milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass

from typing import Any

import polars as pl

from tieout.app.tui.state import UNRESOLVED, QueueFilter
from tieout.storage.errors import FilterError
from tieout.storage.money import MoneyError, parse_amount

DONE_STATUSES = ("resolved", "auto_resolved")

ROW = "_row"
SEARCH = "_search"
"""Lower-cased text of the searchable columns, added on the first text search."""

SEARCHED = ("id", "kind", "status", "assignee", "reason", "note", "rule", "billing_ids", "erp_ids")


@dataclass(frozen=True)
class QueueView:
    """What the queue shows: row numbers into ``frame`` in display order, and their totals."""

    frame: pl.DataFrame
    rows: pl.Series  # UInt32 row numbers of ``frame``
    totals: pl.DataFrame  # currency, count, amount (Int64 minor units)

    def __len__(self) -> int:
        return len(self.rows)

    def row(self, index: int) -> dict:
        """The ``index``-th displayed break as a dict of the service's columns."""
        return self.frame.row(int(self.rows[index]), named=True)


def with_search(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` plus the search column (built once, the first time text is searched)."""
    if SEARCH in frame.columns:
        return frame
    parts = [
        pl.col(c).list.join(" ") if isinstance(frame.schema[c], pl.List) else pl.col(c)
        for c in SEARCHED
        if c in frame.columns
    ]
    return frame.with_columns(
        pl.concat_str([p.fill_null("") for p in parts], separator=" ").str.to_lowercase().alias(SEARCH)
    )


def _amount_bound(text: str, currencies: list[str], name: str) -> pl.Expr:
    """The bound in minor units of each row's currency, as an expression."""
    expr: Any = None  # when/then chains of polars have no common public type
    for cur in currencies:
        try:
            minor = parse_amount(text, cur)
        except (MoneyError, ValueError) as exc:
            raise FilterError(f"{name} amount {text!r}: {exc}") from None
        cond, value = pl.col("currency") == cur, pl.lit(minor, dtype=pl.Int64)
        expr = pl.when(cond).then(value) if expr is None else expr.when(cond).then(value)
    return expr.otherwise(None) if expr is not None else pl.lit(None, dtype=pl.Int64)


def conditions(frame: pl.DataFrame, flt: QueueFilter) -> list[pl.Expr]:
    """The filter as polars expressions (an empty list keeps every row)."""
    conds: list[pl.Expr] = [pl.col(c) == getattr(flt, c) for c in ("domain", "kind") if getattr(flt, c)]
    if flt.status == UNRESOLVED:
        conds.append(~pl.col("status").is_in(DONE_STATUSES))
    elif flt.status:
        conds.append(pl.col("status") == flt.status)
    if flt.assignee:
        conds.append(pl.col("assignee").is_null() if flt.assignee == "-" else pl.col("assignee") == flt.assignee)
    if flt.min_amount or flt.max_amount:
        currencies = frame["currency"].drop_nulls().unique().to_list()
        if flt.min_amount:
            conds.append(pl.col("amount").abs() >= _amount_bound(flt.min_amount, currencies, "minimum"))
        if flt.max_amount:
            conds.append(pl.col("amount").abs() <= _amount_bound(flt.max_amount, currencies, "maximum"))
    if flt.text.strip():
        conds.append(pl.col(SEARCH).str.contains(flt.text.strip().lower(), literal=True))
    return conds


def apply(frame: pl.DataFrame, flt: QueueFilter) -> QueueView:
    """Filter and sort ``frame`` (a ``Service.breaks()`` frame) as ``flt`` says."""
    if flt.text.strip():
        frame = with_search(frame)
    if flt.sort_by and flt.sort_by not in frame.columns:
        raise FilterError(f"cannot sort by {flt.sort_by!r}: no such column")
    kept = frame.lazy().with_row_index(ROW)
    conds = conditions(frame, flt)
    if conds:
        kept = kept.filter(*conds)
    if flt.sort_by:
        key = pl.col(flt.sort_by)
        if isinstance(frame.schema[flt.sort_by], pl.List):
            key = key.list.first()
        kept = kept.sort(key, descending=flt.descending, nulls_last=True, maintain_order=True)
    picked = kept.select(ROW, "currency", "amount").collect()
    return QueueView(frame, picked[ROW], totals(picked))


def totals(frame: pl.DataFrame) -> pl.DataFrame:
    """Count and amount at stake per currency (Int64 minor units), largest count first."""
    return (
        frame.group_by("currency")
        .agg(pl.len().cast(pl.Int64).alias("count"), pl.col("amount").sum().cast(pl.Int64).alias("amount"))
        .sort(["count", "currency"], descending=[True, False], nulls_last=True)
    )


def choices(frame: pl.DataFrame, column: str) -> list[str]:
    """Distinct non-null values of ``column``, sorted (for the filter drop-downs)."""
    if column not in frame.columns or not len(frame):
        return []
    return sorted(frame[column].drop_nulls().unique().to_list())
