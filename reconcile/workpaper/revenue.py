"""Deferred revenue roll-forward and recognition waterfall, from the canonical tables.

Built from what the workspace holds today: ``invoice``/``credit_note``
subtotals (billed, net of tax; void and draft excluded) and
``revenue_schedule_line`` amounts (recognised), per side, entity and
currency.  The revenue-matching issue owns the expected schedules; once it
lands these sheets show its figures with no change here.
"""

from __future__ import annotations

import polars as pl

from tieout.reconcile.workpaper.table import Table

WATERFALL_PERIODS = 12
_KEYS = ["side", "entity", "currency"]
def rollforward(billed: pl.DataFrame, schedule: pl.DataFrame, period: str) -> Table:
    """Opening deferred + billed − recognised = closing, per side, entity and currency."""
    def split(frame: pl.DataFrame, value: str, before: str, during: str) -> pl.DataFrame:
        return frame.group_by(_KEYS).agg(
            pl.col(value).filter(pl.col("period") < period).sum().alias(before),
            pl.col(value).filter(pl.col("period") == period).sum().alias(during),
        )

    b = split(billed, "billed", "_billed_before", "billed")
    r = split(schedule.select(*_KEYS, "period", "amount"), "amount", "_recognised_before", "recognised")
    frame = (
        b.join(r, on=_KEYS, how="full", coalesce=True, nulls_equal=True)
        .with_columns(pl.col(c).fill_null(0).cast(pl.Int64) for c in
                      ("_billed_before", "billed", "_recognised_before", "recognised"))
        .with_columns((pl.col("_billed_before") - pl.col("_recognised_before")).alias("opening"))
        .with_columns((pl.col("opening") + pl.col("billed") - pl.col("recognised")).alias("closing"))
        .sort(_KEYS, nulls_last=True)
        .select(pl.lit(period).alias("period"), *_KEYS, "opening", "billed", "recognised", "closing")
    )
    return Table("Revenue roll-forward", frame, money=("opening", "billed", "recognised", "closing"))


def next_periods(period: str, count: int) -> list[str]:
    year, month = (int(p) for p in period.split("-"))
    out = []
    for _ in range(count):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def waterfall(schedule: pl.DataFrame, period: str, count: int = WATERFALL_PERIODS) -> Table:
    """Revenue still to recognise from ``period`` on, by billing period (rows) and month (columns)."""
    months = next_periods(period, count)
    later = f"after {months[-1]}"
    rows = schedule.filter((pl.col("period") >= period)
                           & (pl.col("billed_period").is_null() | (pl.col("billed_period") <= period)))
    frame = (
        rows.with_columns(pl.when(pl.col("period") > months[-1]).then(pl.lit(later))
                          .otherwise(pl.col("period")).alias("bucket"))
        .group_by(*_KEYS, "billed_period")
        .agg(*(pl.col("amount").filter(pl.col("bucket") == m).sum().alias(m) for m in [*months, later]),
             pl.col("amount").sum().alias("total"))
        .sort(*_KEYS, "billed_period", nulls_last=True)
    )
    if frame.height == 0:
        frame = pl.DataFrame(schema={**{k: pl.String for k in [*_KEYS, "billed_period"]},
                                     **{m: pl.Int64 for m in [*months, later, "total"]}})
    return Table("Revenue waterfall", frame, money=(*months, later, "total"))
