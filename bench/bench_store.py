"""Store figures: workspace bytes per invoice, one raw payload read, a sync worker's imports.

- ``store_demo``: ``tieout demo --headless`` (both sandboxes over HTTP, all domains, the committed sample
  month, then a match) into a fresh folder; the database's bytes (file + WAL) and bytes per billing invoice,
  the same after ``tieout compact``, and the time to read one stored payload (``storage.rawstore.read_version``
  of 2,000 random versions: median and 99th percentile).
- ``worker_imports``: ``python -X importtime`` of what a sync worker imports to run a job (the worker module, the
  sync, every connector), beyond what the bare interpreter imports; the sum of the modules' own times, and
  the CPU time the import statement takes.

The bytes per invoice of the 100k-invoice all-domains sync are reported by ``sync_sandboxes_100k_invoices``.
"""

from __future__ import annotations

import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tieout.bench.harness import Benchmark

WORKER_IMPORTS = ("import tieout.connectors.sync_workers, tieout.connectors.sync, tieout.connectors.stripe.client, "
                  "tieout.connectors.netsuite.client, tieout.connectors.files.connector")


def store_bytes(db: Path) -> int:
    """The database file and its WAL, if any is left: what the workspace takes on disk (measure once its
    connections are closed: the last one checkpoints the WAL into the file and removes it)."""
    wal = db.with_name(db.name + "-wal")
    return db.stat().st_size + (wal.stat().st_size if wal.exists() else 0)


def billing_invoices(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT count(*) FROM invoice WHERE side = 'billing'").fetchone()[0]


def _read_times_ms(db: Path, samples: int) -> list[float]:
    from tieout.storage.db import raw_connect
    from tieout.storage.rawstore import read_version

    conn = raw_connect(db)
    try:
        ids = [row[0] for row in conn.execute("SELECT id FROM raw_record")]
        times = []
        for raw_id in random.Random(7).sample(ids, min(samples, len(ids))):
            start = time.perf_counter()
            read_version(conn, raw_id)
            times.append((time.perf_counter() - start) * 1000)
    finally:
        conn.close()
    return sorted(times)


def setup_demo(scratch: Path, params: dict[str, Any]) -> dict[str, Any]:
    return {"scratch": scratch, "run": 0}


def run_demo(state: dict[str, Any]) -> dict[str, float]:
    from tieout.storage.compact import compact
    from tieout.storage.workspace import open_workspace

    state["run"] += 1
    folder = state["scratch"] / f"demo{state['run']}"
    subprocess.run([sys.executable, "-c", "from tieout.app.cli import main; main()", "demo", "--headless", "--workspace", str(folder)],
                   check=True, stdout=subprocess.DEVNULL)
    db = folder / "tieout.db"
    invoices, size = billing_invoices(db), store_bytes(db)
    times = _read_times_ms(db, 2000)
    ws = open_workspace(folder)
    try:
        compacted = compact(ws).bytes_after
    finally:
        ws.close()
    shutil.rmtree(folder, ignore_errors=True)
    return {"invoices": invoices, "db_mb": size / 1e6, "bytes_per_invoice": size / invoices,
            "compacted_mb": compacted / 1e6, "compacted_bytes_per_invoice": compacted / invoices,
            "read_ms_median": statistics.median(times), "read_ms_p99": times[int(len(times) * 0.99)]}


def _imported_self_us(code: str) -> dict[str, int]:
    err = subprocess.run([sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True,
                         check=True).stderr
    found = {}
    for line in err.splitlines():
        if line.startswith("import time:") and "|" in line and "self [us]" not in line:
            own, _cumulative, name = line[len("import time:"):].split("|")
            found[name.strip()] = int(own)
    return found


def setup_imports(scratch: Path, params: dict[str, Any]) -> None:
    return None


def _import_cpu_s() -> float:
    """User + system CPU seconds a fresh interpreter spends on the worker's imports (less swayed by other
    processes on the machine than the wall-clock times ``-X importtime`` reports)."""
    code = ("import resource; before = resource.getrusage(resource.RUSAGE_SELF); " + WORKER_IMPORTS +
            "; after = resource.getrusage(resource.RUSAGE_SELF); "
            "print(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)")
    return float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)


def run_imports(_state: None) -> dict[str, float]:
    bare = _imported_self_us("pass")
    worker = _imported_self_us(WORKER_IMPORTS)
    return {"import_ms": sum(us for name, us in worker.items() if name not in bare) / 1000,
            "import_cpu_s": _import_cpu_s(), "modules": len(worker.keys() - bare.keys())}


BENCHMARKS = [
    Benchmark("store_demo", "demo workspace <= 30 MB; one payload read < 5 ms", setup_demo, run_demo, repeat=3),
    Benchmark("worker_imports", "<= 0.3 s of imports per sync worker", setup_imports, run_imports, repeat=5),
]
