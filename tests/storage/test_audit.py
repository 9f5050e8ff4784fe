"""The hash-chained audit log detects edits, deletions and forks."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from typer.testing import CliRunner

from tieout.app.cli import cli
from tieout.storage import audit
from tieout.storage.workspace import Workspace


def _append(ws: Workspace, n: int) -> None:
    for i in range(n):
        ws.audit("break.note", object_type="break", object_id=f"b{i}", details={"note": f"note {i}"})


def test_chain_verifies_and_head_moves(ws: Workspace) -> None:
    with ws.session() as s:
        first = audit.verify(s)
    _append(ws, 3)
    with ws.session() as s:
        result = audit.verify(s)
    assert result.ok and result.events == 4 and result.head != first.head


@pytest.mark.parametrize(
    "tamper",
    [
        "UPDATE audit_event SET details = '{\"note\": \"edited\"}' WHERE id = 3",
        "UPDATE audit_event SET user = 'mallory' WHERE id = 3",
        "DELETE FROM audit_event WHERE id = 3",
    ],
)
def test_raw_sql_tampering_is_detected(ws: Workspace, tamper: str) -> None:
    _append(ws, 4)
    with sqlite3.connect(ws.db_path) as conn:
        conn.execute(tamper)
    with ws.session() as s:
        result = audit.verify(s)
    assert not result.ok
    assert result.broken_id in (3, 4)

    runner = CliRunner()
    out = runner.invoke(cli, ["audit", "verify", "--workspace", str(ws.path)])
    assert out.exit_code == 1
    assert f"BROKEN at audit event {result.broken_id}" in out.output


def test_cli_verify_ok(ws: Workspace) -> None:
    _append(ws, 2)
    out = CliRunner().invoke(cli, ["audit", "verify", "--workspace", str(ws.path)])
    assert out.exit_code == 0, out.output
    assert out.output.startswith("OK: 3 events, chain head ")


def test_a_fork_of_the_chain_is_refused(ws: Workspace) -> None:
    """Two writers appending after the same head: the second insert fails, no fork."""
    with ws.session() as s:
        head = audit.chain_head(s)
    with pytest.raises(IntegrityError):
        with ws.session() as s:
            audit.record(s, user="a", action="x")
            s.execute(
                text("INSERT INTO audit_event (at, user, action, details, prev_hash, hash) VALUES ('t','b','y','{}',:p,'h')"),
                {"p": head},
            )
