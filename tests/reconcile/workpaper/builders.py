"""Workpaper inputs built as plain data, shaped exactly like the service's results.

A plain module (not a conftest) so that test modules import these builders by name."""

from __future__ import annotations

import polars as pl

from tieout.reconcile.workpaper.data import SignOff, WorkpaperData
from tieout.storage.readers import POPULATION_SCHEMA

IDS = pl.List(pl.String)
BREAK_SCHEMA = {
    "id": pl.String, "domain": pl.String, "object_type": pl.String, "kind": pl.String, "status": pl.String,
    "period": pl.String, "entity": pl.String, "currency": pl.String, "amount": pl.Int64,
    "billing_amount": pl.Int64, "erp_amount": pl.Int64, "billing_ids": IDS, "erp_ids": IDS, "rule": pl.String,
    "assignee": pl.String, "reason": pl.String, "note": pl.String, "opened_at": pl.String,
    "updated_at": pl.String, "resolved_at": pl.String,
}
MATCH_SCHEMA = {
    "id": pl.Int64, "match_run_id": pl.Int64, "domain": pl.String, "object_type": pl.String, "period": pl.String,
    "entity": pl.String, "currency": pl.String, "rule": pl.String, "billing_ids": IDS, "erp_ids": IDS,
    "billing_amount": pl.Int64, "erp_amount": pl.Int64, "differences": pl.String, "manual": pl.Boolean,
    "created_by": pl.String, "reason": pl.String, "created_at": pl.String,
}
SUMMARY_SCHEMA = {
    "domain": pl.String, "currency": pl.String, "billing_count": pl.Int64, "billing_total": pl.Int64,
    "erp_count": pl.Int64, "erp_total": pl.Int64, "matched_count": pl.Int64, "open_breaks": pl.Int64,
    "open_amount": pl.Int64, "breaks": pl.Int64,
}
T = "2026-11-02T09:30:00.123456+00:00"
HYPERLINK = '=HYPERLINK("http://x","y")'


def brk(id: str, kind: str, currency: str, billing: int | None, erp: int | None, *, status: str = "open",
        amount: int | None = None, b_ids: list[str] | None = None, e_ids: list[str] | None = None,
        note: str | None = None, domain: str = "invoice") -> dict:
    stake = amount if amount is not None else abs((billing or 0) - (erp or 0)) if billing and erp else (billing or erp)
    return {"id": id, "domain": domain, "object_type": "invoice", "kind": kind, "status": status,
            "period": "2026-10", "entity": "US", "currency": currency, "amount": stake, "billing_amount": billing,
            "erp_amount": erp, "billing_ids": b_ids if b_ids is not None else ([f"in_{id}"] if billing is not None else []),
            "erp_ids": e_ids if e_ids is not None else ([f"ns_{id}"] if erp is not None else []),
            "rule": "exact", "assignee": "ann", "reason": None, "note": note, "opened_at": T, "updated_at": T,
            "resolved_at": None}


def match(id: int, currency: str, billing: int, erp: int, *, b_id: str | None = None, e_id: str | None = None,
          manual: bool = False, domain: str = "invoice") -> dict:
    return {"id": id, "match_run_id": 1, "domain": domain, "object_type": "invoice", "period": "2026-10",
            "entity": "US", "currency": currency, "rule": "manual" if manual else "exact",
            "billing_ids": [b_id or f"in_m{id}"], "erp_ids": [e_id or f"ns_m{id}"], "billing_amount": billing,
            "erp_amount": erp, "differences": "{}", "manual": manual, "created_by": "tester", "reason": None,
            "created_at": T}


