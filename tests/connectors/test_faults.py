"""Each sandbox fault: the sync succeeds after retries, or fails with a clear message and no half-written page."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tieout.connectors.sample_set import SampleSet
from tieout.connectors.sandbox import Faults
from tieout.connectors.sync import sync_sources
from tieout.storage.workspace import Workspace
from tests.connectors.helpers import FAST, raw_counts, sandboxes


def _faults(kind: str, rate: float) -> Faults:
    return Faults.parse([f"{kind}:{rate}"], retry_after=0.0, slow_seconds=0.4, seed=3)


@pytest.mark.parametrize("kind", ["429", "500", "slow", "malformed", "drop"])
def test_sync_succeeds_through_intermittent_faults(
    kind: str, ws: Workspace, sample_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stripe_faults, ns_faults = _faults(kind, 0.25), _faults(kind, 0.25)
    with sandboxes(ws, sample_dir, monkeypatch, stripe_faults=stripe_faults, netsuite_faults=ns_faults):
        results = sync_sources(ws, **{**FAST, "read_timeout": 0.2})
    assert [(r.source, r.ok, r.error) for r in results] == [("netsuite", True, None), ("stripe", True, None)]
    assert stripe_faults.injected.get(kind, 0) > 0 and ns_faults.injected.get(kind, 0) > 0
    assert raw_counts(ws.db_path, "stripe")["invoice"] == SampleSet(sample_dir).count("stripe", "invoice")


@pytest.mark.parametrize(("kind", "message"), [
    ("429", r"stripe: GET /v1/customers: HTTP 429: rate_limit_error - sandbox fault 429 \(gave up after 3 tries\)"),
    ("500", r"stripe: GET /v1/customers: HTTP 500: api_error - sandbox fault 500 \(gave up after 3 tries\)"),
    ("slow", r"stripe: GET /v1/customers: ReadTimeout \(gave up after 3 tries\)"),
    ("malformed", r"stripe: GET /v1/customers: response is not valid JSON \(gave up after 3 tries\)"),
    ("drop", r"stripe: GET /v1/customers: RemoteProtocolError \(gave up after 3 tries\)"),
])
def test_persistent_fault_fails_clearly_and_writes_nothing(
    kind: str, message: str, ws: Workspace, sample_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with sandboxes(ws, sample_dir, monkeypatch, stripe_faults=_faults(kind, 1.0)):
        results = {r.source: r for r in sync_sources(ws, ["stripe"], **{**FAST, "tries": 3, "read_timeout": 0.2})}
    assert not results["stripe"].ok
    assert results["stripe"].error is not None
    import re

    assert re.fullmatch(message, results["stripe"].error), results["stripe"].error
    with sqlite3.connect(ws.db_path) as conn:
        assert conn.execute("SELECT count(*) FROM raw_record").fetchone() == (0,)
        assert conn.execute("SELECT status, pages FROM sync_run").fetchall() == [("failed", 0)]


def test_a_failed_run_resumes_after_its_last_committed_page(
    ws: Workspace, sample_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    faults = Faults()
    with sandboxes(ws, sample_dir, monkeypatch, stripe_faults=faults):
        faults.rates["500"] = 0.0
        original = faults.pick
        calls = {"n": 0}

        def fail_after_five() -> str | None:
            calls["n"] += 1
            return "500" if calls["n"] > 5 else original()

        faults.pick = fail_after_five  # type: ignore[method-assign]
        first = sync_sources(ws, ["stripe"], **{**FAST, "tries": 2})[0]
        assert not first.ok and first.pages > 0
        faults.pick = original  # type: ignore[method-assign]
        second = sync_sources(ws, ["stripe"], **FAST)[0]
    assert second.ok and second.resumed
    assert raw_counts(ws.db_path, "stripe")["invoice"] == SampleSet(sample_dir).count("stripe", "invoice")
    with sqlite3.connect(ws.db_path) as conn:
        dupes = conn.execute("SELECT count(*) FROM (SELECT external_id FROM invoice GROUP BY source_id, external_id "
                             "HAVING count(*) > 1)").fetchone()
        assert dupes == (0,)
