"""Sync throughput: both sandboxes (each in its own process, like a remote API) → SQLite.

Setup (not timed) generates a sample set with ~100,000 Stripe invoices (two
months of 50,000) and starts ``tieout sandbox stripe`` and ``tieout sandbox
netsuite`` on free loopback ports.  Each run syncs both sources into a fresh
workspace over HTTP and reports ``invoices_per_s`` (Stripe invoices ÷ wall
time) and ``records_per_s``:

- ``sync_invoices_100k``: ``--domain invoice``, i.e. the 100,000 invoices with
  all their lines on both sides (billing and ERP), their customers, catalogue
  and credit notes: what the invoice reconciliation needs;
- ``sync_sandboxes_100k_invoices``: everything in the set (payments, charges,
  balance transactions, payouts, subscriptions, revenue plan lines too: ~10
  records per invoice).

``load_sample_100k`` is the full set loaded without HTTP (the floor set by
mapping + ingest).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tieout.bench.bench_store import store_bytes
from tieout.bench.harness import Benchmark

STRIPE_KEY = "sk_test_bench"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _generate(scratch: Path, params: dict[str, Any]) -> Path:
    from tieout.sample_data.generate import generate

    data = scratch / "data"
    if not (data / "manifest.json").exists():
        generate(seed=5, invoices=params["invoices_per_month"], out=str(data))
    return data


def _sandbox(kind: str, data: Path, secret: str | None) -> tuple[subprocess.Popen, str, str]:
    port = _free_port()
    args = [sys.executable, "-c", "from tieout.app.cli import main; main()", "sandbox", kind, "--port", str(port),
            "--data", str(data)] + (["--secret", secret] if secret else [])
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    proc.stdout.readline()  # "... serving ... at URL"
    credential = proc.stdout.readline().split("credential: ", 1)[1].strip()
    return proc, f"http://127.0.0.1:{port}", credential


def setup_sync(scratch: Path, params: dict[str, Any]) -> dict[str, Any]:
    data = _generate(scratch, params)
    stripe, stripe_url, _ = _sandbox("stripe", data, STRIPE_KEY)
    netsuite, netsuite_url, ns_secret = _sandbox("netsuite", data, None)
    os.environ["TIEOUT_SECRET_STRIPE"] = STRIPE_KEY
    os.environ["TIEOUT_SECRET_NETSUITE"] = ns_secret
    import atexit

    atexit.register(stripe.terminate)
    atexit.register(netsuite.terminate)
    if params.get("indexes_during_load"):  # the comparison: secondary indexes kept through the first load
        from tieout.connectors import sync

        sync._drop_indexes_for_first_load = lambda ws: False  # type: ignore[attr-defined]
    return {"scratch": scratch, "data": data, "stripe": stripe_url, "netsuite": netsuite_url, "run": 0,
            "domains": params.get("domains")}


def run_sync(state: dict[str, Any]) -> dict[str, float]:
    from tieout.connectors.sources import add_source
    from tieout.connectors.sync import sync_sources
    from tieout.storage.workspace import init_workspace

    state["run"] += 1
    folder = state["scratch"] / f"ws{state['run']}"
    shutil.rmtree(folder, ignore_errors=True)
    ws = init_workspace(folder, user="bench")
    add_source(ws, "stripe", kind="stripe", side="billing", url=state["stripe"])
    add_source(ws, "netsuite", kind="netsuite", side="erp", url=state["netsuite"])
    start = time.perf_counter()
    results = sync_sources(ws, rate=100_000, domains=state["domains"])
    seconds = time.perf_counter() - start
    failed = [r for r in results if not r.ok]
    if failed:
        raise RuntimeError(f"sync failed: {[(r.source, r.error) for r in failed]}")
    invoices = next(r for r in results if r.source == "stripe").counts["invoice"]["new"]
    erp_invoices = next(r for r in results if r.source == "netsuite").counts["invoice"]["new"]
    records = sum(r.records for r in results)
    ws.close()  # the last connection checkpoints the WAL into the file
    size = store_bytes(ws.db_path)
    shutil.rmtree(folder, ignore_errors=True)
    import resource  # POSIX; the sync workers are waited-for children, the harness's peak RSS is this process only

    worker_peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"invoices": invoices, "erp_invoices": erp_invoices, "records": records,
            "invoices_per_s": invoices / seconds, "records_per_s": records / seconds, "worker_peak_mb": worker_peak_mb,
            "db_mb": size / 1e6, "bytes_per_invoice": size / invoices}


def setup_load(scratch: Path, params: dict[str, Any]) -> dict[str, Any]:
    return {"scratch": scratch, "data": _generate(scratch, params), "run": 0}


def run_load(state: dict[str, Any]) -> dict[str, float]:
    from tieout.connectors.sample_load import load_sample
    from tieout.storage.workspace import init_workspace

    state["run"] += 1
    folder = state["scratch"] / f"load{state['run']}"
    ws = init_workspace(folder, user="bench")
    start = time.perf_counter()
    counts = load_sample(ws, state["data"])
    seconds = time.perf_counter() - start
    invoices = counts["stripe"]["invoice"]["new"]
    records = sum(c["new"] for side in counts.values() for c in side.values())
    ws.close()
    shutil.rmtree(folder, ignore_errors=True)
    return {"invoices": invoices, "invoices_per_s": invoices / seconds, "records_per_s": records / seconds}


BENCHMARKS = [
    Benchmark("sync_invoices_100k", ">= 5,000 invoices/s end to end", setup_sync, run_sync,
              {"invoices_per_month": 50_000, "domains": ["invoice"]}, repeat=3),
    Benchmark("sync_sandboxes_100k_invoices", ">= 5,000 invoices/s all domains", setup_sync, run_sync,
              {"invoices_per_month": 50_000}, repeat=1),
    Benchmark("sync_sandboxes_100k_indexes_during", "comparison: secondary indexes kept during the first load",
              setup_sync, run_sync, {"invoices_per_month": 50_000, "indexes_during_load": True}, repeat=1),
    Benchmark("load_sample_100k_invoices", "none: the single-process floor", setup_load, run_load,
              {"invoices_per_month": 50_000}, repeat=1),
]
