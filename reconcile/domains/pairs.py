"""Shared shapes for domains that classify their own pairs: joined pairs, break rows, matches, leftovers.

The payment domain compares fields the generic classifier does not know
(applied invoices, payout proofs), so it builds break rows itself; these
helpers keep the frames in the vocabulary's BREAK_COLUMNS / MATCH_COLUMNS.
"""

from __future__ import annotations

import polars as pl

from tieout.reconcile.breaks import break_id, break_schema
from tieout.reconcile.engine import Pairing
from tieout.storage.vocabulary import BREAK_COLUMNS, MATCH_COLUMNS

_ROW_COLUMNS = ("kind", "object_type", "period", "entity", "currency", "amount", "billing_amount", "erp_amount",
                "billing_ids", "erp_ids", "rule", "details")


def pair_columns(frame: pl.DataFrame, pairs: pl.DataFrame) -> pl.DataFrame:
    """One row per pair: the billing record's columns, the ERP record's with suffix ``_e``, and ``rule``."""
    attrs = frame.drop("rid")
    return pl.concat([
        pairs.select("rule"),
        attrs.select(pl.all().gather(pairs["b"])),
        attrs.select(pl.all().gather(pairs["e"]).name.suffix("_e")),
    ], how="horizontal")


class BreakRows:
    """Break rows collected from several checks (before ids), in the vocabulary's columns."""

    def __init__(self, domain: str) -> None:
        self.domain = domain
        self.rows: list[pl.DataFrame] = []

    def add(self, hits: pl.DataFrame, kind: str, stake: pl.Expr, details: dict[str, pl.Expr]) -> None:
        """A break of ``kind`` per pair in ``hits`` (from :func:`pair_columns`); ``details`` become JSON."""
        if hits.height == 0:
            return
        self.rows.append(hits.select(
            pl.lit(kind).alias("kind"), "object_type",
            pl.coalesce("period", "period_e").alias("period"), pl.coalesce("entity", "entity_e").alias("entity"),
            pl.coalesce("currency", "currency_e").alias("currency"), stake.cast(pl.Int64).alias("amount"),
            pl.col("amount").alias("billing_amount"), pl.col("amount_e").alias("erp_amount"),
            pl.concat_list("key").alias("billing_ids"), pl.concat_list("key_e").alias("erp_ids"), "rule",
            pl.struct(**details).struct.json_encode().alias("details"),
        ))

    def extend(self, rows: list[pl.DataFrame]) -> None:
        self.rows.extend(rows)


def lone_rows(records: pl.DataFrame, kind: str, *, stake: pl.Expr | None = None,
              details: pl.Expr | None = None) -> pl.DataFrame:
    """A break of ``kind`` per record of one side (missing on the other side, or flagged alone)."""
    is_b = pl.col("side") == "billing"
    key = pl.concat_list("key")
    none = pl.lit([], pl.List(pl.String))
    return records.select(
        pl.lit(kind).alias("kind"), "object_type", "period", "entity", "currency",
        (pl.col("amount") if stake is None else stake).cast(pl.Int64).alias("amount"),
        pl.when(is_b).then(pl.col("amount")).alias("billing_amount"),
        pl.when(~is_b).then(pl.col("amount")).alias("erp_amount"),
        pl.when(is_b).then(key).otherwise(none).alias("billing_ids"),
        pl.when(~is_b).then(key).otherwise(none).alias("erp_ids"),
        pl.lit(None, pl.String).alias("rule"),
        (pl.lit("{}") if details is None else details).alias("details"),
    )


def unpaired(frame: pl.DataFrame, pairing: Pairing) -> pl.DataFrame:
    """Records no pass paired or flagged."""
    taken = pl.concat([pairing.pairs["b"], pairing.pairs["e"],
                       *(pairing.groups[c].explode() for c in ("b_rids", "e_rids")),
                       *(pairing.flagged[c].explode() for c in ("b_rids", "e_rids"))]).drop_nulls()
    used = pl.repeat(False, frame.height, dtype=pl.Boolean, eager=True).scatter(taken, True)
    return frame.filter(~used)


