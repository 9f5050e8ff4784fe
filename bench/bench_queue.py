"""The review app's break queue at a million breaks, measured headless with ``App.run_test``.

Setup (not timed) writes 1,000,000 breaks straight into a workspace's
``break`` table with sqlite3 ``executemany``.  Each run starts the real app
on that workspace, opens the queue and reports:

- ``first_paint_s``: app start → queue table painted (its first page, read
  through ``reconcile.service``; the rest loads in a worker afterwards),
- ``full_load_s``: app start → all 1,000,000 breaks in the queue with totals,
- ``filter_s``: a filter change (kind) → the new table painted (median of 5),
- ``cursor_cpu_ms``: CPU time of one cursor move (median of 20 presses).
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from pathlib import Path
from typing import Any

from tieout.bench.harness import Benchmark

KINDS = ("missing_in_erp", "missing_in_billing", "amount_mismatch", "tax_mismatch", "status_mismatch",
         "customer_mismatch", "period_mismatch", "duplicate_in_erp")
STATUSES = ("open", "open", "open", "investigating", "explained", "resolved")
CURRENCIES = ("USD", "USD", "EUR", "JPY")
COLUMNS = ("id", "domain", "object_type", "kind", "status", "period", "entity", "currency", "amount",
           "billing_ids", "erp_ids", "billing_amount", "erp_amount", "rule", "details", "assignee", "opened_at",
           "updated_at")


def break_rows(n: int, period: str = "2026-10"):
    """``n`` deterministic break rows in :data:`COLUMNS` order."""
    for i in range(n):
        kind = KINDS[i % len(KINDS)]
        cur = CURRENCIES[i % len(CURRENCIES)]
        amount = (i * 7919) % 5_000_000 + 1
        billing = json.dumps([f"in_{i:012d}"]) if kind != "missing_in_billing" else "[]"
        erp = json.dumps([str(100000 + i)]) if kind != "missing_in_erp" else "[]"
        day = 1 + i % 28
        yield (f"b{i:015x}", "invoice", "invoice", kind, STATUSES[i % len(STATUSES)], period,
               "US" if cur == "USD" else "EU", cur, amount, billing, erp,
               amount if billing != "[]" else None, amount // 2 if erp != "[]" else None,
               "exact_counterpart", "{}", ("ana", "ben", None)[i % 3], f"2026-11-{day:02d}T09:00:00+00:00",
               f"2026-11-{day:02d}T09:00:00+00:00")


def setup(scratch: Path, params: dict[str, Any]) -> Path:
    from tieout.storage.workspace import init_workspace

    ws = init_workspace(scratch / "ws", user="bench")
    conn = ws.raw()
    try:
        conn.execute("BEGIN")
        conn.executemany(
            f"INSERT INTO break ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})",
            break_rows(params["breaks"]),
        )
        conn.execute("COMMIT")
    finally:
        conn.close()
        ws.close()
    return scratch / "ws"


async def _measure(path: Path) -> dict[str, float]:
    from tieout.reconcile.service import open_workspace
    from textual.widgets import Select

    from tieout.app.tui.app import TieoutApp

    _record_paints()
    app = TieoutApp(open_workspace(path), period="2026-10", start="queue")
    start = time.perf_counter()
    async with app.run_test(size=(160, 50)) as pilot:
        table, painted = await _next_table(pilot, None)
        first_paint = painted - start
        assert len(table.view) > 0
        while not (app.screen.complete and len(table.view.frame) == 1_000_000):
            table, painted = await _next_table(pilot, table)
        full_load = painted - start

        filters = []
        for kind in ("tax_mismatch", "missing_in_erp", "amount_mismatch", "status_mismatch", "period_mismatch"):
            start = time.perf_counter()
            app.screen.query_one("#kind", Select).value = kind
            table, painted = await _next_table(pilot, table)
            filters.append(painted - start)
            assert {table.view.row(i)["kind"] for i in range(10)} == {kind}

        table.focus()
        await pilot.pause()
        cpu = []
        for _ in range(20):
            start = time.process_time()
            await pilot.press("down")
            await pilot.pause()
            cpu.append(time.process_time() - start)
        assert table.cursor_row == 20
    return {"first_paint_s": first_paint, "full_load_s": full_load, "filter_s": statistics.median(filters),
            "cursor_cpu_ms": 1000 * statistics.median(cpu)}


def _record_paints() -> None:
    """Stamp each queue table with the time the compositor first asked it for lines."""
    from tieout.app.tui.widgets.break_table import BreakTable

    if getattr(BreakTable, "_bench_wrapped", False):
        return
    original = BreakTable.render_lines

    def render_lines(self, crop):
        if not hasattr(self, "painted_at"):
            self.painted_at = time.perf_counter()
        return original(self, crop)

    BreakTable.render_lines = render_lines
    BreakTable._bench_wrapped = True


async def _next_table(pilot, previous):
    """The next queue table (other than ``previous``) and when it was first painted."""
    from tieout.app.tui.widgets.break_table import BreakTable

    for _ in range(12000):
        tables = pilot.app.screen.query(BreakTable)
        if tables and tables.first() is not previous and hasattr(tables.first(), "painted_at"):
            return tables.first(), tables.first().painted_at
        await asyncio.sleep(0.002)
    raise TimeoutError("the queue table was never painted")


def run(path: Path) -> dict[str, float]:
    return asyncio.run(_measure(path))


BENCHMARKS = [
    Benchmark(
        name="queue_1m",
        target="first paint <= 1 s, filter <= 300 ms, cursor move <= 50 ms CPU (1,000,000 breaks)",
        setup=setup,
        run=run,
        params={"breaks": 1_000_000},
        repeat=3,
    ),
]
