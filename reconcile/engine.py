"""The matching engine: ordered passes over what is still unmatched, in polars.

Input is the normalised frame of :mod:`reconcile.inputs` (both sides, one row
per record, integer row id ``rid``); output is plain frames of matches and
classified breaks (see :mod:`reconcile.breaks` for the classification after
pairing).  No I/O here: the same function runs on a workspace, in tests and
in the benchmark.

Pairing never depends on row order: every choice (best duplicate candidate,
twin of a duplicate) breaks ties on external ids, so shuffled inputs give the
same result.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from tieout.reconcile.rules import DomainRules, Pass, Tolerance

@dataclass
class Pairing:
    """What the passes decided, as row ids.

    pairs:   one-to-one pairs (b, e, rule)
    groups:  grouped matches (b_rids, e_rids, rule) from one_to_many / many_to_one passes
    flagged: records that several candidates claimed (kind, rule, b_rids, e_rids)
    """

    pairs: pl.DataFrame
    groups: pl.DataFrame
    flagged: pl.DataFrame


_PAIRS_SCHEMA = pl.Schema({"b": pl.Int64, "e": pl.Int64, "rule": pl.String})
_GROUPS_SCHEMA = pl.Schema({"b_rids": pl.List(pl.Int64), "e_rids": pl.List(pl.Int64), "rule": pl.String()})
_FLAGGED_SCHEMA = pl.Schema({"kind": pl.String(), "rule": pl.String(), "b_rids": pl.List(pl.Int64),
                             "e_rids": pl.List(pl.Int64)})


def pair_records(frame: pl.DataFrame, rules: DomainRules) -> Pairing:
    """Run every pass of ``rules`` in order; each sees only records no earlier pass took."""
    is_billing = frame["side"] == "billing"
    free = pl.repeat(True, frame.height, dtype=pl.Boolean, eager=True)  # by row position (= rid)
    pairs: list[pl.DataFrame] = []
    groups: list[pl.DataFrame] = []
    flagged: list[pl.DataFrame] = []
    for rule in rules.passes:
        b = frame.filter(free & is_billing)
        e = frame.filter(free & ~is_billing)
        if b.height == 0 or e.height == 0:
            break
        if rule.cardinality == "one_to_one":
            p, f = _one_to_one(b, e, rule, frame)
        else:
            p, f = _grouped(b, e, rule)
        (pairs if rule.cardinality == "one_to_one" else groups).append(p)
        flagged.append(f)
        taken = pl.concat([_rids(p, side) for side in ("b", "e")] + [_rids(f, side) for side in ("b", "e")])
        free = free.scatter(taken, False)
    return Pairing(
        pairs=pl.concat(pairs) if pairs else pl.DataFrame(schema=_PAIRS_SCHEMA),
        groups=pl.concat(groups) if groups else pl.DataFrame(schema=_GROUPS_SCHEMA),
        flagged=pl.concat(flagged) if flagged else pl.DataFrame(schema=_FLAGGED_SCHEMA),
    )


def _rids(frame: pl.DataFrame, side: str) -> pl.Series:
    """The row ids of one side used by a pairs/groups/flagged frame."""
    if side in frame.columns:
        return frame[side]
    return frame[f"{side}_rids"].explode().drop_nulls()


def within(diff: pl.Expr, base: pl.Expr, tol: Tolerance) -> pl.Expr:
    """|diff| within ``amount_abs`` minor units or ``amount_bp`` basis points of |base| (integer maths)."""
    return (diff.abs() <= tol.amount_abs) | (diff.abs() * 10_000 <= base.abs() * tol.amount_bp)


def _key_columns(rule: Pass) -> list[str]:
    return ["object_type", *rule.keys]


def _one_to_one(b: pl.DataFrame, e: pl.DataFrame, rule: Pass, frame: pl.DataFrame) -> tuple[pl.DataFrame,
                                                                                       pl.DataFrame]:
    # Join only row ids and keys, one object type at a time (single-column joins are the fast
    # path); the few other values needed are gathered by row id (rid = row position in frame).
    on = list(rule.keys)
    parts = [
        b.filter(pl.col("object_type") == ot).select("rid", *on).join(
            e.filter(pl.col("object_type") == ot).select(pl.col("rid").alias("rid_e"), *on), on=on, how="inner")
        .select("rid", "rid_e")
        for ot in b["object_type"].unique().sort()
    ]
    cand = pl.concat(parts) if parts else pl.DataFrame(schema={"rid": pl.Int64, "rid_e": pl.Int64})
    if rule.tolerance is not None or rule.date_days is not None:
        cand = _gathered(cand, frame, ["amount", "date"])
    if rule.tolerance is not None:
        cand = cand.filter(within(pl.col("amount") - pl.col("amount_e"), pl.col("amount"), rule.tolerance))
    if rule.date_days is not None:
        cand = cand.filter((pl.col("date") - pl.col("date_e")).dt.total_days().abs() <= rule.date_days)
    several = pl.col("rid").is_duplicated() | pl.col("rid_e").is_duplicated()
    pairs = [cand.filter(~several).select(pl.col("rid").alias("b"), pl.col("rid_e").alias("e"))]
    multi = _gathered(cand.filter(several).select("rid", "rid_e"), frame, ["key", "amount", "period"]).select(
        "rid", "rid_e", "key", "key_e",
        (pl.col("amount") - pl.col("amount_e")).abs().alias("diff"),
        (pl.col("period") != pl.col("period_e")).fill_null(True).alias("other_period"),
        pl.len().over("rid").alias("nb"),
        pl.len().over("rid_e").alias("ne"),
    )
    flagged = []
    if rule.on_multiple == "duplicate" and multi.height:
        one_b = (pl.col("nb") > 1) & (pl.col("ne").max().over("rid") == 1)  # one billing, several ERP
        one_e = (pl.col("ne") > 1) & (pl.col("nb").max().over("rid_e") == 1)  # several billing, one ERP
        dup_e, dup_b = multi.filter(one_b), multi.filter(one_e)
        multi = multi.filter(~one_b & ~one_e)
        # the record with the smallest difference keeps the pair; external ids break ties
        best_e = dup_e.sort("rid", "diff", "other_period", "key_e").group_by("rid", maintain_order=True).first()
        pairs.append(best_e.select(pl.col("rid").alias("b"), pl.col("rid_e").alias("e")))
        flagged.append(dup_e.group_by("rid").agg(pl.col("rid_e").sort().alias("e_rids"))
                       .select(pl.lit("duplicate_in_erp").alias("kind"), pl.concat_list("rid").alias("b_rids"),
                               "e_rids"))
        best_b = dup_b.sort("rid_e", "diff", "other_period", "key").group_by("rid_e", maintain_order=True).first()
        pairs.append(best_b.select(pl.col("rid").alias("b"), pl.col("rid_e").alias("e")))
        flagged.append(dup_b.group_by("rid_e").agg(pl.col("rid").sort().alias("b_rids"))
                       .select(pl.lit("duplicate_in_billing").alias("kind"), "b_rids",
                               pl.concat_list("rid_e").alias("e_rids")))
    if multi.height:
        by_b = multi.filter(pl.col("nb") > 1)
        by_e = multi.filter(pl.col("nb") == 1)
        flagged.append(by_b.group_by("rid").agg(pl.col("rid_e").sort().alias("e_rids"))
                       .select(pl.lit("ambiguous").alias("kind"), pl.concat_list("rid").alias("b_rids"), "e_rids"))
        flagged.append(by_e.group_by("rid_e").agg(pl.col("rid").sort().alias("b_rids"))
                       .select(pl.lit("ambiguous").alias("kind"), "b_rids", pl.concat_list("rid_e").alias("e_rids")))
    return (
        pl.concat(pairs).with_columns(pl.lit(rule.name).alias("rule")),
        _flagged(flagged, rule.name),
    )


def _gathered(cand: pl.DataFrame, frame: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """Add ``columns`` of both records of each candidate pair (``name`` and ``name_e``) by row id."""
    return cand.with_columns(
        *(frame[c].gather(cand["rid"]).alias(c) for c in columns),
        *(frame[c].gather(cand["rid_e"]).alias(f"{c}_e") for c in columns),
    )


def _grouped(b: pl.DataFrame, e: pl.DataFrame, rule: Pass) -> tuple[pl.DataFrame, pl.DataFrame]:
    """one_to_many (one billing = sum of several ERP) or many_to_one (several billing = one ERP).

    The group is every still-unmatched record on the "many" side sharing the
    keys (2..max_group of them); its total must tie to the single record
    within the tolerance, and all its dates fall within the window.
    """
    on = _key_columns(rule)
    one, many = (b, e) if rule.cardinality == "one_to_many" else (e, b)
    groups = (
        many.group_by(on)
        .agg(pl.col("rid").sort().alias("many_rids"), pl.col("amount").sum().alias("many_amount"),
             pl.col("date").min().alias("dmin"), pl.col("date").max().alias("dmax"), pl.len().alias("n"))
        .filter(pl.col("n").is_between(2, rule.max_group))
    )
    cand = one.select("rid", *on, "amount", "date").join(groups, on=on, how="inner")
    tol = rule.tolerance or Tolerance()
    cand = cand.filter(within(pl.col("amount") - pl.col("many_amount"), pl.col("amount"), tol))
    if rule.date_days is not None:
        cand = cand.filter(((pl.col("date") - pl.col("dmin")).dt.total_days().abs() <= rule.date_days)
                           & ((pl.col("dmax") - pl.col("date")).dt.total_days().abs() <= rule.date_days))
    cand = cand.with_columns(pl.len().over(on).alias("n_one"))
    one_col, many_col = ("b_rids", "e_rids") if rule.cardinality == "one_to_many" else ("e_rids", "b_rids")
    matched = cand.filter(pl.col("n_one") == 1).select(
        pl.concat_list("rid").alias(one_col), pl.col("many_rids").alias(many_col))
    ambiguous = cand.filter(pl.col("n_one") > 1).group_by(on).agg(
        pl.col("rid").sort().alias(one_col), pl.col("many_rids").first().alias(many_col))
    return (
        matched.select("b_rids", "e_rids", pl.lit(rule.name).alias("rule")),
        _flagged([ambiguous.select(pl.lit("ambiguous").alias("kind"), "b_rids", "e_rids")], rule.name),
    )


def _flagged(parts: list[pl.DataFrame], rule: str) -> pl.DataFrame:
    parts = [p for p in parts if p.height]
    if not parts:
        return pl.DataFrame(schema=_FLAGGED_SCHEMA)
    return pl.concat(parts).select("kind", pl.lit(rule).alias("rule"), "b_rids", "e_rids")
