"""The exception queue: source records that could not be mapped, kept until they map.

A record a connector cannot map (an amount with more decimals than its currency
allows, an unknown transaction type) does not stop its sync: it is written here
in the same transaction as the page it came with, with its payload, the error
and the raw version the store still holds.  Every later sync of the source, and
``tieout exceptions retry``, maps it again; once it maps it is ingested like any
record and leaves the queue.  Nothing is dropped and everything stays visible.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tieout.storage.db import utc_now

if TYPE_CHECKING:
    import polars as pl

@dataclass(frozen=True)
class Rejected:
    """A payload its mapper refused, and why."""

    object_type: str
    external_id: str
    payload: dict[str, Any]
    error: str


@dataclass(frozen=True)
class Entry:
    """One queued record as stored (its payload decoded)."""

    id: int
    source_id: int
    source: str
    object_type: str
    external_id: str
    raw_version: int | None
    payload_hash: str
    payload: dict[str, Any]
    error: str
    attempts: int
    first_seen_at: str
    last_seen_at: str
    sync_run_id: int | None


def settle(conn: sqlite3.Connection, source_id: int, sync_run_id: int, stored: Iterable[tuple[str, str]],
           rejected: Iterable[Rejected]) -> None:
    """Inside the caller's page transaction: records that were stored leave the queue, rejected ones join
    (or stay, with the newest payload and error)."""
    held = set(conn.execute("SELECT object_type, external_id FROM quarantine WHERE source_id = ?", (source_id,)))
    if held:
        conn.executemany("DELETE FROM quarantine WHERE source_id = ? AND object_type = ? AND external_id = ?",
                         [(source_id, *key) for key in set(stored) & held])
    now = utc_now()
    for rec in rejected:
        text = json.dumps(rec.payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
        version = conn.execute("SELECT MAX(version) FROM raw_record WHERE source_id = ? AND object_type = ? AND "
                               "external_id = ?", (source_id, rec.object_type, rec.external_id)).fetchone()[0]
        conn.execute(
            "INSERT INTO quarantine (source_id, object_type, external_id, raw_version, payload_hash, payload, error, "
            "attempts, first_seen_at, last_seen_at, sync_run_id) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?) "
            "ON CONFLICT(source_id, object_type, external_id) DO UPDATE SET raw_version = excluded.raw_version, "
            "payload_hash = excluded.payload_hash, payload = excluded.payload, error = excluded.error, "
            "attempts = quarantine.attempts + 1, last_seen_at = excluded.last_seen_at, "
            "sync_run_id = excluded.sync_run_id",
            (source_id, rec.object_type, rec.external_id, version, hashlib.sha256(text.encode()).hexdigest(), text,
             rec.error, now, now, sync_run_id))


_SELECT = ("SELECT q.id, q.source_id, s.name, q.object_type, q.external_id, q.raw_version, q.payload_hash, "
           "q.payload, q.error, q.attempts, q.first_seen_at, q.last_seen_at, q.sync_run_id "
           "FROM quarantine q JOIN source s ON s.id = q.source_id")


def entries(conn: sqlite3.Connection, *, source_id: int | None = None, ids: Iterable[int] | None = None,
            not_seen_in_run: int | None = None) -> list[Entry]:
    """Queued records, oldest first: of one source, with these ids, or not seen in the given sync run."""
    conds, params = [], []
    if source_id is not None:
        conds.append("q.source_id = ?")
        params.append(source_id)
    if ids is not None:
        wanted = [int(i) for i in ids]
        conds.append(f"q.id IN ({','.join('?' * len(wanted)) or 'NULL'})")
        params.extend(wanted)
    if not_seen_in_run is not None:
        conds.append("(q.sync_run_id IS NULL OR q.sync_run_id != ?)")
        params.append(not_seen_in_run)
    where = f" WHERE {' AND '.join(conds)}" if conds else ""
    rows = conn.execute(f"{_SELECT}{where} ORDER BY q.id", params).fetchall()
    return [Entry(*row[:7], json.loads(row[7]), *row[8:]) for row in rows]


def count(conn: sqlite3.Connection, source_id: int | None = None) -> int:
    if source_id is None:
        return conn.execute("SELECT COUNT(*) FROM quarantine").fetchone()[0]
    return conn.execute("SELECT COUNT(*) FROM quarantine WHERE source_id = ?", (source_id,)).fetchone()[0]


def count_in(db_path: Path) -> int:
    """:func:`count` of the workspace database at ``db_path`` (for readers without a connection)."""
    from tieout.storage.db import raw_connect

    conn = raw_connect(db_path)
    try:
        return count(conn)
    finally:
        conn.close()


def failed_again(conn: sqlite3.Connection, entry_id: int, error: str) -> None:
    """A retry that still does not map: count the attempt, keep the newest error."""
    conn.execute("UPDATE quarantine SET attempts = attempts + 1, error = ?, last_seen_at = ? WHERE id = ?",
                 (error, utc_now(), entry_id))


def drop(conn: sqlite3.Connection, entry_ids: Iterable[int]) -> None:
    """Records that mapped on a retry leave the queue (whatever type they were filed under)."""
    conn.executemany("DELETE FROM quarantine WHERE id = ?", [(int(i),) for i in entry_ids])


def queue_frame(db_path: Path) -> pl.DataFrame:
    """The queue as a polars table for listing (no payloads: `tieout exceptions show` has them)."""
    from tieout.storage.db import read_frame

    return read_frame(db_path, (
        "SELECT q.id, s.name AS source, q.object_type, q.external_id, q.raw_version, q.payload_hash, q.error, "
        "q.attempts, q.first_seen_at, q.last_seen_at, q.sync_run_id FROM quarantine q "
        "JOIN source s ON s.id = q.source_id ORDER BY q.id"))
