"""A record that cannot be mapped goes to the exception queue; its source syncs on; it leaves once it maps."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tieout.app.cli import cli
from tieout.connectors.sync import sync_sources
from tieout.storage.ingest import ensure_source, start_sync_run
from tieout.storage.quarantine import Rejected, settle
from tieout.storage.workspace import Workspace
from tests.connectors.helpers import FAST, sandboxes


def _count(db: Path, sql: str, *params: object) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchone()[0]


def test_a_poison_invoice_is_quarantined_the_sync_goes_on_and_it_leaves_once_fixed(
    ws: Workspace, sample_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with sandboxes(ws, sample_dir, monkeypatch) as boxes:
        invoices = [t for t in boxes.netsuite.tables["transaction"] if t["type"] == "CustInvc"]
        poison = next(t for t in invoices if t["currency"] == "USD" if t is not invoices[-1])
        boxes.netsuite.update_transaction(poison["id"], foreigntotal="514.275")

        [result] = sync_sources(ws, ["netsuite"], **FAST)
        assert result.ok, result.error
        assert result.quarantined == [f"invoice {poison['id']}: netsuite invoice {poison['id']}: field foreigntotal: "
                                      "amount '514.275' has more decimals than USD allows (2); refusing to round"]
        # the sync went on past it: every other invoice is stored, this one is not
        assert _count(ws.db_path, "SELECT count(*) FROM invoice WHERE side = 'erp'") == len(invoices) - 1
        assert _count(ws.db_path, "SELECT count(*) FROM invoice WHERE external_id = ?", poison["id"]) == 0

        runner = CliRunner()
        synced = runner.invoke(cli, ["sync", "netsuite", "-w", str(ws.path)])
        assert synced.exit_code == 3, synced.output
        assert "1 record(s) in the exception queue" in synced.stderr and f"invoice {poison['id']}" in synced.stderr
        listed = runner.invoke(cli, ["exceptions", "list", "--format", "json", "-w", str(ws.path)])
        [entry] = json.loads(listed.stdout)
        assert (entry["source"], entry["object_type"], entry["external_id"], entry["attempts"]) == (
            "netsuite", "invoice", poison["id"], 2)
        assert entry["raw_version"] is None and "514.275" in entry["error"]
        shown = json.loads(runner.invoke(cli, ["exceptions", "show", str(entry["id"]), "-w", str(ws.path)]).stdout)
        assert shown["payload"]["foreigntotal"] == "514.275"
        retried = runner.invoke(cli, ["exceptions", "retry", "-w", str(ws.path)])
        assert retried.exit_code == 3 and "still refused: invoice" in retried.stderr

        boxes.netsuite.update_transaction(poison["id"], foreigntotal="514.28")
        [result] = sync_sources(ws, ["netsuite"], **FAST)
        assert result.ok and result.quarantined == []
    assert _count(ws.db_path, "SELECT total FROM invoice WHERE external_id = ?", poison["id"]) == 51428
    assert _count(ws.db_path, "SELECT count(*) FROM quarantine") == 0


def test_a_queued_payload_is_retried_from_the_store_and_leaves_the_queue_once_it_maps(ws: Workspace) -> None:
    """A record refused by an older mapper (or under older settings) maps today without being pulled again."""
    payload = {"id": "in_q1", "object": "invoice", "customer": "cus_1", "currency": "usd", "status": "open",
               "created": 1790000000, "total": 1250, "subtotal": 1250, "tax": 0, "amount_paid": 0,
               "amount_due": 1250, "number": "Q-1", "lines": {"data": [], "has_more": False}}
    ws.config.sources["stripe"] = {"kind": "stripe", "side": "billing", "url": "http://127.0.0.1:9"}
    ws.save_config()
    conn = ws.raw()
    conn.execute("BEGIN IMMEDIATE")
    source = ensure_source(conn, "stripe", "stripe", "billing")
    run = start_sync_run(conn, source)
    settle(conn, source, run, [], [Rejected("invoice", "in_q1", payload, "refused by an older tieout")])
    conn.execute("COMMIT")
    conn.close()
    result = CliRunner().invoke(cli, ["exceptions", "retry", "-w", str(ws.path)])
    assert result.exit_code == 0, result.output
    assert result.stdout == "mapped, left the queue: invoice in_q1\n"
    assert _count(ws.db_path, "SELECT total FROM invoice WHERE external_id = 'in_q1'") == 1250
    assert _count(ws.db_path, "SELECT count(*) FROM quarantine") == 0
    assert _count(ws.db_path, "SELECT count(*) FROM audit_event WHERE action = 'quarantine.retry'") == 1
