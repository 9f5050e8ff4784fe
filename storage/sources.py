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

from tieout.storage import audit
from tieout.storage.db import read_frame, rollback_raw
from tieout.storage.ingest import ensure_source, start_sync_run

if TYPE_CHECKING:  # a sync worker imports this module; it never needs polars
    import polars as pl


@contextmanager
def immediate(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """A write transaction on an autocommit sqlite3 connection: BEGIN IMMEDIATE, then COMMIT or ROLLBACK."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException as exc:
        rollback_raw(conn, exc)  # after a full disk SQLite has rolled back already: keep exc as the cause
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
               entity: str | None = None, user: str | None = None) -> SyncStart:
    """Start a sync run, in one transaction with settling the source's earlier runs.

    A run still ``running`` was killed: it is closed as failed ("interrupted").  That one, and any failed
    run that never got its audit event (its process died before recording it), get an audit event now
    (``sync.interrupted`` / ``sync.failed``, by ``user``), so the log shows every sync that did not finish.
    """
    with immediate(conn):
        source_id = ensure_source(conn, name, kind, side, url, entity)
        prev = conn.execute("SELECT status, cursor FROM sync_run WHERE source_id = ? ORDER BY id DESC LIMIT 1",
                            (source_id,)).fetchone()
        killed = {row[0] for row in conn.execute(
            "SELECT id FROM sync_run WHERE source_id = ? AND status = 'running'", (source_id,))}
        conn.execute("UPDATE sync_run SET status = 'failed', error = 'interrupted', finished_at = started_at "
                     "WHERE source_id = ? AND status = 'running'", (source_id,))
        unrecorded = conn.execute(
            "SELECT id, error FROM sync_run r WHERE source_id = ? AND status = 'failed' AND NOT EXISTS ("
            "SELECT 1 FROM audit_event a WHERE a.object_type = 'source' AND a.object_id = ? "
            "AND a.action IN ('sync', 'sync.interrupted', 'sync.failed') AND json_extract(a.details, '$.run') = r.id"
            ") ORDER BY id", (source_id, name)).fetchall()
        for old_run, error in unrecorded:
            audit.record(conn, user=user, action="sync.interrupted" if old_run in killed else "sync.failed",
                         object_type="source", object_id=name, details={"run": old_run, "error": error})
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


@dataclass(frozen=True)
class StaleSource:
    """A source whose latest sync did not finish ok: what is stored may be partial."""

    name: str
    status: str  # of the latest run: failed | running (killed, or still going)
    error: str | None
    last_good_at: str | None  # when the last successful sync finished; None: never

    def describe(self) -> str:
        good = f"its last good sync finished {self.last_good_at}" if self.last_good_at else "it never synced fully"
        how = "is still running or was killed" if self.status == "running" else f"failed ({self.error or 'no error'})"
        return f"source {self.name}: the latest sync {how}; {good}"


def stale_sources(conn: sqlite3.Connection) -> list[StaleSource]:
    """Sources whose latest sync run is not ``ok``, with the end of their last good one."""
    rows = conn.execute("""
        SELECT s.name, r.status, r.error,
               (SELECT MAX(g.finished_at) FROM sync_run g WHERE g.source_id = s.id AND g.status = 'ok')
        FROM source s JOIN sync_run r ON r.id = (SELECT MAX(id) FROM sync_run WHERE source_id = s.id)
        WHERE r.status != 'ok' ORDER BY s.name""").fetchall()
    return [StaleSource(*row) for row in rows]