def flagged_rows(frame: pl.DataFrame, pairing: Pairing) -> list[pl.DataFrame]:
    """One break per flagged set of records (ambiguous candidates); at stake the amount of the record the
    candidates compete for (the side with fewer records)."""
    out = []
    for kind, rule, b_rids, e_rids in pairing.flagged.select("kind", "rule", "b_rids", "e_rids").iter_rows():
        b, e = frame.filter(pl.col("rid").is_in(b_rids)), frame.filter(pl.col("rid").is_in(e_rids))
        first = b if b.height and (b.height <= e.height or not e.height) else e
        out.append(pl.DataFrame({
            "kind": [kind], "object_type": [first["object_type"][0]], "period": [first["period"][0]],
            "entity": [first["entity"][0]], "currency": [first["currency"][0]],
            "amount": [int(first["amount"].sum())], "billing_amount": [int(b["amount"].sum()) if b.height else None],
            "erp_amount": [int(e["amount"].sum()) if e.height else None],
            "billing_ids": [sorted(b["key"].to_list())], "erp_ids": [sorted(e["key"].to_list())], "rule": [rule],
            "details": ["{}"]}, schema=_row_schema()))
    return out


def leftover_rows(frame: pl.DataFrame, pairing: Pairing, domain: str) -> list[pl.DataFrame]:
    """Flagged records as ambiguous breaks, unpaired ones as missing on the other side."""
    left = unpaired(frame, pairing)
    return [*flagged_rows(frame, pairing),
            lone_rows(left.filter(pl.col("side") == "billing"), "missing_in_erp"),
            lone_rows(left.filter(pl.col("side") == "erp"), "missing_in_billing")]


def breaks_frame(rows: list[pl.DataFrame], domain: str) -> pl.DataFrame:
    """The collected rows with stable ids, in BREAK_COLUMNS (one break per id)."""
    rows = [r.select(pl.col(c).cast(t) for c, t in _row_schema().items()) for r in rows if r.height]
    if not rows:
        return pl.DataFrame(schema=break_schema())
    out = pl.concat(rows)
    ids = [break_id(domain, k, b, e) for k, b, e in
           zip(out["kind"].to_list(), out["billing_ids"].to_list(), out["erp_ids"].to_list())]
    out = out.with_columns(pl.Series("id", ids, pl.String), pl.lit(domain).alias("domain"))
    return out.select(BREAK_COLUMNS).sort("id").unique("id", keep="first", maintain_order=True)


def match_rows(j: pl.DataFrame, domain: str) -> pl.DataFrame:
    """One match per pair; ``differences`` names an amount or date the rules accepted."""
    amount_differs = pl.col("amount") != pl.col("amount_e")
    date_differs = pl.col("date") != pl.col("date_e")
    diffs = pl.struct(
        amount=pl.when(amount_differs).then(pl.concat_list("amount", "amount_e")),
        date=pl.when(date_differs).then(pl.concat_list(pl.col("date").cast(pl.String),
                                                       pl.col("date_e").cast(pl.String))))
    return j.select(
        pl.lit(domain).alias("domain"), "object_type", "period", "entity", "currency", "rule",
        pl.concat_list("key").alias("billing_ids"), pl.concat_list("key_e").alias("erp_ids"),
        pl.col("amount").alias("billing_amount"), pl.col("amount_e").alias("erp_amount"),
        pl.when(amount_differs.fill_null(False) | date_differs.fill_null(False))
        .then(diffs.struct.json_encode()).otherwise(pl.lit("{}")).alias("differences"),
    ).select(MATCH_COLUMNS)


def _row_schema() -> dict[str, pl.DataType]:
    return {"kind": pl.String, "object_type": pl.String, "period": pl.String, "entity": pl.String,
            "currency": pl.String, "amount": pl.Int64, "billing_amount": pl.Int64, "erp_amount": pl.Int64,
            "billing_ids": pl.List(pl.String), "erp_ids": pl.List(pl.String), "rule": pl.String,
            "details": pl.String}
