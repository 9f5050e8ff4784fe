"""`sync --domain`: only what one reconciliation needs, over real HTTP; and resuming after a later failure."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tieout.app.cli import cli
from tieout.connectors.sample_set import SampleSet
from tieout.connectors.sandbox import Faults
from tieout.connectors.sync import sync_sources
from tieout.storage.workspace import Workspace
from tests.connectors.helpers import FAST, raw_counts, sandboxes

INVOICE_DOMAIN = {
    "stripe": {"customer", "product", "price", "invoice", "credit_note"},
    "netsuite": {"customer", "item", "invoice", "credit_memo"},
}


def test_invoice_domain_pulls_invoices_and_what_they_need_only(
    ws: Workspace, sample_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sample = SampleSet(sample_dir)
    with sandboxes(ws, sample_dir, monkeypatch, embedded_lines=1):
        results = sync_sources(ws, domains=["invoice"], **FAST)
        assert [(r.source, r.ok, r.error) for r in results] == [("netsuite", True, None), ("stripe", True, None)]
        stripe, netsuite = raw_counts(ws.db_path, "stripe"), raw_counts(ws.db_path, "netsuite")
        assert set(stripe) <= INVOICE_DOMAIN["stripe"] and set(netsuite) <= INVOICE_DOMAIN["netsuite"]
        assert {"customer", "invoice"} <= set(stripe) & set(netsuite)
        assert stripe["invoice"] == sample.count("stripe", "invoice")
        ns_types = [t["type"] for t in sample.rows("netsuite", "transaction")]
        assert netsuite["invoice"] == ns_types.count("CustInvc") and netsuite.get("credit_memo", 0) == ns_types.count("CustCred")
        with sqlite3.connect(ws.db_path) as conn:
            assert conn.execute("SELECT count(*) FROM payment").fetchone() == (0,)
            lines = conn.execute("SELECT count(*) FROM invoice_line l JOIN source s ON s.id = l.source_id "
                                 "WHERE s.name = 'netsuite'").fetchone()[0]
        assert lines > 0  # lines come with their transactions

        # a later full sync adds the other domains and leaves the invoices as they were
        full = {r.source: r for r in sync_sources(ws, **FAST)}
    assert full["stripe"].counts["invoice"]["new"] == full["stripe"].counts["invoice"]["changed"] == 0
    assert full["netsuite"].counts["customer_payment"]["new"] == ns_types.count("CustPymt")
    assert raw_counts(ws.db_path, "stripe")["charge"] == sample.count("stripe", "charge")


def test_unknown_domain_is_refused_in_one_line(ws: Workspace) -> None:
    result = CliRunner().invoke(cli, ["sync", "--domain", "payroll", "--workspace", str(ws.path)])
    assert result.exit_code == 1
    assert result.output.strip().endswith("unknown domain(s) 'payroll' (known: invoice, payment, revenue)")


def test_a_run_that_resumes_still_reads_passes_finished_only_by_an_earlier_run(
    ws: Workspace, sample_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run 1 completes; run 2 fails in its first pass; run 3 resumes run 2 and must still read invoices
    (their "done" belongs to run 1, not to run 2), so an upstream change made meanwhile is seen."""
    faults = Faults()
    with sandboxes(ws, sample_dir, monkeypatch, stripe_faults=faults) as boxes:
        assert all(r.ok for r in sync_sources(ws, ["stripe"], **FAST))
        invoice = max(boxes.stripe.objects["invoices"].values(), key=lambda i: i["created"])
        boxes.stripe.update("invoices", invoice["id"], description="changed after the first sync")
        original, calls = faults.pick, {"n": 0}

        def fail_after_the_first_request() -> str | None:
            calls["n"] += 1
            return "500" if calls["n"] > 1 else original()

        faults.pick = fail_after_the_first_request  # type: ignore[method-assign]
        failed = sync_sources(ws, ["stripe"], **{**FAST, "tries": 1})[0]
        assert not failed.ok and failed.pages == 1  # the customers page, then products failed
        faults.pick = original  # type: ignore[method-assign]
        resumed = sync_sources(ws, ["stripe"], **FAST)[0]
    assert resumed.ok and resumed.resumed
    assert resumed.counts["invoice"]["changed"] == 1
    with sqlite3.connect(ws.db_path) as conn:
        memo = conn.execute("SELECT memo FROM invoice WHERE external_id = ?", (invoice["id"],)).fetchone()
    assert memo == ("changed after the first sync",)
