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


# One edit per hashed column of event 3 (a break.note by "tester" on break b1): each must break the chain there.
@pytest.mark.parametrize(("column", "value"), [
    ("at", "2020-01-01T00:00:00Z"),
    ("user", "mallory"),
    ("action", "break.status"),
    ("object_type", "match"),
    ("object_id", "b9"),
    ("details", '{"note": "edited"}'),
])
def test_an_edit_to_any_hashed_column_is_detected_at_that_event(ws: Workspace, column: str, value: str) -> None:
    _append(ws, 4)
    with sqlite3.connect(ws.db_path) as conn:
        before = conn.execute(f"SELECT {column} FROM audit_event WHERE id = 3").fetchone()[0]
        assert before != value
        conn.execute(f"UPDATE audit_event SET {column} = ? WHERE id = 3", (value,))
    with ws.session() as s:
        result = audit.verify(s)
    assert (result.ok, result.broken_id, result.problem) == (False, 3, "content does not match its hash")


def test_an_edited_prev_hash_is_detected(ws: Workspace) -> None:
    _append(ws, 4)
    with sqlite3.connect(ws.db_path) as conn:
        conn.execute("UPDATE audit_event SET prev_hash = ? WHERE id = 3", ("f" * 64,))
    with ws.session() as s:
        result = audit.verify(s)
    assert (result.ok, result.broken_id) == (False, 3)


def test_a_deleted_event_with_the_next_one_relinked_is_detected(ws: Workspace) -> None:
    """Splicing out event 3 and pointing event 4 at event 2 leaves prev_hash links intact; the hash still breaks."""
    _append(ws, 4)
    with sqlite3.connect(ws.db_path) as conn:
        head2 = conn.execute("SELECT hash FROM audit_event WHERE id = 2").fetchone()[0]
        conn.execute("DELETE FROM audit_event WHERE id = 3")
        conn.execute("UPDATE audit_event SET prev_hash = ? WHERE id = 4", (head2,))
    with ws.session() as s:
        result = audit.verify(s)
    assert (result.ok, result.broken_id, result.problem) == (False, 4, "content does not match its hash")


@pytest.mark.parametrize("keep", [3, 0], ids=["newest_events", "all_events"])
def test_deleting_the_newest_events_is_detected(ws: Workspace, keep: int) -> None:
    _append(ws, 4)
    with sqlite3.connect(ws.db_path) as conn:
        conn.execute("DELETE FROM audit_event WHERE id > ?", (keep,))
    out = CliRunner().invoke(cli, ["audit", "verify", "--workspace", str(ws.path)])
    assert out.exit_code == 1, out.output


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


def test_record_stores_the_event_as_given(ws: Workspace) -> None:
    """Ids are stored as text, absent ones as NULL, details as JSON with sorted keys (what the hash covers)."""
    ws.audit("break.note", object_type="break", object_id=7, details={"z": 1, "a": "café"})
    ws.audit("sync.run")
    with sqlite3.connect(ws.db_path) as conn:
        rows = conn.execute("SELECT object_type, object_id, details FROM audit_event WHERE id > 1 ORDER BY id")
        assert rows.fetchall() == [("break", "7", '{"a": "café", "z": 1}'), (None, None, "{}")]


def test_events_filter_by_period_newest_first_and_limit(ws: Workspace) -> None:
    for period in ("2026-09", "2026-10", "2026-10"):
        ws.audit("break.note", object_type="break", object_id="b", details={"period": period})
    assert audit.events(ws.db_path)["id"].to_list() == [1, 2, 3, 4]
    assert audit.events(ws.db_path, period="2026-10")["id"].to_list() == [3, 4]
    assert audit.events(ws.db_path, newest_first=True, limit=2)["id"].to_list() == [4, 3]
