"""Fixtures for the matching engine: a service over the test workspace, and the sample month loaded."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tieout import reconcile
from tieout.storage.workspace import Workspace, init_workspace
from tests.support import SAMPLE_MONTH


@pytest.fixture
def svc(ws: Workspace) -> reconcile.Service:
    return reconcile.Service(ws)


@pytest.fixture(scope="session")
def _sample_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The committed sample month loaded once per session (then copied per test)."""
    from tieout.connectors.sample_load import load_sample

    folder = tmp_path_factory.mktemp("sample") / "ws"
    workspace = init_workspace(folder, user="loader")
    load_sample(workspace, SAMPLE_MONTH)
    workspace.close()
    return folder


@pytest.fixture
def sample_svc(_sample_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> reconcile.Service:
    """A private copy of the loaded sample month."""
    monkeypatch.setenv("TIEOUT_USER", "tester")
    folder = tmp_path / "sample-ws"
    shutil.copytree(_sample_template, folder)
    service = reconcile.open_workspace(folder)
    yield service
    service.ws.close()
