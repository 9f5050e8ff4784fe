"""What ``tieout doctor`` asks of the store: integrity, owner-only files, disk room, periods left open."""

from __future__ import annotations

import shutil
import sqlite3
import stat
from pathlib import Path

FOLDER_MODE = 0o700
FILE_MODE = 0o600
MIN_FREE_BYTES = 256 << 20  # a sync or an export of a big month needs this much room at least


def integrity_problems(conn: sqlite3.Connection, limit: int = 5) -> list[str]:
    """``PRAGMA integrity_check``: nothing when the file is sound, else its first few findings."""
    rows = [row[0] for row in conn.execute(f"PRAGMA integrity_check({int(limit)})")]
    return [] if rows == ["ok"] else rows


def loose_modes(folder: Path, files: list[str]) -> list[str]:
    """Workspace paths others can read or write, each with the chmod that makes it owner-only."""
    loose = []
    mode = stat.S_IMODE(folder.stat().st_mode)
    if mode & 0o077:
        loose.append(f"chmod {FOLDER_MODE:o} {folder} (is {mode:04o})")
    for name in files:
        path = folder / name
        if path.exists() and stat.S_IMODE(path.stat().st_mode) & 0o077:
            loose.append(f"chmod {FILE_MODE:o} {path} (is {stat.S_IMODE(path.stat().st_mode):04o})")
    return loose


def free_space(folder: Path, db_path: Path) -> tuple[int, int]:
    """Bytes free on the workspace's disk, and the least it should have (twice the database, 256 MiB at least)."""
    needed = max(MIN_FREE_BYTES, 2 * (db_path.stat().st_size if db_path.exists() else 0))
    return shutil.disk_usage(folder).free, needed


def open_periods(conn: sqlite3.Connection) -> list[str]:
    """Periods that have been matched and are not locked for the whole workspace."""
    rows = conn.execute("SELECT DISTINCT period FROM match_run WHERE status = 'ok' EXCEPT "
                        "SELECT period FROM period WHERE entity = '' AND status = 'locked' ORDER BY 1")
    return [row[0] for row in rows]
