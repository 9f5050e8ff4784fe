"""The sandboxes learn writes: NetSuite upsert/PATCH/journal rules and Stripe metadata, with write faults."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tieout.connectors.base import SourceSettings, WriteRequest
from tieout.connectors.errors import OutcomeUnknown, WriteRefused
from tieout.connectors.netsuite.client import NetSuiteConnector
from tieout.connectors.registry import MapContext
from tieout.connectors.sandbox import Faults, NetSuiteSandbox, StripeSandbox
from tieout.connectors.stripe.client import StripeConnector

REC = "/services/rest/record/v1"


@pytest.fixture
def ns(sample_dir: Path) -> Iterator[tuple[NetSuiteSandbox, NetSuiteConnector]]:
    box = NetSuiteSandbox(sample_dir, faults=Faults(slow_seconds=0.6))
    with box.serving() as url:
        conn = NetSuiteConnector(SourceSettings("ns", "netsuite", "erp", url=url, tries=1, read_timeout=0.3),
                                 box.secret, MapContext())
        yield box, conn
        conn.close()


def _invoice(box: NetSuiteSandbox) -> dict:
    return next(r for r in box.tables["transaction"] if r["type"] == "CustInvc" and r["trandate"] >= "2026-10-01")


def test_patch_keyed_line_updates_keyless_line_appends_and_replace_resets(ns) -> None:
    box, conn = ns
    inv = _invoice(box)
    before = conn.read(f"{REC}/invoice/{inv['id']}")
    first = before["item"]["items"][0]
    conn.write(WriteRequest("PATCH", f"{REC}/invoice/{inv['id']}",
                            {"item": {"items": [{"line": first["line"], "amount": "1.00"}]}}))
    keyed = conn.read(f"{REC}/invoice/{inv['id']}")
    assert len(keyed["item"]["items"]) == len(before["item"]["items"])
    assert keyed["item"]["items"][0]["amount"] == "1.00" and keyed["lastModifiedDate"] > before["lastModifiedDate"]
    keyless = WriteRequest("PATCH", f"{REC}/invoice/{inv['id']}",
                           {"item": {"items": [{"item": {"id": "500"}, "amount": "2.00", "description": "adj"}]}})
    conn.write(keyless)
    conn.write(keyless)  # a blind retry of a keyless PATCH appends the line again: the hazard push avoids
    lines = conn.read(f"{REC}/invoice/{inv['id']}")["item"]["items"]
    assert [line["description"] for line in lines].count("adj") == 2
    conn.write(WriteRequest("PATCH", f"{REC}/invoice/{inv['id']}?replace=item",
                            {"item": {"items": [{"item": {"id": "500"}, "amount": "3.00", "taxAmount": "0.30"}]}}))
    after = conn.read(f"{REC}/invoice/{inv['id']}")
    assert len(after["item"]["items"]) == 1 and after["total"] == "3.30" and after["taxTotal"] == "0.30"


def test_upsert_by_external_id_is_idempotent_and_validates_the_id(ns) -> None:
    box, conn = ns
    body = {"tranDate": "2026-10-03", "entity": {"externalId": box.tables["customer"][0]["externalid"]},
            "subsidiary": {"id": "1"}, "currency": {"refName": "USD"},
            "item": {"items": [{"item": {"externalId": box.tables["item"][0]["externalid"]}, "amount": "5.00"}]}}
    count = len(box.tables["transaction"])
    for _ in range(2):
        result = conn.write(WriteRequest("PUT", f"{REC}/invoice/eid:fix-1", body))
    assert len(box.tables["transaction"]) == count + 1 and result.location.endswith(conn.read(
        f"{REC}/invoice/eid:fix-1")["id"])
    assert len(conn.read(f"{REC}/invoice/eid:fix-1")["item"]["items"]) == 1  # PUT replaces the sublist
    with pytest.raises(WriteRefused, match="letters, digits"):
        conn.write(WriteRequest("PUT", f"{REC}/invoice/eid:bad.id", body))
    assert conn.read(f"{REC}/invoice/eid:nope") is None


def test_journal_entries_must_balance_and_locked_periods_refuse(ns) -> None:
    box, conn = ns
    lines = [{"account": {"id": "1100"}, "debit": "10.00"}, {"account": {"id": "4000"}, "credit": "9.99"}]
    je = {"tranDate": "2026-10-31", "currency": {"refName": "USD"}, "subsidiary": {"id": "1"}, "line": {"items": lines}}
    with pytest.raises(WriteRefused, match="out of balance") as refused:
        conn.write(WriteRequest("PUT", f"{REC}/journalEntry/eid:je-1", je))
    assert refused.value.code == "USER_ERROR"
    lines[1]["credit"] = "10.00"
    conn.write(WriteRequest("PUT", f"{REC}/journalEntry/eid:je-1", je))
    assert conn.read(f"{REC}/journalEntry/eid:je-1")["line"]["items"][1]["credit"] == "10.00"
    box.records.locked_periods.add("2026-10")
    inv = _invoice(box)
    with pytest.raises(WriteRefused, match="locked"):
        conn.write(WriteRequest("PATCH", f"{REC}/invoice/{inv['id']}", {"memo": "x"}))
    with pytest.raises(WriteRefused, match="locked"):
        conn.write(WriteRequest("PUT", f"{REC}/journalEntry/eid:je-2", je))


def test_record_has_been_changed_and_write_faults(ns) -> None:
    box, conn = ns
    inv = _invoice(box)
    box.records.conflicts.add(inv["id"])
    with pytest.raises(WriteRefused, match="Record has been changed") as refused:
        conn.write(WriteRequest("PATCH", f"{REC}/invoice/{inv['id']}", {"memo": "first"}))
    assert refused.value.code == "RCRD_HAS_BEEN_CHANGED" and inv["memo"] != "first"
    box.faults.rates = {"write_500": 1.0}
    with pytest.raises(OutcomeUnknown, match="HTTP 500"):
        conn.write(WriteRequest("PATCH", f"{REC}/invoice/{inv['id']}", {"memo": "second"}))
    assert inv["memo"] != "second"  # refused before it was applied
    box.faults.rates = {"write_timeout": 1.0}
    with pytest.raises(OutcomeUnknown, match="may have been applied"):
        conn.write(WriteRequest("PATCH", f"{REC}/invoice/{inv['id']}", {"memo": "third"}))
    assert inv["memo"] == "third"  # applied, though the client never heard
    box.faults.rates = {}
    assert conn.read(f"{REC}/invoice/{inv['id']}")["memo"] == "third"  # reads are not write-faulted


def test_stripe_metadata_write_with_idempotency_key_and_timeout(sample_dir: Path) -> None:
    box = StripeSandbox(sample_dir, secret="sk_test_x", faults=Faults(rates={"write_timeout": 1.0}, slow_seconds=0.6))
    invoice_id = next(iter(box.objects["invoices"]))
    with box.serving() as url:
        conn = StripeConnector(SourceSettings("st", "stripe", "billing", url=url, tries=1, read_timeout=0.3),
                               "sk_test_x", MapContext())
        request = WriteRequest("POST", f"/v1/invoices/{invoice_id}", {"metadata[netsuite_id]": "42"}, "key-1")
        with pytest.raises(OutcomeUnknown):
            conn.write(request)
        box.faults.rates = {}
        replay = conn.write(request)  # the same key replays the first (applied) response
        assert replay.body["metadata"]["netsuite_id"] == "42"
        with pytest.raises(WriteRefused) as refused:
            conn.write(WriteRequest("POST", f"/v1/invoices/{invoice_id}", {"metadata[netsuite_id]": "43"}, "key-1"))
        assert refused.value.code == "idempotency_error"
        assert conn.read(f"/v1/invoices/{invoice_id}")["metadata"]["netsuite_id"] == "42"
        assert conn.read("/v1/invoices/in_nope") is None
        conn.close()
