"""Matching after a failed or partial sync warns, naming the source and its last good sync; --require-fresh refuses."""

from __future__ import annotations

from typer.testing import CliRunner

from tieout.app.cli import cli
from tieout.storage.ingest import finish_sync_run
from tieout.storage.sources import begin_sync
from tieout.storage.workspace import Workspace
from tests.support import Books, invoice


def _last_good(ws: Workspace, source: str) -> str:
    conn = ws.raw()
    try:
        return conn.execute("SELECT MAX(r.finished_at) FROM sync_run r JOIN source s ON s.id = r.source_id "
                            "WHERE s.name = ? AND r.status = 'ok'", (source,)).fetchone()[0]
    finally:
        conn.close()


def test_match_after_a_failed_sync_warns_and_require_fresh_refuses(ws: Workspace, books: Books) -> None:
    books.add("billing", invoice("in_1")).add("erp", invoice("9001", "erp", ref="in_1")).ingest()
    runner = CliRunner()
    fresh = runner.invoke(cli, ["match", "-p", "2026-10", "--require-fresh", "-w", str(ws.path)])
    assert fresh.exit_code == 0 and "warning" not in fresh.stderr, fresh.output
    good = _last_good(ws, "netsuite")
    conn = ws.raw()
    start = begin_sync(conn, "netsuite", "netsuite", "erp")
    finish_sync_run(conn, start.run_id, error="SourceUnavailable: 503 after 5 tries")
    conn.close()

    warned = runner.invoke(cli, ["match", "-p", "2026-10", "-w", str(ws.path)])
    assert warned.exit_code == 0, warned.output
    said = " ".join(warned.stderr.split())
    assert (f"warning: source netsuite: the latest sync failed (SourceUnavailable: 503 after 5 tries); its last "
            f"good sync finished {good}: matching on partial data may report spurious breaks") in said
    refused = runner.invoke(cli, ["match", "-p", "2026-10", "--require-fresh", "-w", str(ws.path)])
    assert refused.exit_code == 1 and isinstance(refused.exception, SystemExit)
    assert refused.stderr.startswith("error: source netsuite: the latest sync failed") and "--require-fresh" in \
        refused.stderr and len(refused.stderr.strip().splitlines()) == 1
