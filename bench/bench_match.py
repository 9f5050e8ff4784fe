"""Matching engine benchmarks (issue #4: 1M vs 1M invoices end to end <= 10 s, <= 4 GB; engine <= 10x a bare join).

- ``match_1m``: a workspace with 1,000,000 billing and 1,000,000 ERP invoices of one
  period (canonical rows written with executemany, ~1% planted breaks of each
  kind); timed: ``Service.match`` end to end (read from SQLite via ADBC,
  match, persist matches and breaks in one transaction), as a re-run;
  ``match_1m_first`` times the first run of the period (every match written).
- ``match_engine_1m``: the matching step alone (passes + classification) on
  the same rows already in memory, with a bare polars join of the two key
  columns timed alongside (``bare_join_s``, ``ratio``).
- ``match_generated``: ``sample_data.generate`` + ``connectors.sample_load``
  of the invoice domain only (cached under the user cache folder), then ``match`` of
  the plant period.  ``TIEOUT_BENCH_INVOICES`` sets invoices per month.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import polars as pl

from tieout.bench.harness import Benchmark

PERIOD = "2026-10"
PLANTS = ("missing_in_erp", "missing_in_billing", "amount_mismatch", "tax_mismatch", "status_mismatch",
          "customer_mismatch", "period_mismatch", "duplicate_in_erp")


def _synthetic_rows(n: int) -> tuple[list[tuple], list[tuple]]:
    """(billing rows, ERP rows) for the invoice table; every 100th invoice carries a planted break."""
    billing, erp = [], []
    cols_date = [f"2026-10-{d:02d}" for d in range(1, 29)]
    for i in range(n):
        sid = f"in_{i:09d}"
        cus = f"cus_{i % 50_000:06d}"
        date = cols_date[i % 28]
        sub, tax = 1_000 + (i * 7919) % 500_000, (i * 31) % 2_000
        total = sub + tax
        ccy, ent = ("EUR", "EU") if i % 3 == 0 else ("USD", "US")
        billing.append((sid, ent, ccy, f"INV-{i:09d}", None, cus, cus, "open", date, PERIOD, sub, tax, total))
        plant = PLANTS[(i // 100) % len(PLANTS)] if i % 100 == 0 else None
        if plant == "missing_in_erp":
            continue
        e = [str(10_000_000 + i), ent, ccy, f"NS{i:09d}", sid, cus, cus, "open", date, PERIOD, sub, tax, total]
        if plant == "missing_in_billing":
            e[4] = f"in_x{i:09d}"
            e[5] = e[6] = "cus_manual"
        elif plant == "amount_mismatch":
            e[10] += 17
            e[12] += 17
        elif plant == "tax_mismatch":
            e[11] += 3
            e[12] += 3
        elif plant == "status_mismatch":
            e[7] = "void"
        elif plant == "customer_mismatch":
            e[6] = "cus_other"
        elif plant == "period_mismatch":
            e[8], e[9] = "2026-11-01", "2026-11"
        erp.append(tuple(e))
        if plant == "duplicate_in_erp":
            erp.append((str(20_000_000 + i), *e[1:]))
    return billing, erp


def _insert(conn: Any, side: str, source_id: int, rows: list[tuple]) -> None:
    conn.executemany(
        "INSERT INTO invoice (side, source_id, external_id, entity, currency, number, counterpart_ref, customer_ref, "
        "customer_billing_ref, status, posting_date, posting_period, subtotal, tax, total, amount_paid, amount_due) "
        f"VALUES ('{side}', {source_id}, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0)", rows)


def _synthetic_workspace(scratch: Path, n: int) -> Any:
    os.environ["TIEOUT_USER"] = "bench"
    from tieout import reconcile
    from tieout.storage.ingest import ensure_source
    from tieout.storage.workspace import init_workspace

    ws = init_workspace(scratch / "ws")
    billing, erp = _synthetic_rows(n)
    conn = ws.raw()
    conn.execute("BEGIN")
    _insert(conn, "billing", ensure_source(conn, "stripe", "stripe", "billing"), billing)
    _insert(conn, "erp", ensure_source(conn, "netsuite", "netsuite", "erp"), erp)
    conn.execute("COMMIT")
    conn.close()
    return reconcile.Service(ws)


def setup_end_to_end(scratch: Path, params: dict[str, Any]) -> Any:
    svc = _synthetic_workspace(scratch, params["invoices"])
    if params.get("rerun", True):
        svc.match(PERIOD)  # timed runs are re-runs: break history carried forward, as at a real close
    return svc


def run_end_to_end(svc: Any) -> dict[str, float]:
    summary = svc.match(PERIOD)
    return {"matched": summary.matched["invoice"],
            "breaks": sum(v["count"] for v in summary.breaks_by_kind.values()),
            **{f"{phase}_s": seconds for phase, seconds in summary.timings.items()}}


def setup_engine(scratch: Path, params: dict[str, Any]) -> dict[str, Any]:
    from tieout.reconcile.domains.invoice import INVOICE

    svc = _synthetic_workspace(scratch, params["invoices"])
    frame = INVOICE.load(svc.ws.db_path, PERIOD, None)
    return {"frame": frame, "rules": svc.ruleset().domain("invoice"),
            "b_keys": frame.filter(pl.col("side") == "billing").select(pl.col("key").alias("k")),
            "e_keys": frame.filter(pl.col("side") == "erp").select(pl.col("ref").alias("k"))}


def run_engine(state: dict[str, Any]) -> dict[str, float]:
    from tieout.reconcile.domains.invoice import INVOICE

    start = time.perf_counter()
    state["b_keys"].join(state["e_keys"], on="k", how="inner")
    bare = time.perf_counter() - start
    start = time.perf_counter()
    frame, rules = state["frame"], state["rules"]
    INVOICE.reconcile(frame, rules)
    engine = time.perf_counter() - start
    return {"bare_join_s": bare, "engine_s": engine, "ratio": engine / bare}


INVOICE_DOMAIN = {"customer", "invoice", "credit_note", "credit_memo"}


def setup_generated(scratch: Path, params: dict[str, Any]) -> Any:
    """Generate and load once into a cache folder (slow at 1M); each run copies nothing, it re-matches."""
    os.environ["TIEOUT_USER"] = "bench"
    import platformdirs

    from tieout import reconcile
    from tieout.connectors.sample_load import load_sample
    from tieout.sample_data.generate import generate
    from tieout.storage.workspace import init_workspace

    n = int(os.environ.get("TIEOUT_BENCH_INVOICES", params["invoices"]))
    cache = Path(platformdirs.user_cache_dir("tieout")) / "bench" / f"match-invoices-{n}"
    data, folder = cache / "sample", cache / "ws"
    if not (cache / "loaded").exists():
        if not (data / "answer_key.json").exists():
            generate(seed=1, invoices=n, out=str(data))
        if folder.exists():
            import shutil

            shutil.rmtree(folder)
        ws = init_workspace(folder)
        load_sample(ws, data, only=INVOICE_DOMAIN)  # payments, payouts, schedules: not matched yet
        ws.close()
        (cache / "loaded").write_text("ok", encoding="utf-8")
    return reconcile.open_workspace(folder)


BENCHMARKS = [
    Benchmark(name="match_1m", target="<= 10 s, <= 4 GB (1M vs 1M invoices, read+match+persist)",
              setup=setup_end_to_end, run=run_end_to_end, params={"invoices": 1_000_000}, repeat=3),
    Benchmark(name="match_1m_first", target="<= 10 s, <= 4 GB (first run of the period: all matches written)",
              setup=setup_end_to_end, run=run_end_to_end, params={"invoices": 1_000_000, "rerun": False}, repeat=1),
    Benchmark(name="match_engine_1m", target="matching step <= 10x a bare polars join of the keys",
              setup=setup_engine, run=run_engine, params={"invoices": 1_000_000}, repeat=3),
    Benchmark(name="match_generated", target="<= 10 s (generator month, load_sample; TIEOUT_BENCH_INVOICES)",
              setup=setup_generated, run=run_end_to_end, params={"invoices": 1_000_000}, repeat=3),
]
