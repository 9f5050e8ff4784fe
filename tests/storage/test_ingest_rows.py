"""storage.ingest row building: defaults, lineage precedence, refusals, GC state."""

from __future__ import annotations

import gc

import pytest

from tieout.storage.ingest import IngestError, Record
from tieout.storage.workspace import Workspace
from tests.storage.ingest_support import every_column, ingest_billing, invoice_record, open_billing_run


def test_absent_optional_columns_take_defaults_and_lineage_wins_over_row(ws: Workspace) -> None:
    conn, sid, run = open_billing_run(ws)
    rec = invoice_record("in_1", 1000, [("il_1", 1000)])
    rec.rows["invoice"][0].update(side="erp", sync_run_id=999)  # lineage comes from the call, not the row
    ingest_billing(conn, sid, run, [rec])
    row = conn.execute("SELECT side, sync_run_id, tax, amount_paid, memo, raw_record_id FROM invoice").fetchone()
    raw_id = conn.execute("SELECT id FROM raw_record").fetchone()[0]
    assert row == ("billing", run, 0, 0, None, raw_id)
    line = conn.execute("SELECT quantity, discount_amount, line_no, amount FROM invoice_line").fetchone()
    assert line[3] == 1000


@pytest.mark.parametrize("all_columns", [False, True])
def test_explicit_none_in_required_field_is_refused(ws: Workspace, all_columns: bool) -> None:
    conn, sid, run = open_billing_run(ws)
    rec = invoice_record("in_1", 1000, [("il_1", 1000)])
    if all_columns:  # a row naming every mapped column takes the itemgetter fast path
        rec.rows["invoice_line"][0] = every_column("invoice_line", rec.rows["invoice_line"][0])
    rec.rows["invoice_line"][0]["invoice_ref"] = None
    with pytest.raises(IngestError, match=r"invoice_line 'il_1': missing required field\(s\) \['invoice_ref'\]"):
        ingest_billing(conn, sid, run, [rec])
    assert conn.execute("SELECT count(*) FROM raw_record").fetchone()[0] == 0


def test_unknown_table_is_named(ws: Workspace) -> None:
    conn, sid, run = open_billing_run(ws)
    rec = Record("invoice", "in_1", {"id": "in_1"}, rows={"invoices": [{"external_id": "in_1"}]})
    with pytest.raises(IngestError, match="invoice in_1: unknown canonical table 'invoices'"):
        ingest_billing(conn, sid, run, [rec])


def test_first_table_with_a_bad_row_is_reported(ws: Workspace) -> None:
    conn, sid, run = open_billing_run(ws)
    first = invoice_record("in_1", 1000, [("il_1", 1000)])
    second = invoice_record("in_2", 500, [("il_2", 500)])
    second.rows["invoice"][0]["bogus"] = 1  # invoice rows are upserted before invoice_line rows
    del first.rows["invoice_line"][0]["invoice_ref"]
    with pytest.raises(IngestError, match=r"invoice 'in_2': unknown column\(s\) \['bogus'\]"):
        ingest_billing(conn, sid, run, [first, second])


def test_gc_state_is_restored(ws: Workspace) -> None:
    conn, sid, run = open_billing_run(ws)
    assert gc.isenabled()
    ingest_billing(conn, sid, run, [invoice_record("in_1", 1000, [])])
    assert gc.isenabled()
    bad = invoice_record("in_2", 1, [])
    bad.rows["invoice"][0]["bogus"] = 1
    with pytest.raises(IngestError):
        ingest_billing(conn, sid, run, [bad])
    assert gc.isenabled()
    gc.disable()
    try:
        ingest_billing(conn, sid, run, [invoice_record("in_3", 1000, [])])
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_unknown_source_or_run_is_named_and_connection_settings_are_restored(ws: Workspace) -> None:
    conn, sid, run = open_billing_run(ws)
    page = [invoice_record("in_1", 1000, [("il_1", 1000)])]
    with pytest.raises(IngestError, match="source 999 does not exist"):
        ingest_billing(conn, 999, run, page)
    with pytest.raises(IngestError, match="sync run 999 does not exist"):
        ingest_billing(conn, sid, 999, page)
    assert conn.execute("SELECT count(*) FROM raw_record").fetchone()[0] == 0
    ingest_billing(conn, sid, run, page)
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 1000
    with pytest.raises(Exception, match="FOREIGN KEY"):  # still enforced for everything else
        conn.execute("INSERT INTO sync_run (source_id, started_at, status, cursor, counts, pages) "
                     "VALUES (999, 'x', 'running', '{}', '{}', 0)")


def test_a_new_version_that_no_longer_produces_a_table_removes_its_old_rows(ws: Workspace) -> None:
    conn, sid, run = open_billing_run(ws)
    ingest_billing(conn, sid, run, [invoice_record("in_1", 1000, [("il_1", 1000)])])
    changed = invoice_record("in_1", 900, [])
    del changed.rows["invoice_line"]  # not even an empty list: the table is gone from the mapping
    ingest_billing(conn, sid, run, [changed])
    assert conn.execute("SELECT count(*) FROM invoice_line").fetchone() == (0,)
    assert conn.execute("SELECT total FROM invoice").fetchall() == [(900,)]
