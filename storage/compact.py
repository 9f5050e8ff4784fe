"""`tieout compact`: rewrite the workspace database without free pages, swapping the new file in atomically.

Why: SQLite never gives freed pages back to the file system (a migration that moved the raw payloads into
blocks leaves the old file its size), and indexes built one row at a time keep pages part-empty.
``VACUUM INTO`` writes a packed copy while the original stays untouched, so a failure at any step leaves
the workspace as it was:

1. hold the workspace alone (refuse while a sync, the app or a script has it open);
2. checkpoint the WAL into the database;
3. ``VACUUM INTO`` a new file beside it, check it and flush it to disk;
4. close every connection, keep the old file as ``tieout.db.bak`` (a hard link: no copy), rename the new
   file over ``tieout.db`` (atomic), and drop the backup once the swapped-in file opens and checks out.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from tieout.storage.db import raw_connect, release
from tieout.storage.errors import CompactError
from tieout.storage.workspace import Workspace


@dataclass(frozen=True)
class CompactResult:
    bytes_before: int  # database and its WAL before the checkpoint
    bytes_after: int


def _size(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


def _quick_check(path: Path) -> None:
    conn = sqlite3.connect(path)
    try:
        result = conn.execute("PRAGMA quick_check").fetchone()[0]
    finally:
        conn.close()
    if result != "ok":
        raise CompactError(f"{path}: the compacted copy fails SQLite's check ({result}); the workspace is unchanged")


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def compact(ws: Workspace) -> CompactResult:
    """Compact ``ws``'s database in place (see the module docstring); the workspace stays usable after."""
    db = ws.db_path
    wal = db.with_name(db.name + "-wal")
    new = db.with_name(db.name + ".compact")
    backup = db.with_name(db.name + ".bak")
    try:
        ws.holder.exclusive("compact it")
        before = _size(db) + _size(wal)
        for leftover in (new, backup):  # from a compaction killed midway; tieout.db is whole either way
            leftover.unlink(missing_ok=True)
        os.close(os.open(new, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))  # owner-only, like tieout.db
        try:
            conn = raw_connect(db)
            try:
                busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
                if busy:
                    raise CompactError(f"{db}: the WAL could not be checkpointed (a reader still has it open)")
                conn.execute("VACUUM INTO ?", (str(new),))
            finally:
                conn.close()
            _quick_check(new)
            _fsync(new)
            ws.engine.dispose()
            release(db)
            if _size(wal):
                raise CompactError(f"{db}: a connection in this process still has the database open")
            _swap(db, new, backup)
        finally:
            new.unlink(missing_ok=True)
    finally:
        ws.holder.shared()
    return CompactResult(bytes_before=before, bytes_after=_size(db))


def _swap(db: Path, new: Path, backup: Path) -> None:
    """Put ``new`` in place of ``db``, keeping the old file at ``backup`` until the new one checks out."""
    try:
        os.link(db, backup)
    except OSError:  # a file system without hard links
        shutil.copy2(db, backup)
    os.replace(new, db)
    _fsync(db.parent)
    try:
        _quick_check(db)
    except BaseException:
        os.replace(backup, db)
        raise
    backup.unlink()
