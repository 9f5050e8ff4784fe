"""SQLite connections with the pragmas every workspace relies on.

Small reads and writes go through SQLAlchemy/SQLModel (:func:`make_engine`);
bulk paths use :func:`raw_connect` (sqlite3 ``executemany``) or
:func:`read_frame` (ADBC → Arrow → polars), never one ORM object per row.

Two SQLite libraries in one process, kept safe by pinning
---------------------------------------------------------
Python's ``sqlite3`` and the ADBC driver each link their own copy of SQLite.
POSIX record locks belong to a process, not to a descriptor: closing any
descriptor of a file drops every lock the process holds on it, and a process
never conflicts with its own locks.  Each copy of SQLite knows only its own
connections.  So when the last connection of one copy to a database closed,
the other copy's locks vanished, and the closing copy, seeing no other user,
checkpointed and deleted the ``-wal``/``-shm`` files under the other copy's
open connections; their later commits went to an unlinked file and were lost
("disk I/O error", "database disk image is malformed").

Decision: keep ADBC (its Arrow reads are ~5x faster than sqlite3 rows at 1M
rows, and reading Arrow through Python's sqlite3 means Python rows), and pin
one connection of each library per database file for the life of the process
(:func:`pin`, the single owner).  An idle WAL-mode connection holds a shared
lock on the database, and SQLite's unix VFS keeps a closed connection's
descriptor open while another connection of the same library holds a lock on
the file.  With a pinned connection in each copy, no descriptor of the file
is closed before exit and neither copy ever believes it is the last user, so
engine pools, :func:`raw_connect` connections and workspaces open and close
freely.  ``tests/storage/test_sqlite_libraries.py`` reproduces the loss
without the pins.

- Both pins open together when a workspace's engine is made, before any
  thread uses the file: the first connection of a copy may reset the ``-shm``
  index, which the other copy tolerates only while idle.
- They close at exit (ADBC, then sqlite3), when nothing is in a transaction;
  the last close checkpoints and removes the WAL, as before.  Compaction,
  which replaces the file, closes them earlier with :func:`release`.
- Never read or copy a database file with plain file I/O in a process that has
  it open: closing that descriptor drops the pins' locks too.
"""

from __future__ import annotations

import atexit
import sqlite3
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence
from urllib.parse import quote

from tieout.storage.errors import StoreError, describe_db_error, is_db_error

if TYPE_CHECKING:  # imported where used: a sync worker needs neither (it starts ~0.2 s sooner)
    import polars as pl
    from sqlalchemy import Engine

PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=10000",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA cache_size=-65536",  # 64 MiB: bulk upserts into indexed tables of 1M rows
    "PRAGMA temp_store=MEMORY",
)


def utc_now() -> str:
    """Current UTC time as ISO-8601 text with microseconds (sortable)."""
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


_READ_ONLY: set[str] = set()  # database files opened read-only in this process (see open_read_only)


def open_read_only(db_path: Path) -> None:
    """From now on this process opens ``db_path`` read-only: every write is refused by SQLite itself."""
    _READ_ONLY.add(str(Path(db_path).resolve()))


def is_read_only(db_path: Path) -> bool:
    return str(Path(db_path).resolve()) in _READ_ONLY


def sqlite_uri(db_path: Path) -> str:
    """The URI every connection to ``db_path`` opens.

    A read-only workspace cannot get the ``-wal``/``-shm`` files WAL mode needs, so
    without a pending WAL it is opened immutable (nobody can write it anyway).
    """
    path = Path(db_path).resolve()
    uri = "file:" + quote(str(path))
    if str(path) not in _READ_ONLY:
        return uri
    wal = path.with_name(path.name + "-wal")
    pending = wal.exists() and wal.stat().st_size > 0
    return uri + "?mode=ro" + ("" if pending else "&immutable=1")


def _apply_pragmas(dbapi_conn: sqlite3.Connection, read_only: bool = False) -> None:
    cur = dbapi_conn.cursor()
    for pragma in PRAGMAS:
        if not (read_only and "journal_mode" in pragma):  # the mode is stored in the file; setting it writes
            cur.execute(pragma)
    cur.close()


def make_engine(db_path: Path) -> Engine:
    """A SQLAlchemy engine whose every connection has WAL and foreign keys on (pins the file first)."""
    from sqlalchemy import create_engine, event

    pin(db_path, frames=True)
    uri = sqlite_uri(db_path)
    read_only = is_read_only(db_path)
    # the URL names the file so SQLAlchemy pools as for a file (QueuePool); the creator opens it by URI
    # (read-only workspaces)
    engine = create_engine(f"sqlite:///{Path(db_path).resolve()}",
                           creator=lambda: sqlite3.connect(uri, uri=True, check_same_thread=False))
    event.listen(engine, "connect", lambda conn, _record: _apply_pragmas(conn, read_only))
    return engine


def raw_connect(db_path: Path) -> sqlite3.Connection:
    """A plain sqlite3 connection for bulk writes; the caller manages transactions and closes it."""
    pin(db_path)
    return _connect(db_path)


def _connect(db_path: Path) -> sqlite3.Connection:
    """A new autocommit sqlite3 connection with :data:`PRAGMAS` applied."""
    conn = sqlite3.connect(sqlite_uri(db_path), isolation_level=None, check_same_thread=False, uri=True)
    _apply_pragmas(conn, is_read_only(db_path))
    return conn


