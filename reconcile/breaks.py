"""Classify what the passes left: differences of matched pairs, flagged and leftover records.

A break's ``id`` is stable: a hash of its domain, kind and the external ids of
its records (side-tagged, sorted), so the same problem found by a later run
is the same break and keeps its review history.

Which compared field gives which kind, and the amount each kind puts at
stake, is the domain's declaration (:class:`~tieout.reconcile.domains.KindSpec`):
"difference" is the field's difference (amounts compare net of tax, total −
tax, so an ERP invoice whose tax is off is a tax mismatch only), "billing_total"
the billing record's total, "record_total" a lone record's own total.
"""

from __future__ import annotations

import hashlib
import json

import polars as pl

from tieout.reconcile.domains.base import Domain, Outcome
from tieout.reconcile.engine import Pairing, within
from tieout.reconcile.rules import DomainRules
from tieout.storage.vocabulary import BREAK_COLUMNS, MATCH_COLUMNS

_TOLERANCED = ("amount", "tax")  # compared within the rules' tolerance; every other field compares as-is


def break_id(domain: str, kind: str, billing_ids: list[str], erp_ids: list[str]) -> str:
    """Stable id: sha256 of domain, kind and the sorted side-tagged record keys (20 hex chars)."""
    keys = sorted(f"b:{i}" for i in billing_ids) + sorted(f"e:{i}" for i in erp_ids)
    return hashlib.sha256("|".join([domain, kind, *keys]).encode("utf-8")).hexdigest()[:20]


def classify(frame: pl.DataFrame, pairing: Pairing, rules: DomainRules, domain: Domain) -> Outcome:
    """Turn a pairing into matches (with accepted differences) and breaks of ``domain``."""
    # rid is the row position in ``frame``, so a gather replaces two joins
    pairs = pairing.pairs.sort("b")
    attrs = frame.drop("rid")
    joined = pl.concat([
        pairs,
        attrs.select(pl.all().gather(pairs["b"])),
        attrs.select(pl.all().gather(pairs["e"]).name.suffix("_e")),
    ], how="horizontal")
    checks = _checks(joined, rules)
    pair_breaks = _pair_breaks(checks, rules, domain)
    matches = _pair_matches(checks, rules, domain)
    group_matches = _group_matches(frame, pairing.groups, domain.name)
    leftovers = _leftovers(frame, pairing, rules)
    raw = pl.concat([pair_breaks, pairing.flagged.select("kind", "rule", "b_rids", "e_rids",
                                                         pl.lit(None, pl.Int64).alias("stake"),
                                                         pl.lit("{}").alias("details")),
                     leftovers], how="vertical_relaxed")
    breaks = _finish_breaks(frame, raw, domain.name)
    return Outcome(matches=pl.concat([matches, group_matches]), breaks=breaks)


def _checks(j: pl.DataFrame, rules: DomainRules) -> pl.DataFrame:
    tol = rules.compare_tolerance
    same = {s: group[0] for group in rules.status_equivalent for s in group}
    status, status_e = pl.col("status").replace(same), pl.col("status_e").replace(same)
    same_cur = pl.col("currency") == pl.col("currency_e")
    net_diff = (pl.col("amount") - pl.col("tax")) - (pl.col("amount_e") - pl.col("tax_e"))
    tax_diff = pl.col("tax") - pl.col("tax_e")
    return j.with_columns(
        (~same_cur).fill_null(True).alias("d_currency"),
        (same_cur & (net_diff != 0)).fill_null(False).alias("d_amount"),
        (same_cur & ~within(net_diff, pl.col("amount"), tol)).fill_null(False).alias("x_amount"),
        (same_cur & (tax_diff != 0)).fill_null(False).alias("d_tax"),
        (same_cur & ~within(tax_diff, pl.col("amount"), tol)).fill_null(False).alias("x_tax"),
        net_diff.abs().alias("stake_amount"),
        tax_diff.abs().alias("stake_tax"),
        (status != status_e).fill_null(True).alias("d_status"),
        (pl.col("customer") != pl.col("customer_e")).fill_null(False).alias("d_customer"),
        (pl.col("period") != pl.col("period_e")).fill_null(True).alias("d_period"),
    )


def _broken(field: str, rules: DomainRules) -> pl.Expr:
    """Whether a difference in ``field`` is a break (rather than accepted) under the rules."""
    if field not in rules.compare_fields:
        return pl.lit(False)
    return pl.col(f"x_{field}") if field in _TOLERANCED else pl.col(f"d_{field}")


