"""Worker processes of a multi-source sync: a caller that goes away, and a worker that dies."""

from __future__ import annotations

import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tieout.connectors.registry import MapContext
from tieout.connectors.sources import settings_for
from tieout.connectors.sync import SyncJob, sync_sources
from tieout.connectors.sync_workers import send_job
from tieout.storage.workspace import Workspace
from tests.connectors.helpers import FAST, STRIPE_SECRET, sandboxes


def _pages_committed(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT coalesce(max(pages), 0) FROM sync_run").fetchone()[0]


def test_a_worker_whose_caller_has_gone_stops_and_leaves_a_resumable_run(
    ws: Workspace, sample_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with sandboxes(ws, sample_dir, monkeypatch):
        settings = settings_for(ws, "stripe")
        settings.rate = 20  # requests a second: slow enough to pull the plug mid-run
        job = SyncJob(ws.db_path, settings, STRIPE_SECRET, MapContext())
        worker = subprocess.Popen([sys.executable, "-m", "tieout.connectors.sync_workers"], stdin=subprocess.PIPE,
                                  stdout=subprocess.DEVNULL)
        send_job(worker.stdin, job)  # type: ignore[arg-type]
        deadline = time.monotonic() + 30
        while _pages_committed(ws.db_path) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        worker.stdin.close()  # type: ignore[union-attr]  # what the caller's end does when it dies
        assert worker.wait(timeout=30) == 0
        with sqlite3.connect(ws.db_path) as conn:
            status, error = conn.execute("SELECT status, error FROM sync_run").fetchone()
        assert status == "failed"
        assert error == "sync of 'stripe' stopped: the process that started it has ended"
        again = {r.source: r for r in sync_sources(ws, **FAST)}
    assert again["stripe"].ok and again["stripe"].resumed
    assert again["netsuite"].ok


def test_a_worker_that_dies_fails_its_source_with_its_exit_code_and_last_words(
    ws: Workspace, sample_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    dying = tmp_path / "python"
    dying.write_text("#!/bin/sh\necho 'MemoryError: out of memory' >&2\nexit 3\n")
    dying.chmod(dying.stat().st_mode | stat.S_IEXEC)
    with sandboxes(ws, sample_dir, monkeypatch):
        monkeypatch.setattr(sys, "executable", str(dying))
        results = sync_sources(ws, **FAST)
    assert [r.ok for r in results] == [False, False]
    assert results[0].error == ("sync worker for 'netsuite' exited with code 3: MemoryError: out of memory "
                                "(the next sync resumes after its last committed page)")


def test_a_worker_that_dies_before_reading_its_job_is_reported_not_raised(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from tieout.connectors.base import SourceSettings
    from tieout.connectors.sync_workers import run_in_workers

    dying = tmp_path / "python"
    dying.write_text("#!/bin/sh\nexec 0<&-\necho 'died early' >&2\nexit 4\n")  # closes stdin: writes to it fail
    dying.chmod(dying.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setattr(sys, "executable", str(dying))
    popen = subprocess.Popen

    def late(*args, **kwargs):  # type: ignore[no-untyped-def]
        proc = popen(*args, **kwargs)
        proc.wait()  # the worker is gone before its job is written
        return proc

    monkeypatch.setattr(subprocess, "Popen", late)
    job = SyncJob(ws.db_path, SourceSettings(name="stripe", kind="stripe", side="billing"), "sk", MapContext())
    results = run_in_workers([job, job], None)
    assert [r.error for r in results] == ["sync worker for 'stripe' exited with code 4: died early "
                                          "(the next sync resumes after its last committed page)"] * 2


def test_a_worker_starts_without_the_heavy_stack() -> None:
    """What a worker imports to run a job (the job's classes, the sync, each connector) leaves out SQLModel/SQLAlchemy
    (models), keyring, polars and importlib.metadata: together they were most of the worker's 0.6 s start."""
    probe = ("import sys; import tieout.connectors.sync_workers, tieout.connectors.sync, "
             "tieout.connectors.stripe.client, tieout.connectors.netsuite.client, tieout.connectors.files.connector; "
             "print(' '.join(sorted({m.split('.')[0] for m in sys.modules} & "
             "{'sqlmodel', 'sqlalchemy', 'keyring', 'polars', 'alembic', 'pyarrow', 'openpyxl'} "
             "| ({'importlib.metadata'} & set(sys.modules)))))")
    heavy = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split()
    assert heavy == []
