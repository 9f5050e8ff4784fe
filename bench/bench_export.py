"""Workpaper export of a period with 100,000 breaks (issue #6: <= 15 s, <= 1 GB), and with 1,000,000
(issue #6: write-only mode, bounded memory)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from tieout.bench.harness import Benchmark

KINDS = ["missing_in_erp", "missing_in_billing", "amount_mismatch", "tax_mismatch", "status_mismatch",
         "duplicate_in_erp"]
CURRENCIES = ["USD", "EUR", "JPY", "KWD"]
T = "2026-11-02T09:30:00.000000+00:00"


def setup(scratch: Path, params: dict[str, Any]) -> dict[str, Any]:
    """A workspace whose `break` table holds ``params["breaks"]`` breaks of 2026-10 (executemany)."""
    os.environ["TIEOUT_USER"] = "bench"
    from tieout.storage.workspace import init_workspace

    ws = init_workspace(scratch / "ws")
    rows = []
    for i in range(params["breaks"]):
        kind, currency = KINDS[i % len(KINDS)], CURRENCIES[i % len(CURRENCIES)]
        billing = None if kind == "missing_in_billing" else 10_000 + i
        erp = None if kind == "missing_in_erp" else 10_000 + i - (i % 7)
        rows.append((f"brk{i:08d}", "invoice", "invoice", kind, "open", "2026-10", "US", currency,
                     abs((billing or 0) - (erp or 0)) or (billing or erp), json.dumps([f"in_{i}"]),
                     json.dumps([f"ns_{i}"]), billing, erp, "exact", "{}", f"note {i}", T, T))
    conn = ws.raw()
    with conn:
        conn.execute("BEGIN")
        conn.executemany(
            'INSERT INTO "break" (id, domain, object_type, kind, status, period, entity, currency, amount, '
            "billing_ids, erp_ids, billing_amount, erp_amount, rule, details, note, opened_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        # the run those breaks came from: an export refuses a period that was never matched
        conn.execute("INSERT INTO match_run (period, entity, domain, started_at, finished_at, user, status, "
                     "ruleset_hash, input_fingerprint, summary) VALUES ('2026-10', NULL, 'invoice', ?, ?, 'bench', "
                     "'ok', 'bench', 'bench', '{}')", (T, T))
        conn.execute("COMMIT")
    conn.close()
    ws.close()
    return {"ws": scratch / "ws", "out": scratch / "wp.xlsx"}


def run(state: dict[str, Any]) -> dict[str, float]:
    from tieout import reconcile
    from tieout.reconcile.workpaper import export_workbook

    svc = reconcile.open_workspace(state["ws"])
    export_workbook(svc, "2026-10", state["out"])
    return {"file_mb": state["out"].stat().st_size / 2**20}


BENCHMARKS = [
    Benchmark("export_xlsx_100k_breaks", "<= 15 s, <= 1 GB", setup, run, params={"breaks": 100_000}, repeat=3),
    Benchmark("export_xlsx_1m_breaks", "bounded memory", setup, run, params={"breaks": 1_000_000}, repeat=1),
]