def _pair_breaks(c: pl.DataFrame, rules: DomainRules, domain: Domain) -> pl.DataFrame:
    parts = []
    for field, spec in domain.compared.items():
        kind = spec.kind
        stake = pl.col(f"stake_{field}") if spec.stake == "difference" else pl.col("amount")
        hit = c.filter(_broken(field, rules))
        if hit.height == 0:
            continue
        values = _field_values(hit, field)
        parts.append(hit.select(
            pl.lit(kind).alias("kind"), "rule", pl.concat_list("b").alias("b_rids"),
            pl.concat_list("e").alias("e_rids"), stake.cast(pl.Int64).alias("stake"),
            pl.Series("details", [json.dumps({field: v}) for v in values]),
        ))
    if not parts:
        return pl.DataFrame(schema={"kind": pl.String, "rule": pl.String, "b_rids": pl.List(pl.Int64),
                                    "e_rids": pl.List(pl.Int64), "stake": pl.Int64, "details": pl.String})
    return pl.concat(parts)


def _field_values(frame: pl.DataFrame, field: str) -> list[list]:
    """[billing value, ERP value] of a compare field, per row (amount is the total)."""
    col = {"amount": "amount", "tax": "tax"}.get(field, field)
    return [[bv, ev] for bv, ev in zip(frame[col].to_list(), frame[f"{col}_e"].to_list())]


def _pair_matches(c: pl.DataFrame, rules: DomainRules, domain: Domain) -> pl.DataFrame:
    """One match per pair; ``differences`` holds the differing fields the rules accepted."""
    fields = list(domain.compared)
    accepted = c.select(pl.col(f"d_{f}") & ~_broken(f, rules) for f in fields)
    texts = ["{}"] * c.height
    rows = pl.concat([c.select(pl.col(f).cast(pl.String) for f in fields),
                      c.select(pl.col(f"{f}_e").cast(pl.String) for f in fields), accepted], how="horizontal")
    for i in accepted.select(pl.any_horizontal(pl.all())).to_series().arg_true().to_list():
        row = rows.row(i)
        n = len(fields)
        texts[i] = json.dumps({f: [row[k], row[n + k]] for k, f in enumerate(fields) if row[2 * n + k]},
                              sort_keys=True)
    return c.select(
        pl.lit(domain.name).alias("domain"), "object_type", "period", "entity", "currency", "rule",
        pl.concat_list("key").alias("billing_ids"), pl.concat_list("key_e").alias("erp_ids"),
        pl.col("amount").alias("billing_amount"), pl.col("amount_e").alias("erp_amount"),
        pl.Series("differences", texts, pl.String),
    )


def _group_matches(frame: pl.DataFrame, groups: pl.DataFrame, domain: str) -> pl.DataFrame:
    if groups.height == 0:
        return pl.DataFrame(schema=_match_schema())
    sides = _sides(frame, groups)
    out = sides.with_columns(
        pl.when(pl.col("billing_amount") != pl.col("erp_amount"))
        .then(pl.format('{{"amount": [{}, {}]}}', "billing_amount", "erp_amount"))
        .otherwise(pl.lit("{}")).alias("differences"),
        pl.lit(domain).alias("domain"),
    )
    return out.select(MATCH_COLUMNS)


