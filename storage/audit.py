"""Append-only, SHA-256 hash-chained audit log, anchored outside the database.

Each event's hash covers its own content and the previous event's hash, so
editing, reordering or deleting any event that has a successor breaks the chain
at that point.  Deleting the newest events (or all of them) leaves a shorter
chain that still links up: the chain alone cannot see that.  Hence the anchor:
the head and the event count, kept in a file beside the database
(:data:`ANCHOR_NAME`) and rewritten after every commit that appends, and
printable (``tieout audit anchor``) for a workpaper or a ticket, to be checked
later with ``tieout audit verify --anchor HEAD``.  ``prev_hash`` is unique: two
writers racing to append after the same head cannot fork the chain (the second
one fails and must retry).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from tieout.storage.db import read_frame, utc_now
from tieout.storage.errors import StoreError

if TYPE_CHECKING:
    import polars as pl

GENESIS = "0" * 64
ANCHOR_NAME = "tieout.anchor"
APPENDED = "tieout.audit_appended"  # flag in a session's/connection's ``info``: refresh the anchor after commit


class _Executes(Protocol):
    def execute(self, statement: Any, params: Any = ...) -> Any: ...


def event_hash(
    *,
    at: str,
    user: str | None,
    action: str,
    object_type: str | None,
    object_id: str | None,
    details: str,
    prev_hash: str,
) -> str:
    """Hash of one event's content chained to ``prev_hash``."""
    content = json.dumps(
        [at, user, action, object_type, object_id, details, prev_hash],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def _execute(conn: _Executes | sqlite3.Connection, sql: str, params: dict[str, Any] | None = None) -> Any:
    """Run ``sql`` on a SQLAlchemy session/connection or a plain sqlite3 connection (a sync's)."""
    if isinstance(conn, sqlite3.Connection):
        return conn.execute(sql, params or {})
    from sqlalchemy import text  # here: a sync worker records events through sqlite3 and starts faster without it

    return conn.execute(text(sql), params or {})


def chain_head(conn: _Executes | sqlite3.Connection) -> str:
    """Hash of the newest event, or the genesis hash of an empty log."""
    row = _execute(conn, "SELECT hash FROM audit_event ORDER BY id DESC LIMIT 1").fetchone()
    return row[0] if row else GENESIS


def record(
    conn: _Executes | sqlite3.Connection,
    *,
    user: str | None,
    action: str,
    object_type: str | None = None,
    object_id: str | int | None = None,
    details: dict[str, Any] | None = None,
) -> str:
    """Append one event inside the caller's transaction; returns its hash.

    Call it in the same transaction as the state change it describes, so the
    change and its audit event commit (or roll back) together.
    """
    prev = chain_head(conn)
    fields = {
        "at": utc_now(),
        "user": user,
        "action": action,
        "object_type": object_type,
        "object_id": None if object_id is None else str(object_id),
        "details": json.dumps(details or {}, sort_keys=True, ensure_ascii=False, default=str),
        "prev_hash": prev,
    }
    digest = event_hash(**fields)
    _execute(
        conn,
        "INSERT INTO audit_event (at, user, action, object_type, object_id, details, prev_hash, hash) "
        "VALUES (:at, :user, :action, :object_type, :object_id, :details, :prev_hash, :hash)",
        {**fields, "hash": digest},
    )
    info = getattr(conn, "info", None)
    if isinstance(info, dict):
        info[APPENDED] = True
    return digest


@dataclass(frozen=True)
class Verification:
    ok: bool
    events: int
    head: str
    broken_id: int | None = None
    problem: str | None = None


@dataclass(frozen=True)
class Anchor:
    """Where the chain stood: its newest hash and how many events it held."""

    head: str
    events: int


def verify(conn: _Executes, anchor: Anchor | None = None, head: str | None = None) -> Verification:
    """Walk the chain in id order and report the first event that does not verify.

    With ``anchor`` (the anchor file), the chain must still hold its event at that position with that
    hash: fewer events, or another hash there, means events were cut from its end.  A longer chain is
    fine (the anchor is written just after each commit; a crash in between leaves it behind).  With
    ``head`` (a hash written down elsewhere), that hash must be one of the chain's events.
    """
    prev = GENESIS
    count = 0
    seen_head = head in (None, GENESIS)
    rows = _execute(conn, "SELECT id, at, user, action, object_type, object_id, details, prev_hash, hash "
                          "FROM audit_event ORDER BY id")
    at_anchor = GENESIS
    for row in rows:
        count += 1
        if row.prev_hash != prev:
            return Verification(False, count, prev, row.id, "previous hash does not match the chain")
        expected = event_hash(
            at=row.at,
            user=row.user,
            action=row.action,
            object_type=row.object_type,
            object_id=row.object_id,
            details=row.details,
            prev_hash=row.prev_hash,
        )
        if expected != row.hash:
            return Verification(False, count, prev, row.id, "content does not match its hash")
        prev = row.hash
        seen_head = seen_head or row.hash == head
        if anchor is not None and count == anchor.events:
            at_anchor = row.hash
    if anchor is not None and count < anchor.events:
        return Verification(False, count, prev, None, f"the log ends after {count} events but its anchor says "
                                                      f"{anchor.events} (head {anchor.head}): events were deleted "
                                                      "from its end")
    if anchor is not None and at_anchor != anchor.head:
        return Verification(False, count, prev, None, f"event {anchor.events} of the log is not the anchored head "
                                                      f"{anchor.head}: the log was cut and written again")
    if not seen_head:
        return Verification(False, count, prev, None, f"head {head} is not in the log: events were removed or "
                                                      "rewritten since it was taken")
    return Verification(True, count, prev)


def events(db_path: Path, *, period: str | None = None, newest_first: bool = False,
           limit: int | None = None) -> pl.DataFrame:
    """Audit events as a frame; with ``period``, those whose details name that period."""
    sql = "SELECT id, at, user, action, object_type, object_id, details, hash FROM audit_event"
    params: list[Any] = []
    if period:
        sql += " WHERE json_extract(details, '$.period') = ?"
        params.append(period)
    sql += " ORDER BY id DESC" if newest_first else " ORDER BY id"
    if limit:
        sql += " LIMIT ?"
        params.append(limit)
    return read_frame(db_path, sql, params)


def position(conn: _Executes | sqlite3.Connection) -> Anchor:
    """The chain's head and event count now (what the anchor file should say)."""
    events, head = _execute(conn, "SELECT COUNT(*), (SELECT hash FROM audit_event ORDER BY id DESC LIMIT 1) "
                                  "FROM audit_event").fetchone()
    return Anchor(head or GENESIS, int(events))


def read_anchor(path: Path) -> Anchor | None:
    """The anchor file's content, or None if there is none."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Anchor(str(data["head"]), int(data["events"]))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise StoreError(f"{path}: unreadable audit anchor ({exc}); restore it, or check the log against a head "
                         "written elsewhere with `tieout audit verify --anchor HEAD`") from None


def write_anchor(path: Path, anchor: Anchor) -> None:
    """Move the anchor forward to ``anchor`` (never back: a slower writer cannot undo a faster one's)."""
    with _locked(path.parent):
        current = read_anchor(path)
        if current is not None and current.events >= anchor.events:
            return
        tmp = path.with_name(path.name + ".tmp")
        fd = os.open(tmp, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump({"head": anchor.head, "events": anchor.events, "updated_at": utc_now()}, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """An exclusive lock on the workspace folder, so two processes do not interleave anchor updates."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
