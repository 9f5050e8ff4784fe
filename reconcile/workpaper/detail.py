"""The per-domain detail table: breaks, then matched items, with what each explains of billing − ERP.

``difference`` is a row's share of (billing total − ERP total) of the period
in its currency, so the Summary's SUMIFS over it, by kind, explains the gap
and anything left shows as unexplained.  It is computed from the period's
record population (the records the source totals count), each record
claimed by exactly one row, in this order:

1. pair breaks (the domain's compared-field kinds, in the order it declares
   them) claim both records of their pair, so the pair's difference is
   reported under the break's kind;
2. matches claim their records (a difference the rules accepted);
3. missing, duplicate and ambiguous breaks claim what is left (a duplicate's
   twin is already claimed by its match, so only the extra record counts).

A claimed record adds +amount (billing) or −amount (ERP) in its own
currency; a record outside the period adds nothing.  A row whose records
are in another currency too (currency mismatch) gets a continuation row in
that currency.  Auto-resolved breaks and breaks of manually matched records
claim nothing.  Period-mismatch breaks listed under another period whose
records fall in this period are included, as they explain this period too.

Past ``match_rows_limit`` matched items are summarised, one row per
(object type, entity, currency, rule, status) with ``items`` counting them.
"""

from __future__ import annotations

import polars as pl

from tieout.reconcile.domains import Domain
from tieout.reconcile.workpaper.table import Table

_DERIVED = ("difference", "customer")  # computed here from the period's records, not read from a break
MONEY_COLUMNS = ("billing_amount", "erp_amount", "amount", "difference")
TIMESTAMP_COLUMNS = ("opened_at", "updated_at", "resolved_at")
MATCHED = "matched"
MATCH_ROWS_LIMIT = 250_000


def _priorities(domain: Domain) -> tuple[dict[str, int], int, int]:
    """Claim order: each pair kind by its position, then matches, then every leftover kind."""
    pair_kinds = [spec.kind for spec in domain.compared.values()]
    return {k: i for i, k in enumerate(pair_kinds)}, len(pair_kinds), len(pair_kinds) + 1


def _break_rows(breaks: pl.DataFrame, manual_ids: list[str], domain: Domain) -> pl.DataFrame:
    covered = (pl.concat_list("billing_ids", "erp_ids").list.eval(pl.element().is_in(manual_ids)).list.all()
               if manual_ids else pl.lit(False))
    pair_rank, _, leftover = _priorities(domain)
    rank = pl.col("kind").replace_strict(pair_rank, default=leftover, return_dtype=pl.Int64)
    return breaks.with_columns(
        pl.when((pl.col("status") == "auto_resolved") | covered).then(None).otherwise(rank).alias("_priority"),
        pl.lit(1, pl.Int64).alias("items"),
    ).sort("kind", "id")


def _match_rows(matches: pl.DataFrame, priority: int) -> pl.DataFrame:
    return matches.sort("id").select(
        pl.format("match-{}", "id").alias("id"), "object_type", pl.lit(MATCHED).alias("kind"),
        pl.when(pl.col("manual")).then(pl.lit("manual match")).otherwise(pl.lit(MATCHED)).alias("status"),
        "period", "entity", "currency", "billing_amount", "erp_amount",
        (pl.col("billing_amount") - pl.col("erp_amount")).alias("amount"),
        pl.lit(1, pl.Int64).alias("items"), "billing_ids", "erp_ids", "rule", "reason",
        pl.when(pl.col("differences").is_in(["{}", ""])).then(None).otherwise(pl.col("differences")).alias("note"),
        pl.col("created_by").alias("assignee"), pl.col("created_at").alias("opened_at"),
        pl.lit(None, pl.String).alias("updated_at"), pl.lit(None, pl.String).alias("resolved_at"),
        pl.lit(priority, pl.Int64).alias("_priority"),
    )


def _differences(rows: pl.DataFrame, population: pl.DataFrame) -> pl.DataFrame:
    """(_row, currency, difference) from each population record claimed by its first row."""
    ids = pl.concat([
        rows.select("_row", "_priority", pl.lit(side).alias("side"), pl.col(col).alias("external_id"))
        .explode("external_id") for side, col in (("billing", "billing_ids"), ("erp", "erp_ids"))
    ]).drop_nulls()
    claims = (ids.join(population, on=["side", "external_id"], how="inner")
              .sort("_priority", "_row").unique(["side", "external_id"], keep="first", maintain_order=True))
    sign = pl.when(pl.col("side") == "billing").then(1).otherwise(-1)
    return claims.group_by("_row", "currency").agg((sign * pl.col("total")).sum().alias("difference"))


