"""A payload's hash is of its content, not of the order a source happened to send its keys in."""

from __future__ import annotations

import hashlib
import json

from tieout.storage.ingest import Record, ensure_source, ingest_page, start_sync_run
from tieout.storage.rawstore import read_version
from tieout.storage.workspace import Workspace

PAYLOAD = {"id": "in_1", "total": 10800, "lines": {"data": [{"id": "il_1", "amount": 10800, "tax": 800}]},
           "customer": {"id": "cus_1", "email": "a@example.com"}, "status": "open"}
REORDERED = {"status": "open", "customer": {"email": "a@example.com", "id": "cus_1"},
             "lines": {"data": [{"tax": 800, "amount": 10800, "id": "il_1"}]}, "total": 10800, "id": "in_1"}


def _record(payload: dict) -> Record:
    return Record("invoice", "in_1", payload, rows={"invoice": [{
        "external_id": "in_1", "currency": "USD", "entity": "US", "status": "open", "subtotal": 10000,
        "total": 10800, "posting_period": "2026-10"}]})


def test_reordered_keys_are_the_same_payload(ws: Workspace) -> None:
    conn = ws.raw()
    try:
        source_id = ensure_source(conn, "stripe", "stripe", "billing")
        run = start_sync_run(conn, source_id)
        first = ingest_page(conn, source_id=source_id, side="billing", sync_run_id=run, records=[_record(PAYLOAD)])
        again = ingest_page(conn, source_id=source_id, side="billing", sync_run_id=run,
                            records=[_record(REORDERED)])
        assert first.as_dict()["invoice"]["new"] == 1
        assert again.as_dict() == {"invoice": {"new": 0, "changed": 0, "unchanged": 1}}
        ((raw_id,),) = conn.execute("SELECT id FROM raw_record").fetchall()
        stored = read_version(conn, raw_id)
    finally:
        conn.close()
    assert stored is not None
    stored_hash = stored.payload_hash
    # the hash is SHA-256 of compact JSON with keys sorted at every level (computed here with the stdlib)
    canonical = json.dumps(PAYLOAD, sort_keys=True, separators=(",", ":")).encode()
    assert stored_hash == hashlib.sha256(canonical).hexdigest()
    assert stored.payload == PAYLOAD


def test_a_changed_value_is_a_new_version_even_when_keys_move(ws: Workspace) -> None:
    conn = ws.raw()
    try:
        source_id = ensure_source(conn, "stripe", "stripe", "billing")
        run = start_sync_run(conn, source_id)
        ingest_page(conn, source_id=source_id, side="billing", sync_run_id=run, records=[_record(PAYLOAD)])
        changed = {**REORDERED, "status": "paid"}
        counts = ingest_page(conn, source_id=source_id, side="billing", sync_run_id=run, records=[_record(changed)])
        versions = conn.execute("SELECT version FROM raw_record ORDER BY version").fetchall()
    finally:
        conn.close()
    assert counts.as_dict()["invoice"]["changed"] == 1 and versions == [(1,), (2,)]
