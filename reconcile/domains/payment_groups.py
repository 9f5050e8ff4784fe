"""Grouping without ids: one ERP receipt for several charges of a customer, or one charge booked as several.

Runs after the one-to-one passes over the charges and receipts they left,
per customer and currency, with the exact-cent search of
:mod:`tieout.reconcile.subset_sum`.  ``[payment.grouping]`` sets
``max_group`` (2..10), ``budget`` (search steps per record) and
``date_days`` (every member within that many days of the single record).
One qualifying group is a match (rule ``subset_sum``, accepted difference
0); two or more are one ``ambiguous`` break naming every candidate, and
nothing is matched.  Records are taken in external-id order, so the result
does not depend on row order.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl

from tieout.reconcile.engine import Pairing
from tieout.reconcile.subset_sum import find_groups
from tieout.storage.vocabulary import MATCH_COLUMNS

RULE = "subset_sum"


@dataclass(frozen=True)
class GroupRules:
    max_group: int = 5
    budget: int = 200_000
    date_days: int | None = 7

    @classmethod
    def parse(cls, options: dict[str, Any]) -> GroupRules | None:
        """The ``[payment.grouping]`` table, or None when the ruleset has none (no grouping)."""
        if "grouping" not in options:
            return None
        body = options["grouping"]
        return cls(max_group=int(body.get("max_group", 5)), budget=int(body.get("budget", 200_000)),
                   date_days=body.get("date_days", 7))


def group_records(frame: pl.DataFrame, pairing: Pairing, free: pl.DataFrame, rules: GroupRules) -> Pairing:
    """``pairing`` plus the groups found among ``free`` charges (rows of ``frame``), and ambiguous sets flagged."""
    charges = free.filter(pl.col("object_type") == "charge").select("rid", "side", "key", "customer", "currency",
                                                                   "amount", "date").sort("key")
    groups: list[tuple[list[int], list[int]]] = []
    flagged: list[tuple[list[int], list[int]]] = []
    for _, bucket in charges.group_by("customer", "currency", maintain_order=True):
        if bucket.height < 3 or bucket["customer"][0] is None:
            continue
        billing = bucket.filter(pl.col("side") == "billing").rows(named=True)
        erp = bucket.filter(pl.col("side") == "erp").rows(named=True)
        used: set[int] = set()
        for singles, many, single_is_billing in ((erp, billing, False), (billing, erp, True)):
            for one in singles:
                if one["rid"] in used:
                    continue
                near = [m for m in many if m["rid"] not in used and _near(one["date"], m["date"], rules.date_days)]
                search = find_groups(one["amount"], [m["amount"] for m in near], max_group=rules.max_group,
                                     budget=rules.budget)
                if not search.groups:
                    continue
                members = sorted({near[i]["rid"] for g in search.groups for i in g})
                sides = ([one["rid"]], members) if single_is_billing else (members, [one["rid"]])
                (groups if len(search.groups) == 1 else flagged).append(sides)
                used.update([one["rid"], *members])
    return Pairing(
        pairs=pairing.pairs,
        groups=pl.concat([pairing.groups, _frame(groups, {"rule": RULE})]),
        flagged=pl.concat([pairing.flagged, _frame(flagged, {"kind": "ambiguous", "rule": RULE})
                           .select(pairing.flagged.columns)]),
    )


def _near(a: date | None, b: date | None, days: int | None) -> bool:
    return days is None or (a is not None and b is not None and abs((a - b).days) <= days)


def _frame(sets: list[tuple[list[int], list[int]]], constants: dict[str, str]) -> pl.DataFrame:
    return pl.DataFrame({"b_rids": [b for b, _ in sets], "e_rids": [e for _, e in sets],
                         **{k: [v] * len(sets) for k, v in constants.items()}},
                        schema={"b_rids": pl.List(pl.Int64), "e_rids": pl.List(pl.Int64),
                                **{k: pl.String for k in constants}})


def group_matches(frame: pl.DataFrame, groups: pl.DataFrame, domain: str) -> pl.DataFrame:
    """One match per group: both sides' ids and totals, the rule, and the difference it accepted (none)."""
    rows = []
    for b_rids, e_rids, rule in groups.select("b_rids", "e_rids", "rule").iter_rows():
        b = frame.filter(pl.col("rid").is_in(b_rids))
        e = frame.filter(pl.col("rid").is_in(e_rids))
        first = b.row(0, named=True)
        rows.append({"domain": domain, "object_type": first["object_type"], "period": first["period"],
                     "entity": first["entity"], "currency": first["currency"], "rule": rule,
                     "billing_ids": sorted(b["key"].to_list()), "erp_ids": sorted(e["key"].to_list()),
                     "billing_amount": int(b["amount"].sum()), "erp_amount": int(e["amount"].sum()),
                     "differences": json.dumps({"accepted_difference": int(b["amount"].sum() - e["amount"].sum()),
                                                "group_size": max(b.height, e.height)})})
    schema = {"domain": pl.String, "object_type": pl.String, "period": pl.String, "entity": pl.String,
              "currency": pl.String, "rule": pl.String, "billing_ids": pl.List(pl.String),
              "erp_ids": pl.List(pl.String), "billing_amount": pl.Int64, "erp_amount": pl.Int64,
              "differences": pl.String}
    return pl.DataFrame(rows, schema=schema).select(MATCH_COLUMNS)
