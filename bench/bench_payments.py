"""Payment domain benchmarks (issue 11).

- ``payments_1m``: 1,000,000 charges against 1,000,000 ERP payments (each applied to its invoice), and 20,000
  payouts of 50 balance transactions each against 20,000 deposits of 50 lines; ~1% planted breaks.  Timed:
  ``Service.match(domain="payment")`` end to end (read via ADBC, match, persist), as a re-run, with a bare
  polars join of the same keys (charge ids against the ERP's billing refs) timed alongside.
- ``subset_sum_10k``: grouping without ids alone: 10,000 unmatched receipts against 50,000 unmatched charges
  (5 per customer), groups of up to 5, in memory.
"""

from __future__ import annotations

import os
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import polars as pl

from tieout.bench.harness import Benchmark

PERIOD = "2026-10"
ITEMS_PER_PAYOUT = 50


def _dates() -> list[str]:
    return [f"2026-10-{d:02d}" for d in range(1, 29)]


def _insert(conn: Any, table: str, columns: str, rows: list[tuple]) -> None:
    marks = ", ".join("?" * len(columns.split(",")))
    conn.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)


def _workspace(scratch: Path, n: int) -> Any:
    """Canonical rows written with executemany (setup, not timed)."""
    os.environ["TIEOUT_USER"] = "bench"
    from tieout import reconcile
    from tieout.storage.ingest import ensure_source
    from tieout.storage.workspace import init_workspace

    ws = init_workspace(scratch / "ws")
    conn = ws.raw()
    conn.execute("BEGIN")
    b_src = ensure_source(conn, "stripe", "stripe", "billing")
    e_src = ensure_source(conn, "netsuite", "netsuite", "erp")
    dates = _dates()
    charges, payments, apps, items, lines = [], [], [], [], []
    pay_cols = ("side, source_id, external_id, entity, currency, kind, counterpart_ref, customer_ref, "
                "customer_billing_ref, invoice_ref, status, posting_date, posting_period, amount, fee, net")
    for i in range(n):
        ch, cus, day = f"ch_{i:09d}", f"cus_{i % 50_000:06d}", dates[i % 28]
        amount = 1_000 + (i * 7919) % 500_000
        fee = amount * 29 // 1000 + 30
        charges.append(("billing", b_src, ch, "US", "USD", "charge", None, cus, cus, f"in_{i:09d}", "succeeded",
                        day, PERIOD, amount, fee, amount - fee))
        plant = i % 100
        if plant == 1:
            continue  # missing_in_erp
        erp_amount = amount + 17 if plant == 2 else amount
        pay = str(10_000_000 + i)
        payments.append(("erp", e_src, pay, "US", "USD", "payment", ch, cus, cus, str(20_000_000 + i), "CustPymt:C",
                         day, PERIOD, erp_amount, 0, erp_amount))
        applied = erp_amount - 100 if plant == 3 else erp_amount
        apps.append(("erp", e_src, f"{pay}:in_{i:09d}", "US", "USD", pay, f"in_{i:09d}", applied))
        po = f"po_{i // ITEMS_PER_PAYOUT:07d}"
        items.append(("billing", b_src, f"txn_{i:09d}", "US", "USD", po, "charge", ch, day, amount, fee,
                      amount - fee))
        lines.append(("erp", e_src, f"dep_{i // ITEMS_PER_PAYOUT:07d}:{i % ITEMS_PER_PAYOUT}", "US", "USD",
                      f"dep_{i // ITEMS_PER_PAYOUT:07d}", "payment", pay, erp_amount))
    _insert(conn, "payment", pay_cols, charges + payments)
    _insert(conn, "payment_application", "side, source_id, external_id, entity, currency, payment_ref, invoice_ref, "
                                         "amount", apps)
    _insert(conn, "payout_item", "side, source_id, external_id, entity, currency, payout_ref, type, source_ref, "
                                 "created_date, amount, fee, net", items)
    frame = pl.DataFrame(items, schema=["side", "src", "id", "ent", "cur", "po", "type", "ch", "day", "amount", "fee",
                                        "net"], orient="row")
    per_po = frame.group_by("po").agg(pl.col("net").sum(), pl.col("fee").sum(), pl.col("day").max()).sort("po")
    payouts, deposits = [], []
    for k, (po, net, fee, day) in enumerate(per_po.iter_rows()):
        arrival = str(date.fromisoformat(day) + timedelta(days=2))
        payouts.append(("billing", b_src, po, "US", "USD", "paid", arrival, arrival[:7], net, fee))
        dep = f"dep_{po[3:]}"
        fee_line = -fee - (7 if k % 100 == 5 else 0)  # fee_mismatch plants
        lines.append(("erp", e_src, f"{dep}:fee", "US", "USD", dep, "fee", None, fee_line))
        deposits.append(("erp", e_src, dep, po, "US", "USD", arrival, arrival[:7], net))
    _insert(conn, "payout", "side, source_id, external_id, entity, currency, status, arrival_date, posting_period, "
                            "amount, fee", payouts)
    _insert(conn, "bank_deposit", "side, source_id, external_id, counterpart_ref, entity, currency, posting_date, "
                                  "posting_period, amount", deposits)
    _insert(conn, "bank_deposit_line", "side, source_id, external_id, entity, currency, deposit_ref, kind, "
                                       "payment_ref, amount", lines)
    conn.execute("COMMIT")
    conn.close()
    return reconcile.Service(ws)


