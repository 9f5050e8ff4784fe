"""Helpers for CLI tests: run `tieout` in-process against a workspace, as a scheduler or a person would."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from tieout.app.cli import cli
from tieout.reconcile.service import Service


@pytest.fixture
def tieout(svc: Service):  # type: ignore[no-untyped-def]
    """``tieout("breaks", "-p", "2026-10")`` on the matched sample workspace, as user 'tester'."""
    def run(*args: str, workspace: Path | None = None) -> Result:
        return CliRunner().invoke(cli, [*args, "--workspace", str(workspace or svc.ws.path)],
                                  env={"TIEOUT_USER": "tester"})

    return run
