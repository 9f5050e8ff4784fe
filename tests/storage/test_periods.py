"""Period sign-off: maker-checker, locking refuses changes, every step audited."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from tieout.app.cli import cli
from tieout.storage import audit, periods
from tieout.storage.workspace import Workspace


def _run(ws: Workspace, user: str, *args: str):
    return CliRunner().invoke(cli, [*args, "--workspace", str(ws.path)], env={"TIEOUT_USER": user})


def test_prepare_review_lock_unlock_via_cli(ws: Workspace) -> None:
    assert _run(ws, "ana", "period", "prepare", "--period", "2026-10").exit_code == 0
    same = _run(ws, "ana", "period", "review", "--period", "2026-10")
    assert same.exit_code == 1 and "a different user must review" in same.output
    assert _run(ws, "rita", "period", "review", "--period", "2026-10").exit_code == 0
    assert _run(ws, "rita", "period", "lock", "--period", "2026-10").exit_code == 0

    with ws.session() as s:
        assert periods.is_locked(s, "2026-10", "US")  # a workspace lock covers every entity
        with pytest.raises(periods.PeriodError, match="2026-10 for US is locked"):
            periods.ensure_open(s, "2026-10", "US")
        periods.ensure_open(s, "2026-09", "US")

    again = _run(ws, "ana", "period", "prepare", "--period", "2026-10")
    assert again.exit_code == 1 and "locked" in again.output
    assert _run(ws, "ana", "period", "unlock", "--period", "2026-10", "--reason", "late credit memo").exit_code == 0

    listed = _run(ws, "ana", "period", "list", "--format", "json")
    assert '"status": "open"' in listed.output and '"preparer": "ana"' in listed.output
    with ws.session() as s:
        actions = [r[0] for r in s.execute(text("SELECT action FROM audit_event ORDER BY id"))]
        assert audit.verify(s).ok
    assert actions == ["workspace.init", "period.prepare", "period.review", "period.lock", "period.unlock"]


def test_lock_needs_review_and_period_format(ws: Workspace) -> None:
    with ws.session() as s:
        periods.prepare(s, "2026-10", "EU", "ana")
        with pytest.raises(periods.PeriodError, match="prepared and reviewed"):
            periods.lock(s, "2026-10", "EU", "ana")
        assert not periods.is_locked(s, "2026-10", "US")
    bad = _run(ws, "ana", "period", "prepare", "--period", "2026-13")
    assert bad.exit_code == 1 and "calendar month" in bad.output


def _open_break(ws: Workspace, break_id: str, period: str = "2026-10", amount: int = 100) -> None:
    with ws.session() as s:
        s.execute(text(
            'INSERT INTO "break" (id, domain, object_type, kind, status, period, entity, currency, amount, '
            "billing_ids, erp_ids, details, opened_at, updated_at) VALUES (:id, 'invoice', 'invoice', "
            "'missing_in_erp', 'open', :p, 'US', 'USD', :a, '[]', '[]', '{}', 't', 't')"),
            {"id": break_id, "p": period, "a": amount})


def test_prepare_needs_every_break_dealt_with_or_carried_forward(ws: Workspace) -> None:
    _open_break(ws, "b1", amount=500)
    _open_break(ws, "b2")
    refused = _run(ws, "ana", "period", "prepare", "--period", "2026-10")
    assert refused.exit_code == 1 and "2 break(s) still open (b1, b2)" in refused.output
    no_reason = _run(ws, "ana", "period", "prepare", "--period", "2026-10", "--carry-forward", "b1")
    assert no_reason.exit_code == 1 and "needs a reason" in no_reason.output
    partly = _run(ws, "ana", "period", "prepare", "--period", "2026-10", "--carry-forward", "b1", "--reason", "r")
    assert partly.exit_code == 1 and "1 break(s) still open (b2)" in partly.output
    with ws.session() as s:  # a refused prepare carries nothing
        assert periods.carried(s, "2026-10", None) == []
    done = _run(ws, "ana", "period", "prepare", "--period", "2026-10", "--all-open", "--reason", "October credits")
    assert done.exit_code == 0 and "2 break(s) carried into 2026-11" in done.output
    with ws.session() as s:
        nov = periods.carried(s, "2026-11", None)
        assert [(c["direction"], c["break_id"], c["reason"]) for c in nov] == [
            ("in", "b1", "October credits"), ("in", "b2", "October credits")]
        assert periods.open_breaks(s, "2026-11", None) == ["b1", "b2"]  # November must deal with them
        assert periods.open_breaks(s, "2026-10", None) == []
        events = [r[0] for r in s.execute(text("SELECT action FROM audit_event WHERE action LIKE 'break.%'"))]
    assert events == ["break.carry_forward", "break.carry_forward"]
    listed = _run(ws, "ana", "period", "carried", "--period", "2026-11", "--format", "json")
    assert [(r["direction"], r["break_id"]) for r in json.loads(listed.output)] == [("in", "b1"), ("in", "b2")]
    refused_nov = _run(ws, "ana", "period", "prepare", "--period", "2026-11")
    assert refused_nov.exit_code == 1 and "still open (b1, b2)" in refused_nov.output
    assert _run(ws, "rita", "period", "review", "--period", "2026-10").exit_code == 0


def test_review_refuses_breaks_opened_after_preparation(ws: Workspace) -> None:
    assert _run(ws, "ana", "period", "prepare", "--period", "2026-10").exit_code == 0
    _open_break(ws, "late")
    refused = _run(ws, "rita", "period", "review", "--period", "2026-10")
    assert refused.exit_code == 1 and "cannot review: 1 break(s) still open (late)" in refused.output