def rollback_keeping_cause(rollback: Callable[[], object], cause: BaseException) -> None:
    """Roll back after ``cause``; if that fails too, ``cause`` stays the error reported, with a note.

    After a full disk SQLite has already rolled back on its own, and a second ROLLBACK fails with
    "cannot rollback - no transaction is active": that must not hide why the write failed.
    """
    try:
        rollback()
    except Exception as exc:  # noqa: BLE001 - the original error is the one that matters
        cause.add_note(f"rollback also failed: {exc}")


def rollback_raw(conn: sqlite3.Connection, cause: BaseException) -> None:
    """:func:`rollback_keeping_cause` for a plain sqlite3 connection (skipped if SQLite already rolled back)."""
    if conn.in_transaction:
        rollback_keeping_cause(lambda: conn.execute("ROLLBACK"), cause)


def read_frame(db_path: Path, sql: str, params: Sequence[Any] | None = None) -> pl.DataFrame:
    """Run ``sql`` and return a polars DataFrame through ADBC (Arrow, no Python rows).

    Integer columns stay Int64, so money stays exact.
    """
    pins = pin(db_path, frames=True)
    with _READ_LOCK, pins.frames().cursor() as cur:
        # one batch: the driver infers each column's type from its first batch, so a
        # column NULL for the first 1024 rows and text later would otherwise fail
        cur.adbc_statement.set_options(**{"adbc.sqlite.query.batch_rows": str(1 << 30)})
        try:
            cur.execute(sql, parameters=list(params) if params else None)
            table = cur.fetch_arrow_table()
        except Exception as exc:
            if is_db_error(exc):
                raise StoreError(describe_db_error(exc, db_path)) from None
            raise
    import polars as pl

    return pl.from_arrow(table)  # type: ignore[return-value]


@dataclass
class _Pins:
    """The connections one database file keeps for the life of the process, one per SQLite library."""

    sqlite: sqlite3.Connection
    adbc: tuple[Any, Any] | None = None  # low-level (database, connection): opening needs no pyarrow
    _frames: Any = None  # the DB-API wrapper of ``adbc``, made by the first read_frame

    def frames(self) -> Any:
        """The pinned ADBC connection as a DB-API connection (imports pyarrow on first use)."""
        if self._frames is None:
            from adbc_driver_sqlite.dbapi import AdbcSqliteConnection

            assert self.adbc is not None
            self._frames = AdbcSqliteConnection(*self.adbc, autocommit=True)
        return self._frames

    def close(self) -> None:
        if self._frames is not None:
            self._frames.close()
        elif self.adbc is not None:
            self.adbc[1].close()
            self.adbc[0].close()
        self.sqlite.close()


_PINS: dict[tuple[int, int], _Pins] = {}  # by the file's (device, inode): a file made anew at a path is pinned anew
_PIN_LOCK = threading.Lock()  # guards _PINS
_PIN_READ = "SELECT count(*) FROM sqlite_master"
_READ_LOCK = threading.Lock()  # one pinned ADBC connection per file: the app's worker threads take turns


def pin(db_path: Path, *, frames: bool = False) -> _Pins:
    """Open, once per process, the connections that keep ``db_path`` safe to share between the two
    SQLite libraries (see the module docstring): a sqlite3 one, and with ``frames`` an ADBC one.

    Each runs one read once the file is in WAL mode, which takes the shared lock an idle WAL
    connection keeps (switching a new, empty file to WAL takes none).
    """
    path = Path(db_path).resolve()
    with _PIN_LOCK:
        identity = _identity(path)
        pins = _PINS.get(identity) if identity else None
        if pins is None:
            if not _PINS:
                atexit.register(_close_pins)
            pins = _Pins(_connect(path))  # creates a missing file and makes it a WAL database
            pins.sqlite.execute(_PIN_READ).fetchone()  # in WAL mode now: the shared lock this takes is kept
            _PINS[_identity(path)] = pins  # type: ignore[index]
        if frames and pins.adbc is None:
            import adbc_driver_manager
            import adbc_driver_sqlite

            database = adbc_driver_sqlite.connect(sqlite_uri(path))
            conn = adbc_driver_manager.AdbcConnection(database)
            statement = adbc_driver_manager.AdbcStatement(conn)
            statement.set_sql_query(_PIN_READ)
            statement.execute_query()[0].release()
            statement.close()
            pins.adbc = (database, conn)
        return pins


def release(db_path: Path) -> None:
    """Close ``db_path``'s pins now (ADBC first), for a caller that must replace the file: it holds the
    workspace alone and has closed every other connection to the file in this process (compaction)."""
    with _PIN_LOCK, _READ_LOCK:
        identity = _identity(Path(db_path).resolve())
        pins = _PINS.pop(identity, None) if identity else None
        if pins is not None:
            pins.close()


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return stat.st_dev, stat.st_ino


def _close_pins() -> None:
    """At exit: every database's ADBC pin, then its sqlite3 one (nothing is in a transaction any more)."""
    with _PIN_LOCK, _READ_LOCK:
        for pins in _PINS.values():
            pins.close()
        _PINS.clear()
