"""Every command against every kind of broken workspace: one line naming the file, exit 1, no traceback."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Callable

import pytest
from typer.testing import CliRunner

from tieout.app.cli import cli
from tieout.storage.workspace import DB_NAME, init_workspace

COMMANDS = [
    ["breaks"],
    ["audit", "verify"],
    ["audit", "log"],
    ["match", "--period", "2026-10"],
    ["export", "--period", "2026-10", "--out", "{tmp}/wp.xlsx"],
    ["period", "list"],
    ["period", "prepare", "--period", "2026-10"],
    ["source", "list"],
    ["sync"],
    ["break", "set", "b1", "--status", "investigating"],
    ["rules", "check"],
    ["doctor"],
    ["exceptions", "list"],
    ["audit", "anchor"],
]


def _garbage(db: Path) -> None:
    db.write_bytes(bytes(range(256)) * 400)


def _truncated(db: Path) -> None:
    db.write_bytes(db.read_bytes()[: 40 * 4096])


def _zero_bytes(db: Path) -> None:
    db.write_bytes(b"")


def _missing(db: Path) -> None:
    db.unlink()


def _sql(db: Path, statement: str) -> None:
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute(statement)
    conn.close()  # the last connection checkpoints the WAL into the file


def _no_version_table(db: Path) -> None:
    _sql(db, "DROP TABLE alembic_version")


def _newer(db: Path) -> None:
    _sql(db, "UPDATE alembic_version SET version_num = '0999_from_the_future'")


BREAKAGES: dict[str, tuple[Callable[[Path], None], str]] = {
    "garbage": (_garbage, "not a SQLite database"),
    "truncated": (_truncated, "damaged"),
    "zero_bytes": (_zero_bytes, "only `tieout init` creates a store"),
    "missing": (_missing, "only `tieout init` creates a store"),
    "no_alembic_version": (_no_version_table, "alembic_version) is missing"),
    "newer": (_newer, "made by a newer tieout (tieout"),
}


@pytest.fixture(scope="module")
def healthy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace with enough history that cutting its file short loses tables' pages."""
    ws = init_workspace(tmp_path_factory.mktemp("healthy") / "ws", user="tester")
    for i in range(400):
        ws.audit("break.note", object_type="break", object_id=f"b{i}", details={"note": "x" * 200})
    ws.close()
    return ws.path


@pytest.mark.parametrize("breakage", sorted(BREAKAGES))
def test_each_command_fails_in_one_line_on_a_broken_workspace(healthy: Path, tmp_path: Path, breakage: str) -> None:
    folder = tmp_path / "ws"
    shutil.copytree(healthy, folder)
    damage, expected = BREAKAGES[breakage]
    damage(folder / DB_NAME)
    before = (folder / DB_NAME).read_bytes() if (folder / DB_NAME).exists() else None
    for command in COMMANDS:
        args = [a.replace("{tmp}", str(tmp_path)) for a in command] + ["--workspace", str(folder)]
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 1, (args, result.output)
        assert isinstance(result.exception, SystemExit), (args, result.exception)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), (args, result.stderr)
        assert str(folder / DB_NAME) in lines[0] and expected in lines[0], (args, lines[0])
        assert "Traceback" not in result.output
    # nothing was silently rebuilt in its place
    assert ((folder / DB_NAME).read_bytes() if (folder / DB_NAME).exists() else None) == before