def _customers(rows: pl.DataFrame, population: pl.DataFrame) -> pl.DataFrame:
    """(_row, customer): the customer name of a row's first billing record, else of its first ERP record."""
    names = population.select("side", "external_id", "customer").drop_nulls("customer")
    found = [
        rows.select("_row", pl.col(col).list.first().alias("external_id"))
        .join(names.filter(pl.col("side") == side), on="external_id", how="inner")
        .select("_row", pl.col("customer"), pl.lit(rank).alias("_rank"))
        for rank, (side, col) in enumerate((("billing", "billing_ids"), ("erp", "erp_ids")))
    ]
    return pl.concat(found).sort("_row", "_rank").unique("_row", keep="first").select("_row", "customer")


def detail_table(domain: Domain, breaks: pl.DataFrame, matches: pl.DataFrame, population: pl.DataFrame,
                 period: str, *, match_rows_limit: int = MATCH_ROWS_LIMIT) -> Table:
    """Breaks (by kind, id) then matched items of one domain, with their ``difference``.

    ``breaks`` may hold other periods' period-mismatch breaks; those are kept
    only when one of their records is in ``population``.
    """
    columns = list(domain.workpaper_columns)
    breaks = breaks.filter(pl.col("domain") == domain.name)
    matches = matches.filter(pl.col("domain") == domain.name)
    in_scope = set(population["external_id"].to_list())
    breaks = breaks.filter((pl.col("period") == period) | pl.concat_list("billing_ids", "erp_ids")
                           .list.eval(pl.element().is_in(sorted(in_scope))).list.any())
    manual_ids = sorted(set(matches.filter(pl.col("manual")).select(
        pl.concat_list("billing_ids", "erp_ids").explode()).to_series().drop_nulls().to_list()))
    rows = pl.concat([_break_rows(breaks, manual_ids, domain).select(*(c for c in columns if c not in _DERIVED),
                                                                     "_priority"),
                      _match_rows(matches, _priorities(domain)[1])], how="diagonal_relaxed").with_row_index("_row")
    rows = rows.join(_customers(rows, population), on="_row", how="left")
    diffs = _differences(rows.filter(pl.col("_priority").is_not_null()), population)
    own = diffs.join(rows.select("_row", "currency"), on=["_row", "currency"], how="semi")
    rows = rows.join(own, on=["_row", "currency"], how="left").with_columns(pl.col("difference").fill_null(0))
    other = diffs.join(rows.select("_row", "currency"), on=["_row", "currency"], how="anti")
    continuation = (other.join(rows.drop("currency", "difference"), on="_row")
                    .with_columns(pl.col("_row") + 0.5, pl.lit(None, pl.Int64).alias("billing_amount"),
                                  pl.lit(None, pl.Int64).alias("erp_amount"), pl.lit(None, pl.Int64).alias("amount"),
                                  pl.lit(0, pl.Int64).alias("items"),
                                  pl.format("continued: this row's records in {}", "currency").alias("note")))
    rows = pl.concat([rows.with_columns(pl.col("_row").cast(pl.Float64)), continuation], how="diagonal_relaxed")
    rows = rows.sort("_row")
    breaks_part = rows.filter(pl.col("kind") != MATCHED).select(columns)
    matched_part = rows.filter(pl.col("kind") == MATCHED).select(columns)
    if matched_part.height > match_rows_limit:
        matched_part = _summarise(matched_part, match_rows_limit, columns)
    return Table(domain.title, pl.concat([breaks_part, matched_part], how="vertical_relaxed"),
                 money=MONEY_COLUMNS, timestamps=TIMESTAMP_COLUMNS)


def _summarise(matched: pl.DataFrame, limit: int, columns: list[str]) -> pl.DataFrame:
    keys = ["object_type", "status", "period", "entity", "currency", "rule"]
    return (
        matched.group_by(keys).agg(pl.col("billing_amount").sum(), pl.col("erp_amount").sum(),
                                   pl.col("amount").sum(), pl.col("difference").sum(), pl.col("items").sum())
        .sort(keys, nulls_last=True)
        .with_columns(pl.lit("matched-summary").alias("id"), pl.lit(MATCHED).alias("kind"),
                      pl.lit([], pl.List(pl.String)).alias("billing_ids"),
                      pl.lit([], pl.List(pl.String)).alias("erp_ids"), pl.lit(None, pl.String).alias("reason"),
                      pl.format("{} matched items summarised (detail past {} rows)", "items", pl.lit(limit))
                      .alias("note"),
                      *(pl.lit(None, pl.String).alias(c) for c in ("customer", "assignee", *TIMESTAMP_COLUMNS)))
        .select(columns)
    )