def _leftovers(frame: pl.DataFrame, pairing: Pairing, rules: DomainRules) -> pl.DataFrame:
    """Unpaired records: a duplicate of a paired record on its own side, else missing on the other side."""
    taken = pl.concat([
        pairing.pairs["b"], pairing.pairs["e"],
        *(pairing.groups[c].explode() for c in ("b_rids", "e_rids")),
        *(pairing.flagged[c].explode() for c in ("b_rids", "e_rids")),
    ]).drop_nulls()
    # rid is the row position: a boolean mask is cheaper than an anti-join over every record
    used = pl.repeat(False, frame.height, dtype=pl.Boolean, eager=True).scatter(taken, True)
    left = frame.filter(~used)
    keys = ["side", "object_type", *rules.duplicate_keys]
    twins = pl.DataFrame(schema={"rid": pl.Int64, "twin": pl.Int64, "twin_key": pl.String, "other": pl.Int64})
    if rules.duplicate_keys and left.height:
        maybe = frame.join(left.select(keys).unique(), on=keys, how="semi")  # few rows share a leftover's keys
        partner = pl.concat([pairing.pairs.select(pl.col("b").alias("rid"), pl.col("e").alias("other")),
                             pairing.pairs.select(pl.col("e").alias("rid"), pl.col("b").alias("other"))])
        paired = maybe.join(partner, on="rid", how="inner").select(
            *keys, pl.col("rid").alias("twin"), pl.col("key").alias("twin_key"), "other")
        twins = (left.select("rid", *keys).join(paired, on=keys, how="inner")
                 .sort("rid", "twin_key").group_by("rid", maintain_order=True).first()
                 .select("rid", "twin", "twin_key", "other"))
    left = left.join(twins, on="rid", how="left")
    is_b = pl.col("side") == "billing"
    dup = pl.col("twin").is_not_null()
    return left.select(
        pl.when(dup).then(pl.when(is_b).then(pl.lit("duplicate_in_billing")).otherwise(pl.lit("duplicate_in_erp")))
        .otherwise(pl.when(is_b).then(pl.lit("missing_in_erp")).otherwise(pl.lit("missing_in_billing")))
        .alias("kind"),
        pl.lit(None, pl.String).alias("rule"),
        pl.when(is_b).then(pl.concat_list("rid", "twin")).otherwise(pl.concat_list("other"))
        .list.drop_nulls().alias("b_rids"),
        pl.when(is_b).then(pl.concat_list("other")).otherwise(pl.concat_list("rid", "twin"))
        .list.drop_nulls().alias("e_rids"),
        pl.col("amount").alias("stake"),
        pl.when(dup).then(pl.col("twin_key").map_elements(lambda k: json.dumps({"duplicate_of": k}), return_dtype=pl.String)).otherwise(pl.lit("{}"))
        .alias("details"),
    )


def _sides(frame: pl.DataFrame, rows: pl.DataFrame) -> pl.DataFrame:
    """Per row of (b_rids, e_rids, ...): external ids, amounts and scope from the records."""
    rows = rows.with_row_index("row")
    attrs = frame.select("rid", "key", "amount", "object_type", "period", "entity", "currency")

    def side(col: str, prefix: str) -> pl.DataFrame:
        return (rows.select("row", pl.col(col).alias("rid")).explode("rid").drop_nulls()
                .join(attrs, on="rid").sort("row", "key")
                .group_by("row", maintain_order=True)
                .agg(pl.col("key").alias(f"{prefix}_ids"), pl.col("amount").sum().alias(f"{prefix}_amount"),
                     pl.col("object_type").first().alias(f"{prefix}_object_type"),
                     pl.col("period").first().alias(f"{prefix}_period"),
                     pl.col("entity").first().alias(f"{prefix}_entity"),
                     pl.col("currency").first().alias(f"{prefix}_currency")))

    out = rows.join(side("b_rids", "billing"), on="row", how="left").join(side("e_rids", "erp"), on="row", how="left")
    return out.with_columns(
        pl.col("billing_ids").fill_null(pl.lit([], pl.List(pl.String))),
        pl.col("erp_ids").fill_null(pl.lit([], pl.List(pl.String))),
        *(pl.coalesce(f"billing_{c}", f"erp_{c}").alias(c) for c in ("object_type", "period", "entity", "currency")),
    ).sort("row").drop("row")


def _finish_breaks(frame: pl.DataFrame, raw: pl.DataFrame, domain: str) -> pl.DataFrame:
    if raw.height == 0:
        return pl.DataFrame(schema=break_schema())
    out = _sides(frame, raw).with_columns(
        pl.coalesce("stake", "billing_amount", "erp_amount").alias("amount"),
        pl.lit(domain).alias("domain"),
    )
    ids = [break_id(domain, k, b, e) for k, b, e in
           zip(out["kind"].to_list(), out["billing_ids"].to_list(), out["erp_ids"].to_list())]
    out = out.with_columns(pl.Series("id", ids, pl.String))
    return out.select(BREAK_COLUMNS).sort("id", "details").unique("id", keep="first", maintain_order=True)


def _match_schema() -> dict[str, pl.DataType]:
    return {"domain": pl.String, "object_type": pl.String, "period": pl.String, "entity": pl.String,
            "currency": pl.String, "rule": pl.String, "billing_ids": pl.List(pl.String),
            "erp_ids": pl.List(pl.String), "billing_amount": pl.Int64, "erp_amount": pl.Int64,
            "differences": pl.String}


def break_schema() -> dict[str, pl.DataType]:
    return {"id": pl.String, "domain": pl.String, "object_type": pl.String, "kind": pl.String,
            "period": pl.String, "entity": pl.String, "currency": pl.String, "amount": pl.Int64,
            "billing_amount": pl.Int64, "erp_amount": pl.Int64, "billing_ids": pl.List(pl.String),
            "erp_ids": pl.List(pl.String), "rule": pl.String, "details": pl.String}
