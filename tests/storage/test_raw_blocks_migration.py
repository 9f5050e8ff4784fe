"""A workspace made by the previous schema (payload JSON text per raw_record row) opens in this one.

The old workspace is built here by running the migrations up to 0004, the last revision that stored the
payload text inline, and writing rows the way that version's ingest did.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import orjson

from tieout import reconcile
from tieout.storage.db import make_engine
from tieout.storage.ingest import Record, ingest_page, start_sync_run
from tieout.storage.migrate import current_revision, head_revision, upgrade
from tieout.storage.rawstore import BLOCK_RECORDS, read_version
from tieout.storage.workspace import open_workspace

PREVIOUS_HEAD = "0004"


def _payload(number: int, status: str = "open") -> dict:
    return {"id": f"in_{number}", "object": "invoice", "status": status, "total": 10800 + number,
            "customer": "cus_1", "lines": {"data": [{"id": f"il_{number}", "amount": 10000 + number}]}}


def _canonical(payload: dict) -> bytes:
    return orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)


def _old_workspace(folder: Path, invoices: int) -> dict[int, tuple[dict, str]]:
    """A workspace at the previous head with ``invoices`` billing invoices (in_1 in two versions) and their
    raw payloads stored inline; returns raw id -> (payload, hex hash)."""
    folder.mkdir()
    engine = make_engine(folder / "tieout.db")
    upgrade(engine, PREVIOUS_HEAD)
    engine.dispose()
    (folder / "tieout.toml").write_text('[workspace]\nname = "old"\n')
    conn = sqlite3.connect(folder / "tieout.db", isolation_level=None)
    conn.execute("INSERT INTO source (id, name, kind, side, created_at) VALUES (1, 'stripe', 'stripe', 'billing', 't')")
    conn.execute("INSERT INTO sync_run (id, source_id, started_at, status, cursor, counts, pages) "
                 "VALUES (1, 1, 't', 'ok', '{}', '{}', 1)")
    stored: dict[int, tuple[dict, str]] = {}
    versions = [(1, _payload(1, "draft"))] + [(2 if n == 1 else 1, _payload(n)) for n in range(1, invoices + 1)]
    for raw_id, (version, payload) in enumerate(versions, start=1):
        text = _canonical(payload)
        digest = hashlib.sha256(text).hexdigest()
        conn.execute("INSERT INTO raw_record (id, source_id, object_type, external_id, version, payload_hash, "
                     "payload, sync_run_id, fetched_at) VALUES (?, 1, 'invoice', ?, ?, ?, ?, 1, ?)",
                     (raw_id, payload["id"], version, digest, text.decode(), f"2026-11-01T00:00:0{raw_id % 2}"))
        stored[raw_id] = (payload, digest)
        if version == 2 or payload["id"] != "in_1":
            conn.execute(
                "INSERT INTO invoice (side, source_id, external_id, entity, currency, status, posting_date, "
                "posting_period, subtotal, tax, total, amount_paid, amount_due, raw_record_id, sync_run_id) "
                "VALUES ('billing', 1, ?, 'US', 'USD', 'open', '2026-10-05', '2026-10', ?, 800, ?, 0, ?, ?, 1)",
                (payload["id"], payload["total"] - 800, payload["total"], payload["total"], raw_id))
    conn.close()
    return stored


def test_previous_schema_workspace_opens_with_payloads_hashes_and_versions_intact(tmp_path: Path) -> None:
    folder = tmp_path / "old"
    stored = _old_workspace(folder, invoices=BLOCK_RECORDS + 6)  # more than one block

    ws = open_workspace(folder)
    assert current_revision(ws.engine) == head_revision()
    conn = ws.raw()
    try:
        for raw_id, (payload, digest) in stored.items():
            got = read_version(conn, raw_id)
            assert got is not None and (got.payload, got.payload_hash) == (payload, digest)
            assert got.fetched_at == f"2026-11-01T00:00:0{raw_id % 2}"
        assert [read_version(conn, i).version for i in (1, 2)] == [1, 2]  # type: ignore[union-attr]
        assert conn.execute("SELECT count(*) FROM raw_block").fetchone()[0] > 1
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []

        # change detection still compares against the migrated hashes: same payloads are unchanged ...
        run = start_sync_run(conn, 1)
        same = [Record("invoice", p["id"], p) for p, _ in list(stored.values())[1:]]
        counts = ingest_page(conn, source_id=1, side="billing", sync_run_id=run, records=same)
        assert counts.as_dict() == {"invoice": {"new": 0, "changed": 0, "unchanged": len(same)}}
        # ... and a changed one becomes version 3, the older ones still readable
        paid = _payload(1, "paid")
        counts = ingest_page(conn, source_id=1, side="billing", sync_run_id=run,
                             records=[Record("invoice", "in_1", paid, rows={"invoice": [{
                                 "external_id": "in_1", "entity": "US", "currency": "USD", "status": "paid",
                                 "posting_date": "2026-10-05", "posting_period": "2026-10", "subtotal": 10001,
                                 "tax": 800, "total": 10801}]})])
        assert counts.as_dict() == {"invoice": {"new": 0, "changed": 1, "unchanged": 0}}
        rows = conn.execute("SELECT id, version FROM raw_record WHERE external_id = 'in_1' ORDER BY version").fetchall()
        assert [(v, read_version(conn, i).payload["status"]) for i, v in rows] == [  # type: ignore[union-attr]
            (1, "draft"), (2, "open"), (3, "paid")]
    finally:
        conn.close()
    ws.close()

    # the break detail's raw view reads the migrated payloads (no ERP side: every invoice is missing in ERP)
    svc = reconcile.open_workspace(folder)
    svc.match("2026-10", domain="invoice", user="tester")
    brk = svc.breaks("2026-10").filter(svc.breaks("2026-10")["billing_ids"].list.first() == "in_2")["id"][0]
    detail = svc.break_detail(brk)
    assert detail.billing[0].raw_payload == stored[3][0]
    assert detail.billing[0].lineage["payload_hash"] == stored[3][1]
    svc.ws.close()