def make_data(breaks: list[dict], matches: list[dict], *, billed: pl.DataFrame | None = None,
              schedule: pl.DataFrame | None = None) -> WorkpaperData:
    """Data whose records are those the matches and breaks name, so the source totals tie."""
    b = pl.DataFrame(breaks, schema=BREAK_SCHEMA)
    m = pl.DataFrame(matches, schema=MATCH_SCHEMA)
    records: dict[tuple[str, str], tuple[str, str, int]] = {}  # (side, id) -> (domain, currency, total)
    for row in matches:
        records[("billing", row["billing_ids"][0])] = (row["domain"], row["currency"], row["billing_amount"])
        records[("erp", row["erp_ids"][0])] = (row["domain"], row["currency"], row["erp_amount"])
    for row in (r for r in breaks if r["status"] != "auto_resolved"):
        if row["kind"] in ("missing_in_erp", "duplicate_in_billing"):
            records[("billing", row["billing_ids"][-1])] = (row["domain"], row["currency"], row["amount"])
        elif row["kind"] in ("missing_in_billing", "duplicate_in_erp"):
            records[("erp", row["erp_ids"][-1])] = (row["domain"], row["currency"], row["amount"])
    population = pl.DataFrame(
        [{"domain": d, "side": side, "external_id": i, "currency": c, "total": t}
         for (side, i), (d, c, t) in records.items()],
        schema={"domain": pl.String, **POPULATION_SCHEMA})
    summary = (population.group_by("domain", "currency").agg(
        (pl.col("side") == "billing").sum().cast(pl.Int64).alias("billing_count"),
        pl.col("total").filter(pl.col("side") == "billing").sum().alias("billing_total"),
        (pl.col("side") == "erp").sum().cast(pl.Int64).alias("erp_count"),
        pl.col("total").filter(pl.col("side") == "erp").sum().alias("erp_total"))
        .with_columns(pl.lit(0, pl.Int64).alias(c) for c in ("matched_count", "open_breaks", "open_amount", "breaks"))
        .select(list(SUMMARY_SCHEMA)).sort("domain", "currency"))
    return WorkpaperData(
        workspace="acme", period="2026-10", entity="US", tieout_version="0.1.0",
        sign_off=SignOff("open", "pat", T, None, None),
        run={"id": 7, "finished_at": T, "user": "tester", "ruleset_hash": "r" * 64, "input_fingerprint": "f" * 64},
        audit_head="a" * 64,
        sources=pl.DataFrame({"name": ["stripe", "netsuite"], "kind": ["stripe", "netsuite"],
                              "side": ["billing", "erp"], "entity": [None, "US"], "last_sync_at": [T, T],
                              "last_sync_status": ["ok", "ok"], "last_sync_error": [None, None]}),
        summary=summary, breaks=b, matches=m,
        population={d: population.filter(pl.col("domain") == d).drop("domain")
                    for d in population["domain"].unique().to_list()},
        corrections=pl.DataFrame({
            "type": ["adjust_amount"], "id": [1], "break_id": ["b1"], "break_status": ["resolved"],
            "status": ["pushed"], "entity": ["US"], "currency": ["USD"], "amount": [-1250], "maker": ["ann"],
            "proposed_at": [T], "checker": ["bob"], "approved_at": [T], "checker2": [None], "plan_hash": ["p" * 64],
            "request": ['{"method": "PUT"}'], "response": ['{"status": 200}'], "target_id": ["ns_b1"],
            "pushed_at": [T], "reason": [None]}),
        audit_events=pl.DataFrame({"id": [1, 2], "at": [T, T], "user": ["tester", HYPERLINK],
                                   "action": ["match.run", "break.note"], "object_type": ["match_run", "break"],
                                   "object_id": ["7", "b1"], "details": ["{}", "{}"], "hash": ["h1", "h2"]}),
        billed=billed if billed is not None else pl.DataFrame(
            schema={"side": pl.String, "entity": pl.String, "currency": pl.String, "period": pl.String,
                    "billed": pl.Int64}),
        schedule=schedule if schedule is not None else pl.DataFrame(
            schema={"side": pl.String, "entity": pl.String, "currency": pl.String, "period": pl.String,
                    "amount": pl.Int64, "billed_period": pl.String}),
    )
