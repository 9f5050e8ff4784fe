"""storage.ingest: idempotent, versioned, atomic page upserts with lineage."""

from __future__ import annotations

import hashlib
import json

import pytest

from tieout.storage.ingest import IngestError, canonical_json_bytes, finish_sync_run
from tieout.storage.rawstore import read_version
from tieout.storage.workspace import Workspace
from tests.storage.ingest_support import ingest_billing, invoice_record, open_billing_run


def test_new_then_unchanged_then_changed(ws: Workspace) -> None:
    conn, sid, run = open_billing_run(ws)
    page = [invoice_record("in_1", 1000, [("il_1", 600), ("il_2", 400)]), invoice_record("in_2", 500, [("il_3", 500)])]
    counts = ingest_billing(conn, sid, run, page, cursor={"invoice": "in_2"})
    assert counts.as_dict() == {"invoice": {"new": 2, "changed": 0, "unchanged": 0}}

    again = ingest_billing(conn, sid, run, page)
    assert again.as_dict() == {"invoice": {"new": 0, "changed": 0, "unchanged": 2}}
    assert conn.execute("SELECT count(*) FROM raw_record").fetchone()[0] == 2
    assert conn.execute("SELECT count(*) FROM invoice_line").fetchone()[0] == 3

    # upstream change: in_1 is paid now and lost a line
    changed = ingest_billing(conn, sid, run, [invoice_record("in_1", 600, [("il_1", 600)], status="paid")])
    assert changed.as_dict() == {"invoice": {"new": 0, "changed": 1, "unchanged": 0}}
    ids = conn.execute("SELECT id FROM raw_record WHERE external_id='in_1' ORDER BY version").fetchall()
    versions = [read_version(conn, raw_id) for (raw_id,) in ids]
    assert [(v.version, v.payload["status"]) for v in versions] == [(1, "open"), (2, "paid")]  # the old one is kept
    assert versions[1].payload == page[0].payload | {"total": 600, "status": "paid",
                                                      "lines": {"data": [{"id": "il_1", "amount": 600}]}}
    assert versions[1].payload_hash == hashlib.sha256(canonical_json_bytes(versions[1].payload)).hexdigest()
    row = conn.execute("SELECT i.total, i.status, r.version, i.side, i.sync_run_id FROM invoice i "
                       "JOIN raw_record r ON r.id = i.raw_record_id WHERE i.external_id='in_1'").fetchone()
    assert row == (600, "paid", 2, "billing", run)
    assert [r[0] for r in conn.execute("SELECT external_id FROM invoice_line ORDER BY external_id")] == ["il_1", "il_3"]

    finish_sync_run(conn, run)
    status, counts_json, cursor, pages = conn.execute(
        "SELECT status, counts, cursor, pages FROM sync_run WHERE id=?", (run,)).fetchone()
    assert (status, pages, json.loads(cursor)) == ("ok", 3, {"invoice": "in_2"})
    assert json.loads(counts_json)["invoice"] == {"new": 2, "changed": 1, "unchanged": 2}


def test_bad_record_rolls_back_the_whole_page(ws: Workspace) -> None:
    conn, sid, run = open_billing_run(ws)
    good = invoice_record("in_1", 1000, [("il_1", 1000)])
    bad = invoice_record("in_2", 500, [("il_2", 500)])
    del bad.rows["invoice_line"][0]["invoice_ref"]
    with pytest.raises(IngestError, match=r"invoice_line 'il_2': missing required field\(s\) \['invoice_ref'\]"):
        ingest_billing(conn, sid, run, [good, bad], cursor={"invoice": "in_2"})
    for table in ("raw_record", "invoice", "invoice_line"):
        assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0
    assert conn.execute("SELECT pages, cursor FROM sync_run").fetchone() == (0, "{}")


def test_unknown_column_is_named(ws: Workspace) -> None:
    conn, sid, run = open_billing_run(ws)
    rec = invoice_record("in_1", 1000, [])
    rec.rows["invoice"][0]["amount_in_float"] = 1.5
    with pytest.raises(IngestError, match="amount_in_float"):
        ingest_billing(conn, sid, run, [rec])


def test_several_pages_in_one_call_version_a_record_seen_twice_and_count_pages(ws: Workspace) -> None:
    """A sync stores the pages fetched so far together; an object changed between them gets two versions."""
    conn, sid, run = open_billing_run(ws)
    first = [invoice_record("in_1", 1000, [("il_1", 600), ("il_2", 400)])]
    second = [invoice_record("in_1", 600, [("il_1", 600)], status="paid"), invoice_record("in_2", 5, [("il_3", 5)])]
    counts = ingest_billing(conn, sid, run, first + second, pages=2, cursor={"invoice": {"after": "in_2"}})
    assert counts.as_dict() == {"invoice": {"new": 2, "changed": 1, "unchanged": 0}}
    assert conn.execute("SELECT version FROM raw_record WHERE external_id='in_1' ORDER BY version").fetchall() == [
        (1,), (2,)]
    # the line only version 1 had is gone; the kept rows point at the newest version
    assert conn.execute("SELECT external_id FROM invoice_line ORDER BY 1").fetchall() == [("il_1",), ("il_3",)]
    newest = conn.execute("SELECT max(id) FROM raw_record WHERE external_id='in_1'").fetchone()[0]
    assert conn.execute("SELECT raw_record_id, status FROM invoice WHERE external_id='in_1'").fetchone() == (
        newest, "paid")
    pages, cursor = conn.execute("SELECT pages, cursor FROM sync_run WHERE id = ?", (run,)).fetchone()
    assert pages == 2 and json.loads(cursor) == {"invoice": {"after": "in_2"}}


def test_the_newest_version_decides_whether_a_payload_changed(ws: Workspace) -> None:
    """v1, then v2, then v1's content again: a third version (compared with v2, not v1); then unchanged."""
    conn, sid, run = open_billing_run(ws)
    ingest_billing(conn, sid, run, [invoice_record("in_0", 5, [("il_0", 5)])])  # raw ids no longer equal versions
    first, second = invoice_record("in_1", 1000, [("il_1", 1000)]), invoice_record("in_1", 900, [("il_1", 900)])
    counts = [ingest_billing(conn, sid, run, [rec]).as_dict()["invoice"] for rec in (first, second, first, first)]
    assert [next(k for k, v in c.items() if v) for c in counts] == ["new", "changed", "changed", "unchanged"]
    ids = conn.execute("SELECT id FROM raw_record WHERE external_id = 'in_1' ORDER BY version").fetchall()
    versions = [read_version(conn, raw_id) for (raw_id,) in ids]
    assert [(v.version, v.payload["total"]) for v in versions] == [(1, 1000), (2, 900), (3, 1000)]
    assert conn.execute("SELECT total FROM invoice WHERE external_id = 'in_1'").fetchone() == (1000,)


def test_a_page_larger_than_one_lookup_chunk_is_unchanged_on_the_second_pass(ws: Workspace) -> None:
    """Stored versions are looked up 900 ids at a time: the 901st record is found like the others."""
    conn, sid, run = open_billing_run(ws)
    page = [invoice_record(f"in_{i:04d}", 100 + i, []) for i in range(1801)]
    assert ingest_billing(conn, sid, run, page).as_dict()["invoice"]["new"] == 1801
    assert ingest_billing(conn, sid, run, page).as_dict()["invoice"] == {"new": 0, "changed": 0, "unchanged": 1801}
    assert conn.execute("SELECT COUNT(*) FROM raw_record").fetchone() == (1801,)
