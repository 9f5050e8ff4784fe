"""Period sign-off: maker-checker, locking refuses changes, every step audited."""

from __future__ import annotations

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
