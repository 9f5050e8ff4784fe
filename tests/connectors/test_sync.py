"""Full, incremental and resumed syncs over real HTTP against both sandboxes."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tieout.connectors.sample_load import load_sample
from tieout.connectors.sample_set import SampleSet
from tieout.connectors.sync import sync_sources
from tieout.storage.workspace import Workspace, init_workspace
from tests.connectors.helpers import FAST, raw_counts, sandboxes, snapshot


def _indexes(db: Path) -> set[str]:
    with sqlite3.connect(db) as conn:
        return {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}


def _all_unchanged(results) -> bool:  # type: ignore[no-untyped-def]
    return all(c["new"] == c["changed"] == 0 for r in results for c in r.counts.values())


def test_full_sync_stores_the_set_and_resync_changes_nothing(
    ws: Workspace, sample_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sample = SampleSet(sample_dir)
    indexes = _indexes(ws.db_path)
    with sandboxes(ws, sample_dir, monkeypatch, embedded_lines=1):
        first = sync_sources(ws, **FAST)
        assert [(r.source, r.ok, r.error) for r in first] == [("netsuite", True, None), ("stripe", True, None)]
        assert _indexes(ws.db_path) == indexes  # built after the first load, all of them
        stripe = raw_counts(ws.db_path, "stripe")
        for name in ("customer", "invoice", "invoice_payment", "charge", "payout", "balance_transaction",
                     "subscription", "price", "product", "payment_intent"):
            assert stripe.get(name, 0) == sample.count("stripe", name), name
        netsuite = raw_counts(ws.db_path, "netsuite")
        assert sum(netsuite.get(t, 0) for t in ("invoice", "credit_memo", "customer_payment", "customer_refund",
                                                 "deposit")) == sample.count("netsuite", "transaction")
        assert netsuite["revenue_plan_line"] == sample.count("netsuite", "revenueplanline")
        assert _all_unchanged(sync_sources(ws, **FAST))

    # the same set loaded without HTTP gives the same store (lines followed past the 1 embedded one)
    reference = init_workspace(tmp_path / "ref")
    load_sample(reference, sample_dir)
    assert snapshot(ws.db_path) == snapshot(reference.db_path)
    reference.close()


def test_upstream_change_gives_new_raw_version_and_updated_row(
    ws: Workspace, sample_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with sandboxes(ws, sample_dir, monkeypatch) as boxes:
        assert all(r.ok for r in sync_sources(ws, **FAST))
        # a late status change of a recent invoice (inside the look-back window of the incremental pass)
        invoice = max((i for i in boxes.stripe.objects["invoices"].values() if i["status"] == "open"),
                      key=lambda i: i["created"])
        boxes.stripe.update("invoices", invoice["id"], status="void")
        erp = next(t for t in boxes.netsuite.tables["transaction"] if t["type"] == "CustInvc")
        boxes.netsuite.update_transaction(erp["id"], foreigntotal="123456.78", taxtotal="0.00")
        results = {r.source: r for r in sync_sources(ws, **FAST)}
    assert results["stripe"].counts["invoice"]["changed"] == 1
    assert results["netsuite"].counts["invoice"]["changed"] == 1
    with sqlite3.connect(ws.db_path) as conn:
        versions = conn.execute("SELECT version FROM raw_record WHERE external_id = ? ORDER BY version",
                                (invoice["id"],)).fetchall()
        assert versions == [(1,), (2,)]
        assert conn.execute("SELECT status FROM invoice WHERE external_id = ?", (invoice["id"],)).fetchone() == ("void",)
        assert conn.execute("SELECT total FROM invoice WHERE external_id = ?", (erp["id"],)).fetchone() == (12345678,)
        # the canonical row points at the new raw version
        raw_id = conn.execute("SELECT raw_record_id FROM invoice WHERE external_id = ?", (invoice["id"],)).fetchone()
        assert conn.execute("SELECT version FROM raw_record WHERE id = ?", raw_id).fetchone() == (2,)


def test_one_failing_source_does_not_stop_the_others(
    ws: Workspace, sample_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with sandboxes(ws, sample_dir, monkeypatch):
        monkeypatch.setenv("TIEOUT_SECRET_NETSUITE", '{"auth": "tba", "account": "X", "consumer_key": "a", '
                                                     '"consumer_secret": "b", "token_id": "c", "token_secret": "d"}')
        results = {r.source: r for r in sync_sources(ws, **FAST)}
    assert results["stripe"].ok
    assert not results["netsuite"].ok
    assert "credentials refused (401: INVALID_LOGIN" in results["netsuite"].error
    with sqlite3.connect(ws.db_path) as conn:
        assert conn.execute("SELECT status FROM sync_run r JOIN source s ON s.id = r.source_id "
                            "WHERE s.name = 'netsuite'").fetchall() == [("failed",)]


def test_sigkill_mid_sync_then_rerun_equals_a_clean_sync(
    ws: Workspace, sample_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with sandboxes(ws, sample_dir, monkeypatch):
        script = ("import sys; from storage.workspace import open_workspace; from connectors.sync import sync_sources; "
                  "sync_sources(open_workspace(sys.argv[1]), ['stripe'], rate=25)")
        proc = subprocess.Popen([sys.executable, "-c", script, str(ws.path)], env=dict(os.environ))
        deadline = time.monotonic() + 30
        pages = 0
        while time.monotonic() < deadline and pages < 3:
            time.sleep(0.05)
            with sqlite3.connect(ws.db_path) as conn:
                row = conn.execute("SELECT max(pages) FROM sync_run").fetchone()
                pages = row[0] or 0
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert pages >= 3, "the child did not get going"
        with sqlite3.connect(ws.db_path) as conn:
            assert conn.execute("SELECT status FROM sync_run").fetchall() == [("running",)]
        results = {r.source: r for r in sync_sources(ws, **FAST)}
        assert results["stripe"].ok and results["stripe"].resumed
        assert results["netsuite"].ok
    with sqlite3.connect(ws.db_path) as conn:  # the killed run is in the audit log now that it was found
        [(killed,)] = conn.execute("SELECT id FROM sync_run WHERE error = 'interrupted'").fetchall()
        assert conn.execute("SELECT object_id, json_extract(details, '$.run') FROM audit_event "
                            "WHERE action = 'sync.interrupted'").fetchall() == [("stripe", killed)]
    reference = init_workspace(tmp_path / "ref")
    load_sample(reference, sample_dir)
    assert snapshot(ws.db_path) == snapshot(reference.db_path)
    reference.close()
