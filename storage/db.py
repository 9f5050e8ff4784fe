"""SQLite connections with the pragmas every workspace relies on.

Small reads and writes go through SQLAlchemy/SQLModel (:func:`make_engine`);
bulk paths use :func:`raw_connect` (sqlite3 ``executemany``) or
:func:`read_frame` (ADBC → Arrow → polars), never one ORM object per row.
"""

from __future__ import annotations

import atexit
import sqlite3
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

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


def _apply_pragmas(dbapi_conn: sqlite3.Connection) -> None:
    cur = dbapi_conn.cursor()
    for pragma in PRAGMAS:
        cur.execute(pragma)
    cur.close()


def make_engine(db_path: Path) -> Engine:
    from sqlalchemy import create_engine, event

    """A SQLAlchemy engine whose every connection has WAL and foreign keys on."""
    engine = create_engine(f"sqlite:///{db_path}", connect_args={"check_same_thread": False})
    event.listen(engine, "connect", lambda conn, _record: _apply_pragmas(conn))
    return engine


def raw_connect(db_path: Path) -> sqlite3.Connection:
    """A plain sqlite3 connection for bulk writes; the caller manages transactions."""
    conn = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
    _apply_pragmas(conn)
    return conn


def read_frame(db_path: Path, sql: str, params: Sequence[Any] | None = None) -> pl.DataFrame:
    """Run ``sql`` and return a polars DataFrame through ADBC (Arrow, no Python rows).

    Integer columns stay Int64, so money stays exact.
    """
    with _ADBC_LOCK, _adbc_connection(db_path).cursor() as cur:
        # one batch: the driver infers each column's type from its first batch, so a
        # column NULL for the first 1024 rows and text later would otherwise fail
        cur.adbc_statement.set_options(**{"adbc.sqlite.query.batch_rows": str(1 << 30)})
        cur.execute(sql, parameters=list(params) if params else None)
        table = cur.fetch_arrow_table()
    import polars as pl

    return pl.from_arrow(table)  # type: ignore[return-value]


_ADBC: dict[str, Any] = {}
_ADBC_LOCK = threading.RLock()  # one shared connection: the app's worker threads take turns


def _adbc_connection(db_path: Path) -> Any:
    """One autocommit ADBC connection per database file, kept open for the process.

    The ADBC driver links its own copy of SQLite.  Closing a connection of one
    copy drops the POSIX locks of every connection in the process and makes that
    copy believe it is the last user, so it deletes the -wal/-shm files under the
    other copy's open connections: committed-but-not-checkpointed rows are lost
    ("disk I/O error").  Never closing the ADBC connection avoids that.
    """
    import adbc_driver_sqlite.dbapi as adbc

    key = str(Path(db_path).resolve())
    if key not in _ADBC:
        if not _ADBC:
            atexit.register(close_frames)
        _ADBC[key] = adbc.connect(key, autocommit=True)
    return _ADBC[key]


def close_frames(db_path: Path | None = None) -> None:
    """Close the ADBC connection of ``db_path`` (all of them by default) once its other connections are closed."""
    keys = [str(Path(db_path).resolve())] if db_path else list(_ADBC)
    with _ADBC_LOCK:
        for key in keys:
            conn = _ADBC.pop(key, None)
            if conn is not None:
                conn.close()
