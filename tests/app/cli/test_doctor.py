"""`tieout doctor`: one line per check, OK or what to do, and a non-zero exit on any failure."""

from __future__ import annotations

import os
from pathlib import Path

from typer.testing import CliRunner

from tieout.app.cli import cli
from tieout.connectors.sources import add_source
from tieout.connectors.sync import sync_sources
from tieout.storage.ingest import finish_sync_run
from tieout.storage.quarantine import Rejected, settle
from tieout.storage.sources import begin_sync
from tieout.storage.workspace import Workspace

CSV = ("Internal ID,Document Number,External ID,Name,Currency,Status,Date,Amount (Foreign Currency),"
       "Tax Amount (Foreign Currency),Memo\n1001,INV1,in_1,100000,USD,Open,10/01/2026,12.50,0.00,first\n")


def _doctor(ws: Workspace):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, ["doctor", "--workspace", str(ws.path)])


def test_a_healthy_workspace_passes_every_check(ws: Workspace, tmp_path: Path) -> None:
    export = tmp_path / "invoices.csv"
    export.write_text(CSV)
    add_source(ws, "ns-file", kind="file", side="erp", path=str(export), mapping="netsuite-invoices")
    assert sync_sources(ws)[0].ok
    result = _doctor(ws)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "OK    schema", "OK    integrity", "OK    audit", "OK    keyring", "OK    source ns-file",
        "OK    exception queue", "OK    periods", "OK    disk", "OK    file modes"]
    assert "last sync ok" in lines[4]


def test_each_problem_is_one_failing_line_saying_what_to_do(ws: Workspace, tmp_path: Path) -> None:
    export = tmp_path / "invoices.csv"
    export.write_text(CSV)
    add_source(ws, "ns-file", kind="file", side="erp", path=str(export), mapping="netsuite-invoices")
    conn = ws.raw()
    start = begin_sync(conn, "ns-file", "file", "erp")
    settle(conn, start.source_id, start.run_id, [], [Rejected("invoice", "1002", {"id": "1002"}, "bad amount")])
    finish_sync_run(conn, start.run_id, error="invoices.csv, row 3: bad amount")
    conn.close()
    os.chmod(ws.config_path, 0o644)
    export.unlink()
    ws.anchor_path.unlink()
    result = _doctor(ws)
    assert result.exit_code == 1
    failing = [line for line in result.stdout.splitlines() if line.startswith("FAIL")]
    assert failing == [
        f"FAIL  audit: no anchor file {ws.anchor_path}; the end of the log cannot be checked",
        f"FAIL  source ns-file: source 'ns-file': file {export} not found",
        "FAIL  exception queue: 1 record(s) could not be mapped; `tieout exceptions list`, fix them at the source "
        "or retry with `tieout exceptions retry`",
        f"FAIL  file modes: chmod 600 {ws.config_path} (is 0644)",
    ]
    assert result.stderr == "4 check(s) failed\n"
