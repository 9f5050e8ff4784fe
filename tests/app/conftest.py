"""Fixtures for the review app: a workspace holding the sample month, matched for October 2026.

The sample is loaded and matched once per session into a template folder;
each test gets its own copy, so tests can change state freely.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tieout.connectors.sample_load import load_sample
from tieout.reconcile.service import Service, open_workspace
from tieout.storage.workspace import init_workspace
from tests.support import SAMPLE_MONTH, SAMPLE_PERIOD


@pytest.fixture(scope="session")
def matched_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("template") / "ws"
    ws = init_workspace(folder, name="demo", user="tester")
    load_sample(ws, SAMPLE_MONTH)
    ws.close()
    svc = open_workspace(folder)
    svc.match(SAMPLE_PERIOD, user="tester")
    svc.ws.close()
    return folder


@pytest.fixture
def svc(matched_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Service:
    """A service over a private copy of the matched sample workspace, acting as 'tester'."""
    monkeypatch.setenv("TIEOUT_USER", "tester")
    folder = tmp_path / "ws"
    shutil.copytree(matched_template, folder)
    service = open_workspace(folder)
    yield service
    service.ws.close()
