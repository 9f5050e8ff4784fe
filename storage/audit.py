"""Append-only, SHA-256 hash-chained audit log.

Each event's hash covers its own content and the previous event's hash, so
editing, deleting or reordering any stored event breaks the chain at that
point.  ``prev_hash`` is unique: two writers racing to append after the same
head cannot fork the chain (the second one fails and must retry).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import text

from tieout.storage.db import read_frame, utc_now

if TYPE_CHECKING:
    import polars as pl

GENESIS = "0" * 64


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


def chain_head(conn: _Executes) -> str:
    """Hash of the newest event, or the genesis hash of an empty log."""
    row = conn.execute(text("SELECT hash FROM audit_event ORDER BY id DESC LIMIT 1")).first()
    return row[0] if row else GENESIS


def record(
    conn: _Executes,
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
    conn.execute(
        text(
            "INSERT INTO audit_event (at, user, action, object_type, object_id, details, prev_hash, hash) "
            "VALUES (:at, :user, :action, :object_type, :object_id, :details, :prev_hash, :hash)"
        ),
        {**fields, "hash": digest},
    )
    return digest


@dataclass(frozen=True)
class Verification:
    ok: bool
    events: int
    head: str
    broken_id: int | None = None
    problem: str | None = None


def verify(conn: _Executes) -> Verification:
    """Walk the chain in id order and report the first event that does not verify."""
    prev = GENESIS
    count = 0
    rows = conn.execute(
        text(
            "SELECT id, at, user, action, object_type, object_id, details, prev_hash, hash "
            "FROM audit_event ORDER BY id"
        )
    )
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
