"""Fixtures shared by every test folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from tieout.storage.workspace import Workspace, init_workspace

REPO = Path(__file__).resolve().parents[1]
SAMPLE_MONTH = REPO / "sample_data" / "month"


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    """A fresh workspace on a real SQLite file, acting as user 'tester'."""
    monkeypatch.setenv("TIEOUT_USER", "tester")
    workspace = init_workspace(tmp_path / "ws")
    yield workspace
    workspace.close()
