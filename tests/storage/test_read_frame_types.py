"""read_frame infers each column's type from every row, not just the first batch."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import polars as pl

from tieout.storage.db import read_frame


def test_column_null_for_the_first_batch_then_text(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE t (n INTEGER, who TEXT)")
    conn.executemany("INSERT INTO t VALUES (?, ?)", [(i, None if i < 3000 else "ana") for i in range(3100)])
    conn.commit()
    conn.close()
    frame = read_frame(db, "SELECT n, who FROM t ORDER BY n")
    assert frame.schema["who"] == pl.String
    assert frame["who"].drop_nulls().to_list() == ["ana"] * 100
