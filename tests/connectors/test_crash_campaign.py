"""Crash campaign (``pytest -m crash``; not in the default run): kill sync and match at seeded points.

A child process runs one step (sync of one source over real HTTP to the sandboxes, or a match run) and
SIGKILLs itself just before the k-th SQL statement it would execute, k drawn from a seeded generator
over the statements a clean run of that step executes.  After each kill: the database passes
``PRAGMA integrity_check``, the audit log verifies (chain, anchor, replay), the step runs to completion,
and once the remaining steps have run the store equals that of a run that was never killed.

Pushing corrections back is not on main yet, so push has no kill points here.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tieout.connectors.sync import sync_sources
from tieout.reconcile.service import Service
from tieout.storage import audit
from tieout.storage.replay import replay
from tieout.storage.workspace import Workspace, init_workspace, open_workspace
from tests.connectors.helpers import FAST, sandboxes, snapshot

pytestmark = pytest.mark.crash

SEED = 20261130
STEPS = ("sync stripe", "sync netsuite", "match")
POINTS = {"sync stripe": 20, "sync netsuite": 15, "match": 15}  # 50 seeded kill points in all

CHILD = """
import os, signal, sqlite3, sys
folder, kill_at, step, period = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
fast = {"read_timeout": 0.5, "connect_timeout": 0.5, "backoff_base": 0.01, "rate": 10000}
executed = 0
connect = sqlite3.connect

def count(_statement):
    global executed
    executed += 1
    if executed == kill_at:
        os.kill(os.getpid(), signal.SIGKILL)

def traced(*args, **kwargs):
    conn = connect(*args, **kwargs)
    conn.set_trace_callback(count)
    return conn

sqlite3.connect = traced
from tieout.connectors.sync import sync_sources
from tieout.reconcile.service import Service
from tieout.storage.workspace import open_workspace
ws = open_workspace(folder)
if step == "match":
    Service(ws).match(period)
else:
    [result] = sync_sources(ws, [step.split()[1]], **fast)
    assert result.ok, result.error
ws.close()
print(executed)
"""


def _run_step(ws: Workspace, step: str, period: str) -> None:
    if step == "match":
        Service(ws).match(period)
    else:
        [result] = sync_sources(ws, [step.split()[1]], **FAST)
        assert result.ok, result.error


def _child(folder: Path, kill_at: int, step: str, period: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", CHILD, str(folder), str(kill_at), step, period],
                          capture_output=True, text=True, timeout=600, env=dict(os.environ))


def _state(db: Path) -> dict[str, object]:
    """The store as a clean run leaves it: raw versions, canonical rows, breaks and active matches (no ids,
    run numbers or times)."""
    out = snapshot(db)
    with sqlite3.connect(db) as conn:
        out["break"] = sorted(conn.execute(
            'SELECT id, domain, kind, status, period, entity, currency, amount, billing_ids, erp_ids FROM "break"'))
        out["match"] = sorted(conn.execute(
            'SELECT domain, period, entity, currency, rule, billing_ids, erp_ids, billing_amount, erp_amount '
            'FROM "match" WHERE active = 1'), key=repr)
    return out


def _copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def _sound(folder: Path) -> None:
    with sqlite3.connect(folder / "tieout.db") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    ws = open_workspace(folder)
    try:
        with ws.session() as s:
            result = audit.verify(s, audit.read_anchor(ws.anchor_path))
        assert result.ok, result.problem
        conn = ws.raw()
        try:
            assert replay(conn) == []
        finally:
            conn.close()
    finally:
        ws.close()


def test_kill_sync_and_match_at_seeded_points(sample_dir: Path, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    base = init_workspace(tmp_path / "base", user="tester")
    monkeypatch.setenv("TIEOUT_USER", "tester")
    with sandboxes(base, sample_dir, monkeypatch):
        base.close()
        # the clean run, keeping the workspace as it stood before each step
        before: dict[str, Path] = {}
        ref = _copy(base.path, tmp_path / "ref")
        period = ""
        for step in STEPS:
            before[step] = _copy(ref, tmp_path / f"before {step}")
            ws = open_workspace(ref)
            if step == "match":
                with sqlite3.connect(ws.db_path) as conn:
                    period = conn.execute("SELECT posting_period FROM invoice GROUP BY 1 ORDER BY count(*) DESC "
                                          "LIMIT 1").fetchone()[0]
            _run_step(ws, step, period)
            ws.close()
        clean = _state(ref / "tieout.db")

        rng = random.Random(SEED)
        report: dict[str, dict[str, int]] = {}
        for step in STEPS:
            probe = _child(_copy(before[step], tmp_path / f"probe {step}"), 0, step, period)
            assert probe.returncode == 0, probe.stderr
            statements = int(probe.stdout.split()[-1])
            points = sorted(rng.sample(range(1, statements + 1), POINTS[step]))
            killed = 0
            for k in points:
                folder = _copy(before[step], tmp_path / f"{step} at {k}")
                proc = _child(folder, k, step, period)
                assert proc.returncode in (-9, 0), (step, k, proc.stderr)
                killed += proc.returncode == -9
                _sound(folder)
                ws = open_workspace(folder)
                for rest in STEPS[STEPS.index(step):]:  # the killed step again, then the ones after it
                    _run_step(ws, rest, period)
                ws.close()
                _sound(folder)
                assert _state(folder / "tieout.db") == clean, (step, k)
                shutil.rmtree(folder)
            report[step] = {"statements": statements, "points": len(points), "killed": killed}
    print("crash campaign:", json.dumps(report))
    assert sum(r["points"] for r in report.values()) >= 50
