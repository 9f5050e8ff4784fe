"""The audit log's end is anchored outside the database, and the review history must replay to the stored state.

Deleting the newest events kept a chain that links up, and a break resolved by a direct SQL update
passed verification; both are caught now.
"""

from __future__ import annotations

import json
import sqlite3

import pytest
from typer.testing import CliRunner

from tieout.app.cli import cli
from tieout.reconcile.service import Service
from tieout.storage import audit
from tieout.storage.workspace import Workspace
from tests.support import Books, invoice


def _verify(ws: Workspace, *extra: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, ["audit", "verify", "--workspace", str(ws.path), *extra])


def _sql(ws: Workspace, statement: str, *params: object) -> None:
    conn = sqlite3.connect(ws.db_path)
    with conn:
        conn.execute(statement, params)
    conn.close()


def _append(ws: Workspace, n: int) -> None:
    for i in range(n):
        ws.audit("break.note", object_type="break", object_id=f"b{i}", details={"note": f"note {i}"})


@pytest.mark.parametrize("cut", ["DELETE FROM audit_event WHERE id > 3", "DELETE FROM audit_event"])
def test_deleting_the_newest_events_or_all_of_them_is_caught(ws: Workspace, cut: str) -> None:
    _append(ws, 4)
    assert _verify(ws).exit_code == 0
    _sql(ws, cut)
    with ws.session() as s:  # the chain alone still links up
        assert audit.verify(s).ok
    result = _verify(ws)
    assert result.exit_code == 1
    assert "but its anchor says 5 (head" in result.stderr and "deleted from its end" in result.stderr


def test_cutting_the_log_and_appending_again_is_caught(ws: Workspace) -> None:
    _append(ws, 3)
    _sql(ws, "DELETE FROM audit_event WHERE id > 2")
    _append(ws, 2)  # as many events again, the anchor rewritten... but only forward, never back
    result = _verify(ws)
    assert result.exit_code == 1 and "is not the anchored head" in result.stderr


def test_anchor_prints_the_head_and_verify_checks_a_head_written_elsewhere(ws: Workspace) -> None:
    _append(ws, 2)
    runner = CliRunner()
    head = runner.invoke(cli, ["audit", "anchor", "-w", str(ws.path)]).stdout.strip()
    as_json = json.loads(runner.invoke(cli, ["audit", "anchor", "-f", "json", "-w", str(ws.path)]).stdout)
    assert as_json == {"head": head, "events": 3}
    assert json.loads(ws.anchor_path.read_text())["head"] == head
    _append(ws, 2)
    assert _verify(ws, "--anchor", head).exit_code == 0
    # the anchor file goes too, but the head on the ticket still catches the cut
    _sql(ws, "DELETE FROM audit_event WHERE id > 2")
    ws.anchor_path.unlink()
    result = _verify(ws, "--anchor", head)
    assert result.exit_code == 1 and f"head {head} is not in the log" in result.stderr


def test_a_missing_anchor_file_is_reported(ws: Workspace) -> None:
    ws.anchor_path.unlink()
    result = _verify(ws)
    assert result.exit_code == 1 and "no anchor file" in result.stderr


def test_an_anchor_left_behind_by_a_crash_still_verifies(ws: Workspace) -> None:
    """The anchor is written just after the commit; a process killed in between leaves it behind."""
    conn = sqlite3.connect(ws.db_path, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    audit.record(conn, user="tester", action="break.note", object_type="break", object_id="b1")
    conn.execute("COMMIT")
    conn.close()
    assert json.loads(ws.anchor_path.read_text())["events"] == 1
    assert _verify(ws).exit_code == 0


@pytest.fixture
def svc(ws: Workspace) -> Service:
    return Service(ws)


def _reviewed(svc: Service, books: Books) -> list[str]:
    books.add("billing", invoice("in_1"), invoice("in_2"), invoice("in_3")).ingest()
    svc.match("2026-10")
    ids = sorted(svc.breaks("2026-10")["id"])
    svc.set_status(ids[0], "investigating", note="asking sales")
    return ids


def test_a_break_status_changed_in_sql_has_no_audited_cause(svc: Service, books: Books) -> None:
    ids = _reviewed(svc, books)
    assert _verify(svc.ws).exit_code == 0
    _sql(svc.ws, "UPDATE \"break\" SET status = 'resolved', reason = 'write_off' WHERE id = ?", ids[1])
    result = _verify(svc.ws)
    assert result.exit_code == 1
    assert f"break {ids[1]}: status 'resolved' but its audited history ends in 'open'" in result.stderr


def test_a_forged_history_row_has_no_audit_event(svc: Service, books: Books) -> None:
    ids = _reviewed(svc, books)
    _sql(svc.ws, "UPDATE \"break\" SET status = 'resolved' WHERE id = ?", ids[2])
    _sql(svc.ws, "INSERT INTO break_event (break_id, at, user, action, from_status, to_status) "
                 "VALUES (?, '2026-11-01T00:00:00+00:00', 'mallory', 'status', 'open', 'resolved')", ids[2])
    result = _verify(svc.ws)
    assert result.exit_code == 1
    assert f"break {ids[2]}: status change 'open' -> 'resolved' has no audit event" in result.stderr


def test_manual_matches_and_their_undoing_replay(svc: Service, books: Books) -> None:
    books.add("billing", invoice("in_9", total=5000)).add("erp", invoice("9001", "erp", ref="in_x", total=5100))
    books.ingest()
    svc.match("2026-10")
    match_id = svc.manual_match("invoice", ["in_9"], ["9001"], reason="same order, wrong reference")
    assert _verify(svc.ws).exit_code == 0
    svc.unmatch(match_id, reason="not the same order after all")
    assert _verify(svc.ws).exit_code == 0
    _sql(svc.ws, 'UPDATE "match" SET active = 1 WHERE id = ?', match_id)
    result = _verify(svc.ws)
    assert result.exit_code == 1 and f"match {match_id}: active, but its audited history says unmatched" in result.stderr
    _sql(svc.ws, 'INSERT INTO "match" (domain, object_type, rule, billing_ids, erp_ids, billing_amount, erp_amount, '
                 "differences, manual, active) VALUES ('invoice', 'invoice', 'manual', '[]', '[]', 0, 0, '{}', 1, 1)")
    assert "a manual match with no audit event" in _verify(svc.ws).stderr


def test_a_period_unlocked_in_sql_has_no_audited_cause(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    for user, step in (("ann", "prepare"), ("bob", "review"), ("bob", "lock")):
        monkeypatch.setenv("TIEOUT_USER", user)
        assert runner.invoke(cli, ["period", step, "-p", "2026-10", "-w", str(ws.path)]).exit_code == 0
    assert _verify(ws).exit_code == 0
    _sql(ws, "UPDATE period SET status = 'open', locked_by = NULL")
    result = _verify(ws)
    assert result.exit_code == 1
    assert "period 2026-10/*: status 'open' but its audited history ends in 'locked'" in result.stderr
    _sql(ws, "DELETE FROM period")
    assert "period 2026-10/*: no stored sign-off, but its audited history ends in 'locked'" in _verify(ws).stderr


def test_the_docstring_no_longer_claims_any_deletion_breaks_the_chain() -> None:
    doc = audit.__doc__ or ""
    assert "deleting any stored event" not in doc and "anchor" in doc
