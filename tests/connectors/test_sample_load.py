"""load_sample: a generated folder lands in the store exactly, through the shared mappers."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tieout.connectors.errors import MappingError
from tieout.connectors.registry import MapContext, map_payload
from tieout.connectors.sample_load import load_sample
from tieout.connectors.sample_set import SampleSet
from tieout.storage.workspace import Workspace


def _raw_counts(db: Path, source: str) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        return dict(conn.execute(
            "SELECT object_type, count(*) FROM raw_record r JOIN source s ON s.id = r.source_id "
            "WHERE s.name = ? GROUP BY object_type", (source,)))


def test_load_stores_every_object_of_the_set(ws: Workspace, sample_dir: Path) -> None:
    sample = SampleSet(sample_dir)
    result = load_sample(ws, sample_dir)

    stripe = _raw_counts(ws.db_path, "stripe")
    for name in ("customer", "invoice", "charge", "refund", "payout", "balance_transaction", "credit_note"):
        assert stripe.get(name, 0) == sample.count("stripe", name), name
    assert result["stripe"]["invoice"]["new"] == sample.count("stripe", "invoice")
    netsuite = _raw_counts(ws.db_path, "netsuite")
    txn_types = ("invoice", "credit_memo", "customer_payment", "customer_refund", "deposit")
    assert sum(netsuite.get(t, 0) for t in txn_types) == sample.count("netsuite", "transaction")
    assert netsuite["revenue_plan_line"] == sample.count("netsuite", "revenueplanline")

    with sqlite3.connect(ws.db_path) as conn:
        lines = conn.execute("SELECT count(*) FROM invoice_line WHERE side = 'erp'").fetchone()[0]
        erp_invoice_lines = sum(1 for _ in sample.rows("netsuite", "transactionline"))
        deposit_lines = conn.execute("SELECT count(*) FROM bank_deposit_line").fetchone()[0]
        credit_lines = conn.execute("SELECT count(*) FROM credit_note_line WHERE side = 'erp'").fetchone()[0]
        assert lines + deposit_lines + credit_lines == erp_invoice_lines
        runs = conn.execute("SELECT status FROM sync_run").fetchall()
        assert runs == [("ok",), ("ok",)]


def test_canonical_invoices_agree_across_sides(ws: Workspace, sample_dir: Path) -> None:
    load_sample(ws, sample_dir)
    with sqlite3.connect(ws.db_path) as conn:
        conn.row_factory = sqlite3.Row
        erp = conn.execute("SELECT * FROM invoice WHERE side = 'erp' AND status = 'paid' LIMIT 1").fetchone()
        bill = conn.execute("SELECT * FROM invoice WHERE side = 'billing' AND external_id = ?",
                            (erp["counterpart_ref"],)).fetchone()
        assert bill is not None
        for col in ("total", "tax", "subtotal", "currency", "entity", "customer_billing_ref", "status",
                    "posting_period"):
            assert bill[col] == erp[col], col
        assert isinstance(erp["total"], int) and erp["currency"] in ("USD", "EUR", "JPY")
        billing_lines = conn.execute("SELECT sum(amount) FROM invoice_line WHERE invoice_ref = ?",
                                     (bill["external_id"],)).fetchone()[0]
        assert billing_lines == bill["subtotal"]
        types = {r[0] for r in conn.execute("SELECT DISTINCT typeof(amount) FROM payment")}
        assert types == {"integer"}


def test_reload_changes_nothing(ws: Workspace, sample_dir: Path) -> None:
    load_sample(ws, sample_dir)
    again = load_sample(ws, sample_dir)
    for counts in again.values():
        for outcome in counts.values():
            assert outcome["new"] == outcome["changed"] == 0


def test_bad_decimal_names_the_record_and_field() -> None:
    row = {"id": "77", "type": "CustInvc", "currency": "USD", "foreigntotal": "10.005", "taxtotal": "0.00",
           "trandate": "2026-10-01", "postingperiodname": "Oct 2026", "subsidiary": "1", "lines": []}
    with pytest.raises(MappingError, match=r"invoice 77: field foreigntotal"):
        map_payload("netsuite", "invoice", row, MapContext.from_config({"US": {"netsuite_subsidiary": "1"}}))


def test_bad_sample_line_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "stripe").mkdir()
    (tmp_path / "manifest.json").write_text(json.dumps({"files": {}}))
    (tmp_path / "stripe" / "invoice.jsonl").write_text('{"id": "in_1"}\n{oops\n')
    with pytest.raises(Exception, match=r"invoice.jsonl: line 2"):
        list(SampleSet(tmp_path).rows("stripe", "invoice"))


def test_only_loads_the_named_object_types(ws: Workspace, sample_dir: Path) -> None:
    sample = SampleSet(sample_dir)
    load_sample(ws, sample_dir, only={"customer", "invoice", "credit_note", "credit_memo"})
    assert _raw_counts(ws.db_path, "stripe") == {
        "customer": sample.count("stripe", "customer"), "invoice": sample.count("stripe", "invoice"),
        "credit_note": sample.count("stripe", "credit_note")}
    netsuite = _raw_counts(ws.db_path, "netsuite")
    assert {"customer", "invoice"} <= set(netsuite) <= {"customer", "invoice", "credit_memo"}
    with sqlite3.connect(ws.db_path) as conn:
        assert conn.execute("SELECT count(*) FROM payment").fetchone()[0] == 0
