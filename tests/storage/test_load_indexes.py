"""Secondary indexes: dropped only for a first load into an empty store, and never missing once it ends or the
workspace reopens."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tieout.storage.ingest import Record, ensure_source, ingest_page, start_sync_run
from tieout.storage.load_indexes import drop_for_first_load
from tieout.storage.workspace import Workspace, open_workspace


def _indexes(db: Path) -> set[str]:
    with sqlite3.connect(db) as conn:
        return {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}


def test_a_load_killed_with_its_indexes_dropped_gets_them_back_on_open(ws: Workspace) -> None:
    full = _indexes(ws.db_path)
    conn = ws.raw()
    assert drop_for_first_load(conn)
    conn.close()
    dropped = full - _indexes(ws.db_path)
    assert {"ix_invoice_period", "ix_invoice_counterpart_ref", "ix_invoice_line_raw_record_id"} <= dropped
    assert not any(name.startswith("sqlite_autoindex") for name in dropped)  # the upserts' unique keys stay
    ws.close()  # the process "dies" here, before restoring them

    again = open_workspace(ws.path)
    assert _indexes(again.db_path) == full
    again.close()


def test_a_store_with_records_keeps_its_indexes(ws: Workspace) -> None:
    conn = ws.raw()
    source_id = ensure_source(conn, "stripe", "stripe", "billing")
    ingest_page(conn, source_id=source_id, side="billing", sync_run_id=start_sync_run(conn, source_id),
                records=[Record("invoice", "in_1", {"id": "in_1"}, rows={"invoice": [{"external_id": "in_1"}]})])
    full = _indexes(ws.db_path)
    assert not drop_for_first_load(conn)
    conn.close()
    assert _indexes(ws.db_path) == full
