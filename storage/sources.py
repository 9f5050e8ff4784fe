"""Sources and their sync runs: the statements the connectors' sync, source list and dashboard run.

The rows themselves are created by :func:`tieout.storage.ingest.ensure_source`
and :func:`~tieout.storage.ingest.start_sync_run`; this module owns the
reads, and the start of a sync (which must see the previous run's cursor and
close a run left ``running`` by a crash, in one transaction).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tieout.storage.db import read_frame
from tieout.storage.ingest import ensure_source, start_sync_run

if TYPE_CHECKING:  # a sync worker imports this module; it never needs polars
    import polars as pl


@contextmanager
def immediate(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """A write transaction on an autocommit sqlite3 connection: BEGIN IMMEDIATE, then COMMIT or ROLLBACK."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def register_source(conn: sqlite3.Connection, name: str, kind: str, side: str, *, url: str | None = None,
                    entity: str | None = None) -> int:
    """Create or refresh the source row in its own transaction; returns its id."""
    with immediate(conn):
        return ensure_source(conn, name, kind, side, url=url, entity=entity)


@dataclass(frozen=True)
class SyncStart:
    """A new sync run of a source, and what the previous run left."""

    source_id: int
    run_id: int
    previous_cursor: dict[str, Any]
    resumed: bool  # the previous run did not finish ok: its cursor is where this one goes on


def begin_sync(conn: sqlite3.Connection, name: str, kind: str, side: str, *, url: str | None = None,
               entity: str | None = None) -> SyncStart:
    """Start a sync run: a run left ``running`` (a killed sync) is closed as interrupted, in one transaction."""
    with immediate(conn):
        source_id = ensure_source(conn, name, kind, side, url, entity)
        prev = conn.execute("SELECT status, cursor FROM sync_run WHERE source_id = ? ORDER BY id DESC LIMIT 1",
                            (source_id,)).fetchone()
        conn.execute("UPDATE sync_run SET status = 'failed', error = 'interrupted', finished_at = started_at "
                     "WHERE source_id = ? AND status = 'running'", (source_id,))
        run_id = start_sync_run(conn, source_id)
    return SyncStart(source_id=source_id, run_id=run_id, previous_cursor=json.loads(prev[1]) if prev else {},
                     resumed=bool(prev and prev[0] != "ok"))


def set_run_cursor(conn: sqlite3.Connection, run_id: int, cursor: dict[str, Any]) -> None:
    """Record where a run starts (committed at once, so a crash before the first page still resumes)."""
    with immediate(conn):
        conn.execute("UPDATE sync_run SET cursor = ? WHERE id = ?", (json.dumps(cursor, sort_keys=True), run_id))


def sources_with_last_sync(db_path: Path) -> pl.DataFrame:
    """Stored sources with their latest sync run's start, outcome and error."""
    return read_frame(db_path, """
        SELECT s.name, s.kind, s.side, s.entity, r.started_at AS last_sync_at, r.status AS last_sync_status,
               r.error AS last_sync_error
        FROM source s LEFT JOIN sync_run r ON r.id = (SELECT MAX(id) FROM sync_run WHERE source_id = s.id)
        ORDER BY s.name""")
