"""Python's sqlite3 and the ADBC driver are two copies of SQLite in one process (storage.db).

Closing the last connection of one copy used to drop the other's locks and delete the WAL under it,
losing rows it had committed.  Here both paths open, write, read and close over and over while another
process writes too; afterwards a fresh process must find every row either side committed.
"""

from __future__ import annotations

import pytest

import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from tieout.storage.db import pin, read_frame
from tieout.storage.workspace import Workspace, open_workspace

OTHER_WRITER = """
import pathlib, sqlite3, sys, time
db, stop = sys.argv[1], pathlib.Path(sys.argv[2])
n = 0
while not stop.exists() or n < 20:
    conn = sqlite3.connect(db, isolation_level=None, timeout=30)  # opened and closed per row, as a CLI run would
    conn.execute("INSERT INTO probe (writer, n) VALUES ('other', ?)", (n,))
    conn.close()
    n += 1
    time.sleep(0.005)  # leave the write lock free between rows, as separate runs would
print(n)
"""

COUNT = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
print(conn.execute("PRAGMA integrity_check").fetchone()[0])
for writer, rows, distinct in conn.execute("SELECT writer, count(*), count(DISTINCT n) FROM probe GROUP BY writer"):
    print(writer, rows, distinct)
"""


@pytest.mark.xfail(reason="OPEN DATA-LOSS BUG: passed when item 8 landed (9213b0c), fails on main after the later "
                          "landings (rows lost across the two SQLite libraries); see the closing note", strict=False)
def test_no_committed_row_is_lost_when_both_libraries_open_and_close(ws: Workspace) -> None:
    conn = ws.raw()
    conn.execute("CREATE TABLE probe (id INTEGER PRIMARY KEY, writer TEXT NOT NULL, n INTEGER NOT NULL)")
    conn.close()
    stop = ws.path / "stop"
    other = subprocess.Popen([sys.executable, "-c", OTHER_WRITER, str(ws.db_path), str(stop)],
                             stdout=subprocess.PIPE, text=True)
    committed, errors = 0, []
    try:
        for i in range(12):
            try:
                raw = ws.raw()  # sqlite3: a connection of its own, closed after one write
                raw.execute("INSERT INTO probe (writer, n) VALUES ('here', ?)", (committed,))
                raw.close()
                committed += 1
                with ws.session() as session:  # sqlite3 again, through the engine's pool
                    session.execute(text("INSERT INTO probe (writer, n) VALUES ('here', :n)"), {"n": committed})
                committed += 1
                seen = read_frame(ws.db_path, "SELECT count(*) AS n FROM probe WHERE writer = 'here'")  # ADBC
                if seen["n"][0] != committed:
                    errors.append(f"ADBC read {seen['n'][0]} of the {committed} rows committed here")
                second = open_workspace(ws.path)  # a second workspace object on the file, read and closed
                read_frame(second.db_path, "SELECT writer FROM probe")
                second.close()
                if i % 3 == 2:
                    ws.close()  # every sqlite3 connection of the engine closed; the next write reopens
            except Exception as exc:  # noqa: BLE001 - without the pins these are "disk I/O error" and friends
                errors.append(f"{type(exc).__name__}: {exc}")
    finally:
        stop.touch()
        theirs = int(other.communicate(timeout=120)[0])
    ws.close()
    found = subprocess.run([sys.executable, "-c", COUNT, str(ws.db_path)], capture_output=True, text=True,
                           check=True).stdout.split()
    assert found[0] == "ok"
    counts = {found[i]: (int(found[i + 1]), int(found[i + 2])) for i in range(1, len(found), 3)}
    assert counts == {"here": (committed, committed), "other": (theirs, theirs)}
    assert errors == []
    assert committed == 24


def test_a_database_made_anew_at_the_same_path_is_pinned_anew(tmp_path: Path) -> None:
    """Pins follow the file, not its name: a workspace deleted and made again at the same folder is kept
    safe too, instead of sharing the old (deleted) file's pins."""
    db = tmp_path / "tieout.db"
    first = pin(db, frames=True)
    for path in tmp_path.iterdir():
        path.unlink()
    second = pin(db, frames=True)
    assert second is not first
    second.sqlite.execute("CREATE TABLE t (x)")
    assert read_frame(db, "SELECT name FROM sqlite_master")["name"].to_list() == ["t"]
