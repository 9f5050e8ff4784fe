"""`tieout compact`: a smaller file with the same data, swapped in whole; refused while the workspace is open elsewhere."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tieout.storage import audit
from tieout.storage.compact import compact
from tieout.storage.errors import WorkspaceBusy
from tieout.storage.ingest import Record, ensure_source, ingest_page, start_sync_run
from tieout.storage.rawstore import read_version
from tieout.storage.workspace import Workspace, open_workspace


def _fill(ws: Workspace, invoices: int, status: str = "open") -> None:
    conn = ws.raw()
    try:
        source_id = ensure_source(conn, "stripe", "stripe", "billing")
        run = start_sync_run(conn, source_id)
        records = [Record("invoice", f"in_{n}", {"id": f"in_{n}", "status": status, "memo": f"{n:08d}" * 40},
                          rows={"invoice": [{"external_id": f"in_{n}", "currency": "USD", "status": status}]})
                   for n in range(invoices)]
        ingest_page(conn, source_id=source_id, side="billing", sync_run_id=run, records=records)
    finally:
        conn.close()


def _snapshot(ws: Workspace) -> tuple[list, list]:
    conn = ws.raw()
    try:
        invoices = conn.execute("SELECT external_id, status, raw_record_id FROM invoice ORDER BY id").fetchall()
        payloads = [read_version(conn, raw_id).payload for (raw_id,) in  # type: ignore[union-attr]
                    conn.execute("SELECT id FROM raw_record ORDER BY id")]
    finally:
        conn.close()
    return invoices, payloads


def test_compact_shrinks_the_file_and_keeps_every_row(ws: Workspace) -> None:
    _fill(ws, 3000)
    conn = ws.raw()
    conn.execute("DELETE FROM invoice WHERE external_id > 'in_1'")  # free pages for VACUUM to drop
    conn.close()
    before = _snapshot(ws)

    result = compact(ws)

    assert result.bytes_after < result.bytes_before
    assert result.bytes_after == ws.db_path.stat().st_size
    assert _snapshot(ws) == before
    assert stat.S_IMODE(os.stat(ws.db_path).st_mode) == 0o600
    left = sorted(p.name for p in ws.path.iterdir() if not p.name.endswith(("-wal", "-shm")))  # open: storage.db pins
    assert left == ["tieout.anchor", "tieout.db", "tieout.lock", "tieout.toml"]  # no .compact or .bak left behind
    with ws.session() as session:
        assert audit.verify(session).ok
    _fill(ws, 10, status="paid")  # still a working workspace: writes go to the new file
    assert _snapshot(ws)[0][0][1] == "paid"


def test_leftovers_of_a_killed_compaction_are_cleared(ws: Workspace) -> None:
    _fill(ws, 10)
    (ws.path / "tieout.db.compact").write_bytes(b"half a file")
    os.link(ws.db_path, ws.path / "tieout.db.bak")
    compact(ws)
    assert not (ws.path / "tieout.db.compact").exists() and not (ws.path / "tieout.db.bak").exists()
    assert len(_snapshot(ws)[1]) == 10


def test_refused_while_another_process_has_the_workspace_open(ws: Workspace) -> None:
    _fill(ws, 10)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys; from tieout.storage.workspace import open_workspace; "
         f"ws = open_workspace({str(ws.path)!r}); print('open', flush=True); sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"  # type: ignore[union-attr]
        size = ws.db_path.stat().st_size
        with pytest.raises(WorkspaceBusy, match="cannot compact it while the workspace is open elsewhere"):
            compact(ws)
        assert ws.db_path.stat().st_size == size and not (ws.path / "tieout.db.compact").exists()
    finally:
        holder.stdin.close()  # type: ignore[union-attr]
        holder.wait(timeout=30)
    compact(ws)  # the holder has gone: now it may


def test_a_workspace_being_compacted_cannot_be_opened(ws: Workspace) -> None:
    ws.holder.exclusive("compact it")
    try:
        with pytest.raises(WorkspaceBusy, match="being compacted"):
            open_workspace(ws.path)
    finally:
        ws.holder.shared()
    open_workspace(ws.path).close()
