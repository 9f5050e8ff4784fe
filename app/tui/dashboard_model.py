"""Dashboard figures computed in polars from the service's frames (no widgets, no SQL).

Every "open" figure (per domain, by kind, by currency, ageing, the headline)
comes from one frame: the period's breaks whose status is in the
vocabulary's ``OPEN_STATUSES``, so the panels always agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

import polars as pl

from tieout.storage.vocabulary import OPEN_STATUSES, SETTLED_STATUSES

AGE_BUCKETS = ((0, 7, "0-7 d"), (8, 30, "8-30 d"), (31, 60, "31-60 d"), (61, 10**6, "> 60 d"))
STANDING = (("open", OPEN_STATUSES), ("explained", ("explained",)), ("resolved", SETTLED_STATUSES))
"""The three states a break's amount at stake can be in, for the money panel."""


@dataclass(frozen=True)
class Figures:
    domains: pl.DataFrame  # domain, currency, matched_count, billing_count, erp_count, open_breaks, rates
    open_by_kind: pl.DataFrame  # domain, kind, currency, count, amount
    money: pl.DataFrame  # currency, billing_total, erp_total, difference, open, explained, resolved (amounts at stake)
    open_total: pl.DataFrame  # currency, count, amount: the open breaks per currency
    ageing: pl.DataFrame  # bucket, count
    per_day: pl.DataFrame  # day, opened, resolved, open_amount_opened (Int64, all currencies of the day)
    sources: pl.DataFrame  # name, kind, side, last_sync_at, last_sync_status, last_sync_error, sync_age_min
    median_hours_to_resolve: float | None
    duplicates: int
    rollforward_open: int | None  # None until the revenue domain reports
    last_run: dict | None
    quarantined: int = 0  # source records waiting in the exception queue


def figures(summary: pl.DataFrame, breaks: pl.DataFrame, sources: pl.DataFrame, last_run: dict | None,
            now: datetime | None = None, quarantined: int = 0) -> Figures:
    """Everything the dashboard shows for one period and entity."""
    now = now or datetime.now(timezone.utc)
    open_ = breaks.filter(pl.col("status").is_in(OPEN_STATUSES))
    opened = pl.col("opened_at").str.to_datetime(time_zone="UTC", strict=False)
    resolved = pl.col("resolved_at").str.to_datetime(time_zone="UTC", strict=False)
    open_per_domain = open_.group_by("domain", "currency").agg(pl.len().cast(pl.Int64).alias("open_breaks"))
    domains = summary.drop("open_breaks").join(open_per_domain, on=["domain", "currency"], how="left").with_columns(
        pl.col("open_breaks").fill_null(0),
    ).with_columns(  # a second step: the rates must see the filled count, not the join's null
        match_rate_pct=(100 * pl.col("matched_count") / pl.max_horizontal("billing_count", "erp_count", 1)).round(1),
        exception_rate_pct=(100 * pl.col("open_breaks") / (pl.col("matched_count") + pl.col("breaks")).clip(1))
        .round(1),
    )
    open_by_kind = (
        open_.group_by("domain", "kind", "currency")
        .agg(pl.len().cast(pl.Int64).alias("count"), pl.col("amount").sum().cast(pl.Int64))
        .sort(["count", "kind", "domain", "currency"], descending=[True, False, False, False], nulls_last=True)
    )
    age_days = (pl.lit(now) - opened).dt.total_days()
    bucket = pl.lit(None, dtype=pl.String)
    for lo, hi, label in reversed(AGE_BUCKETS):
        bucket = pl.when(age_days.is_between(lo, hi)).then(pl.lit(label)).otherwise(bucket)
    ageing_counts = open_.group_by(bucket.alias("bucket")).agg(pl.len().cast(pl.Int64).alias("count"))
    ageing = pl.DataFrame({"bucket": [b for _, _, b in AGE_BUCKETS]}).join(ageing_counts, on="bucket", how="left") \
        .with_columns(pl.col("count").fill_null(0))
    per_day = (
        breaks.select(opened.dt.date().alias("day"), pl.lit(1).alias("opened"), pl.lit(0).alias("resolved"))
        .vstack(breaks.filter(pl.col("resolved_at").is_not_null())
                .select(resolved.dt.date().alias("day"), pl.lit(0).alias("opened"), pl.lit(1).alias("resolved")))
        .group_by("day").agg(pl.col("opened").sum().cast(pl.Int64), pl.col("resolved").sum().cast(pl.Int64))
        .drop_nulls("day").sort("day")
    )
    hours = breaks.filter(pl.col("resolved_at").is_not_null()).select(
        ((resolved - opened).dt.total_seconds() / 3600).median()
    ).item() if len(breaks) else None
    revenue = breaks.filter(pl.col("domain") == "revenue")
    return Figures(
        domains=domains,
        open_by_kind=open_by_kind,
        money=_money(summary, breaks),
        open_total=open_.group_by("currency").agg(pl.len().cast(pl.Int64).alias("count"),
                                                  pl.col("amount").sum().cast(pl.Int64)).sort("currency"),
        ageing=ageing,
        per_day=per_day,
        sources=sources.with_columns(
            sync_age_min=(pl.lit(now) - pl.col("last_sync_at").str.to_datetime(time_zone="UTC", strict=False))
            .dt.total_minutes()
        ),
        median_hours_to_resolve=hours,
        duplicates=breaks.filter(pl.col("kind").str.starts_with("duplicate")).height,
        rollforward_open=open_.filter(pl.col("kind") == "rollforward_difference").height if len(revenue) else None,
        last_run=last_run,
        quarantined=quarantined,
    )


def _money(summary: pl.DataFrame, breaks: pl.DataFrame) -> pl.DataFrame:
    """Per currency: both sides' totals, their difference, and the amounts at stake by standing."""
    totals = summary.group_by("currency").agg(pl.col("billing_total").sum(), pl.col("erp_total").sum())
    stakes = breaks.group_by("currency").agg(
        *(pl.col("amount").filter(pl.col("status").is_in(statuses)).sum().cast(pl.Int64).alias(name)
          for name, statuses in STANDING))
    return (totals.join(stakes, on="currency", how="full", coalesce=True)
            .with_columns(pl.exclude("currency").fill_null(0).cast(pl.Int64))
            .with_columns((pl.col("billing_total") - pl.col("erp_total")).alias("difference"))
            .select("currency", "billing_total", "erp_total", "difference", *(name for name, _ in STANDING))
            .drop_nulls("currency").sort("currency"))
