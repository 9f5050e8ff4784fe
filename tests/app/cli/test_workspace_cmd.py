"""`tieout compact`: one line either way, bytes before and after, an audit event."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from typer.testing import CliRunner

from tieout.app.cli import cli
from tieout.storage.ingest import Record, ensure_source, ingest_page, start_sync_run
from tieout.storage.workspace import Workspace


def _fill(ws: Workspace, invoices: int) -> None:
    conn = ws.raw()
    try:
        source_id = ensure_source(conn, "stripe", "stripe", "billing")
        run = start_sync_run(conn, source_id)
        records = [Record("invoice", f"in_{n}", {"id": f"in_{n}"}, rows={"invoice": [{"external_id": f"in_{n}"}]})
                   for n in range(invoices)]
        ingest_page(conn, source_id=source_id, side="billing", sync_run_id=run, records=records)
    finally:
        conn.close()


def test_compact_reports_bytes_before_and_after_and_refuses_in_one_line_while_open(ws: Workspace) -> None:
    _fill(ws, 200)
    path = str(ws.path)
    busy = CliRunner().invoke(cli, ["compact", "-w", path])  # the fixture's workspace is still open
    assert busy.exit_code == 1
    assert busy.output.strip().count("\n") == 0 and "open elsewhere" in busy.output
    ws.close()
    done = CliRunner().invoke(cli, ["compact", "-w", path])
    assert done.exit_code == 0, done.output
    assert re.fullmatch(r"Compacted .*tieout\.db: [\d,]+ bytes before, [\d,]+ after\n", done.output)
    with sqlite3.connect(Path(path) / "tieout.db") as conn:
        action, details = conn.execute("SELECT action, details FROM audit_event ORDER BY id DESC LIMIT 1").fetchone()
    assert action == "workspace.compact" and '"bytes_after"' in details