def setup_end_to_end(scratch: Path, params: dict[str, Any]) -> dict[str, Any]:
    svc = _workspace(scratch, params["payments"])
    svc.match(PERIOD, domain="payment")  # timed runs are re-runs, as at a real close
    from tieout.storage.db import read_frame

    keys = read_frame(svc.ws.db_path, "SELECT side, external_id, counterpart_ref FROM payment")
    return {"svc": svc, "b": keys.filter(pl.col("side") == "billing").select(pl.col("external_id").alias("k")),
            "e": keys.filter(pl.col("side") == "erp").select(pl.col("counterpart_ref").alias("k"))}


def run_end_to_end(state: dict[str, Any]) -> dict[str, float]:
    start = time.perf_counter()
    state["b"].join(state["e"], on="k", how="inner")
    bare = time.perf_counter() - start
    summary = state["svc"].match(PERIOD, domain="payment")
    return {"matched": summary.matched["payment"], "breaks": sum(v["count"] for v in summary.breaks_by_kind.values()),
            "bare_join_s": bare, **{f"{phase}_s": seconds for phase, seconds in summary.timings.items()}}


def setup_subset_sum(scratch: Path, params: dict[str, Any]) -> dict[str, Any]:
    """Receipts each equal to two or three of their customer's five charges (every 10th customer ambiguous)."""
    from tieout.reconcile.domains.payment import normalise

    rows = []
    for c in range(params["receipts"]):
        cus = f"cus_{c:06d}"
        amounts = [1_000 + (c * 37 + k * 7919) % 90_000 for k in range(5)]
        if c % 10 == 0:
            amounts[3], amounts[4] = amounts[0] + 1, amounts[1] - 1  # a + b = d + e: two groups qualify
        for k, amount in enumerate(amounts):
            rows.append(("billing", f"ch_{c:06d}_{k}", cus, amount))
        target = amounts[0] + amounts[1] + (amounts[2] if c % 3 == 1 else 0)
        rows.append(("erp", f"rc_{c:06d}", cus, target))
    frame = pl.DataFrame(rows, schema=["side", "key", "customer", "amount"], orient="row").with_columns(
        pl.lit("charge").alias("object_type"), pl.lit(None, pl.String).alias("ref"), pl.lit("USD").alias("currency"),
        pl.lit("US").alias("entity"), pl.lit("2026-10-05").alias("date"), pl.lit(PERIOD).alias("period"))
    return {"frame": normalise(frame), "max_group": params["max_group"]}


def run_subset_sum(state: dict[str, Any]) -> dict[str, float]:
    from tieout.reconcile.domains.payment_groups import GroupRules, group_records
    from tieout.reconcile.engine import Pairing

    frame = state["frame"]
    empty = Pairing(pairs=pl.DataFrame(schema={"b": pl.Int64, "e": pl.Int64, "rule": pl.String}),
                    groups=pl.DataFrame(schema={"b_rids": pl.List(pl.Int64), "e_rids": pl.List(pl.Int64),
                                                "rule": pl.String}),
                    flagged=pl.DataFrame(schema={"kind": pl.String, "rule": pl.String, "b_rids": pl.List(pl.Int64),
                                                 "e_rids": pl.List(pl.Int64)}))
    found = group_records(frame, empty, frame, GroupRules(max_group=state["max_group"], budget=200_000))
    return {"groups": found.groups.height, "ambiguous": found.flagged.height}


BENCHMARKS = [
    Benchmark(name="payments_1m", target="<= 10 s, <= 4 GB (1M payments, 20k payouts and deposits; read+match+persist)",
              setup=setup_end_to_end, run=run_end_to_end, params={"payments": 1_000_000}, repeat=2),
    Benchmark(name="subset_sum_10k", target="report (10,000 receipts vs 50,000 charges, groups <= 5)",
              setup=setup_subset_sum, run=run_subset_sum, params={"receipts": 10_000, "max_group": 5}, repeat=3),
]
