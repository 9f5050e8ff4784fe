"""The canonical tables' secondary indexes, built after the first load into an empty store.

Why: every row a sync upserts also goes into each of its table's non-unique indexes (periods,
counterpart refs, raw record ids), one random B-tree insert at a time; building an index over
rows already stored is one sort, and leaves its pages full.  The unique (source, external id)
keys stay, since the upserts need them.  See bench/README.md for the measurement.

Only a first load drops them (a store with no raw records yet: nothing to read meanwhile);
:func:`restore` builds whatever is missing, and runs when the load ends and whenever a
workspace opens, so a load killed midway leaves nothing missing for long.
"""

from __future__ import annotations

import sqlite3

from sqlalchemy import Engine

from tieout.storage.db import rollback_raw
from tieout.storage.models import CANONICAL_TABLES


def _secondary(conn: sqlite3.Connection) -> list[str]:
    tables = list(CANONICAL_TABLES)
    marks = ",".join("?" * len(tables))
    return [name for (name,) in conn.execute(
        f"SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%' "
        f"AND tbl_name IN ({marks})", tables)]


def drop_for_first_load(conn: sqlite3.Connection) -> bool:
    """Drop the secondary indexes if the store holds no records yet; True if it did (call :func:`restore` after)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        first = conn.execute("SELECT NOT EXISTS (SELECT 1 FROM raw_record)").fetchone()[0]
        if first:
            for name in _secondary(conn):
                conn.execute(f'DROP INDEX "{name}"')
        conn.execute("COMMIT")
    except BaseException as exc:  # a full disk may have rolled back already: report the cause, not the rollback
        rollback_raw(conn, exc)
        raise
    return bool(first)


def restore(engine: Engine) -> None:
    """Create every canonical index the models declare that the database lacks."""
    with engine.begin() as conn:
        present = {name for (name,) in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'index'")}
        for model in CANONICAL_TABLES.values():
            for index in model.__table__.indexes:  # type: ignore[attr-defined]
                if index.name not in present:
                    index.create(conn)
