"""The per-domain detail table: breaks, then matched items, with what each adds to billing − ERP.

``difference`` is the row's share of (billing total − ERP total) in its
currency, so the Summary's SUMIFS over it, by kind, explains the gap and
anything left is unexplained.  Each record is counted once:

- a matched pair or group adds billing − ERP (a difference the rules accepted);
- a pair with an amount/tax/currency/... break carries that difference on its
  first break (by :data:`PAIR_KIND_ORDER`), and 0 on the match and its other breaks;
- a missing or duplicate record adds its own amount (+ billing, − ERP);
- an ambiguous group adds billing − ERP (it has no match);
- an auto-resolved break, or one covered by a manual match, adds 0.

Past ``match_rows_limit`` matched items are summarised, one row per
(object type, entity, currency, rule, manual) with ``items`` counting them.
"""

from __future__ import annotations

import polars as pl

from reconcile.workpaper.table import Table

DETAIL_COLUMNS = [
    "id", "object_type", "kind", "status", "entity", "currency", "billing_amount", "erp_amount", "amount",
    "difference", "items", "billing_ids", "erp_ids", "rule", "reason", "note", "assignee", "opened_at",
    "updated_at", "resolved_at",
]
MONEY_COLUMNS = ("billing_amount", "erp_amount", "amount", "difference")
TIMESTAMP_COLUMNS = ("opened_at", "updated_at", "resolved_at")
MATCHED = "matched"
PAIR_KIND_ORDER = ["currency_mismatch", "amount_mismatch", "tax_mismatch", "status_mismatch",
                   "customer_mismatch", "period_mismatch"]
_OWN_AMOUNT = {"missing_in_erp": 1, "duplicate_in_billing": 1, "missing_in_billing": -1, "duplicate_in_erp": -1}
DOMAIN_TITLES = {"invoice": "Invoices", "payment": "Payments", "revenue": "Revenue schedules"}
MATCH_ROWS_LIMIT = 250_000


def domain_title(domain: str) -> str:
    return DOMAIN_TITLES.get(domain, domain.replace("_", " ").title()[:31])


def _ids_key(column: str) -> pl.Expr:
    return pl.col(column).list.sort().list.join(",")


def detail_table(domain: str, breaks: pl.DataFrame, matches: pl.DataFrame, *,
                 match_rows_limit: int = MATCH_ROWS_LIMIT) -> Table:
    """Breaks (by kind, id) then matched items of one domain, with their ``difference``."""
    breaks = breaks.filter(pl.col("domain") == domain)
    matches = matches.filter(pl.col("domain") == domain)
    pair = pl.concat_str(_ids_key("billing_ids"), _ids_key("erp_ids"), separator="|")
    manual_ids = set(matches.filter(pl.col("manual")).select(
        pl.concat_list("billing_ids", "erp_ids").explode()).to_series().drop_nulls().to_list())

    b = breaks.with_columns(pair.alias("_pair"), pl.col("kind").replace_strict(
        {k: i for i, k in enumerate(PAIR_KIND_ORDER)}, default=None, return_dtype=pl.Int32).alias("_rank"))
    b = b.with_columns(
        (pl.col("_rank").is_not_null() & (pl.col("status") != "auto_resolved")).alias("_pair_break"))
    first = (pl.col("_pair_break") & (pl.col("_rank") == pl.col("_rank").filter(pl.col("_pair_break")).min().over("_pair")))
    covered = (pl.concat_list("billing_ids", "erp_ids").list.eval(pl.element().is_in(sorted(manual_ids))).list.all()
               if manual_ids else pl.lit(False))
    b_minus_e = pl.col("billing_amount").fill_null(0) - pl.col("erp_amount").fill_null(0)
    own = pl.col("kind").replace_strict(_OWN_AMOUNT, default=None, return_dtype=pl.Int64) * pl.col("amount")
    b = b.with_columns(
        pl.when((pl.col("status") == "auto_resolved") | covered)
        .then(0).when(pl.col("_rank").is_not_null()).then(pl.when(first).then(b_minus_e).otherwise(0))
        .when(own.is_not_null()).then(own).otherwise(b_minus_e).cast(pl.Int64).alias("difference"),
        pl.lit(1, pl.Int64).alias("items"),
    )
    broken_pairs = set(b.filter(pl.col("_pair_break"))["_pair"].to_list())
    break_rows = b.sort("kind", "id").select(DETAIL_COLUMNS)

    m = matches.with_columns(pair.alias("_pair")).with_columns(
        pl.when(pl.col("_pair").is_in(list(broken_pairs))).then(0)
        .otherwise(pl.col("billing_amount") - pl.col("erp_amount")).cast(pl.Int64).alias("difference"))
    match_rows = _match_rows(m, match_rows_limit)
    frame = pl.concat([break_rows, match_rows], how="vertical_relaxed")
    return Table(domain_title(domain), frame, money=MONEY_COLUMNS, timestamps=TIMESTAMP_COLUMNS)


def _match_rows(m: pl.DataFrame, limit: int) -> pl.DataFrame:
    status = pl.when(pl.col("manual")).then(pl.lit("manual match")).otherwise(pl.lit(MATCHED))
    if m.height <= limit:
        return m.sort("id").select(
            pl.format("match-{}", "id").alias("id"), "object_type", pl.lit(MATCHED).alias("kind"),
            status.alias("status"), "entity", "currency", "billing_amount", "erp_amount",
            (pl.col("billing_amount") - pl.col("erp_amount")).alias("amount"), "difference",
            pl.lit(1, pl.Int64).alias("items"), "billing_ids", "erp_ids", "rule", "reason",
            pl.when(pl.col("differences").is_in(["{}", ""])).then(None).otherwise(pl.col("differences")).alias("note"),
            pl.col("created_by").alias("assignee"), pl.col("created_at").alias("opened_at"),
            pl.lit(None, pl.String).alias("updated_at"), pl.lit(None, pl.String).alias("resolved_at"),
        )
    keys = ["object_type", "entity", "currency", "rule", "manual"]
    return (
        m.group_by(keys).agg(pl.col("billing_amount").sum(), pl.col("erp_amount").sum(),
                             pl.col("difference").sum(), pl.len().cast(pl.Int64).alias("items"))
        .sort(keys, nulls_last=True)
        .select(
            pl.lit("matched-summary").alias("id"), "object_type", pl.lit(MATCHED).alias("kind"),
            status.alias("status"), "entity", "currency", "billing_amount", "erp_amount",
            (pl.col("billing_amount") - pl.col("erp_amount")).alias("amount"), "difference", "items",
            pl.lit([], pl.List(pl.String)).alias("billing_ids"), pl.lit([], pl.List(pl.String)).alias("erp_ids"),
            "rule", pl.lit(None, pl.String).alias("reason"),
            pl.format("{} matched items summarised (over {} rows)", "items", pl.lit(limit)).alias("note"),
            pl.lit(None, pl.String).alias("assignee"), pl.lit(None, pl.String).alias("opened_at"),
            pl.lit(None, pl.String).alias("updated_at"), pl.lit(None, pl.String).alias("resolved_at"),
        )
    )
