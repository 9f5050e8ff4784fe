"""Cyclic GC during a bulk load: which one mechanism to keep (issue 17 item 5).

A load allocates millions of short-lived objects without cycles; with the default thresholds the
collector rescans the whole heap over and over.  Two mechanisms used to fight that at two depths:
:func:`connectors.bulk_gc.spaced_gc` (thresholds raised for the whole sync) and a switch in
``storage.ingest.ingest_page`` (collector off for each page).  Each benchmark loads the same
4,000-invoice set (``load_sample``: mapping in a thread + ingest, all domains) under one of:

- ``spaced``: spaced thresholds for the whole load (what the product does now);
- ``per_page``: the collector off inside each page's ingest, default thresholds otherwise;
- ``both``: the two together (what the product did before);
- ``default``: neither.

The variants other than ``spaced`` are set up here by swapping ``sample_load``'s names for the run
(each benchmark runs in its own process).
"""

from __future__ import annotations

import contextlib
import gc
import shutil
import time
from pathlib import Path
from typing import Any

from tieout.bench.harness import Benchmark


def setup(scratch: Path, params: dict[str, Any]) -> dict[str, Any]:
    from tieout.connectors import sample_load
    from tieout.sample_data.generate import generate

    data = scratch / "data"
    generate(seed=5, invoices=params["invoices_per_month"], out=str(data))
    mode = params["mode"]
    if mode in ("per_page", "default"):
        sample_load.spaced_gc = contextlib.nullcontext  # type: ignore[assignment]
    if mode in ("per_page", "both"):
        sample_load.ingest_page = _collector_off(sample_load.ingest_page)  # type: ignore[assignment]
    return {"scratch": scratch, "data": data, "run": 0}


def _collector_off(ingest_page: Any) -> Any:
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        was = gc.isenabled()
        gc.disable()
        try:
            return ingest_page(*args, **kwargs)
        finally:
            if was:
                gc.enable()

    return wrapped


def run(state: dict[str, Any]) -> dict[str, float]:
    from tieout.connectors.sample_load import load_sample
    from tieout.storage.workspace import init_workspace

    state["run"] += 1
    folder = state["scratch"] / f"ws{state['run']}"
    ws = init_workspace(folder, user="bench")
    collections = sum(s["collections"] for s in gc.get_stats())
    start = time.perf_counter()
    counts = load_sample(ws, state["data"])
    seconds = time.perf_counter() - start
    collections = sum(s["collections"] for s in gc.get_stats()) - collections
    ws.close()
    shutil.rmtree(folder, ignore_errors=True)
    records = sum(c["new"] for side in counts.values() for c in side.values())
    return {"records_per_s": records / seconds, "collections": collections}


BENCHMARKS = [
    Benchmark(f"gc_load_4k_{mode}", "one mechanism, no slower than both", setup, run,
              {"invoices_per_month": 2_000, "mode": mode}, repeat=3)
    for mode in ("spaced", "per_page", "both", "default")
]
