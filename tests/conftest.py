"""Fixtures shared by every test folder."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest

from tieout.storage.workspace import Workspace, init_workspace
from tests.support import SAMPLE_MONTH, Books, invoice


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    """A fresh workspace on a real SQLite file, acting as user 'tester'."""
    monkeypatch.setenv("TIEOUT_USER", "tester")
    workspace = init_workspace(tmp_path / "ws")
    yield workspace
    workspace.close()


@pytest.fixture(name="invoice")
def invoice_fixture() -> Callable[..., dict]:
    """The :func:`tests.support.invoice` row builder."""
    return invoice


@pytest.fixture
def books(ws: Workspace) -> Books:
    """Canonical rows written into ``ws`` through the real ingest path."""
    return Books(ws)


@pytest.fixture
def sample_month() -> Path:
    """The committed sample month's folder."""
    return SAMPLE_MONTH
