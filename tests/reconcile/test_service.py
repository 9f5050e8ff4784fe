"""The service: runs are reproducible, breaks keep their history, every change is audited."""

from __future__ import annotations

import sqlite3

import polars as pl
import pytest
from sqlalchemy import text

from tieout import reconcile
from tieout.reconcile.service import NotFound, ServiceError
from tieout.reconcile import domains
from tieout.storage import audit

STABLE = ["id", "domain", "object_type", "kind", "period", "entity", "currency", "amount", "billing_amount",
          "erp_amount", "billing_ids", "erp_ids", "rule"]


def _setup(books, invoice) -> None:
    books.add("billing", invoice("in_1"), invoice("in_2", customer_billing_ref="cus_2"),
              invoice("in_3", customer_billing_ref="cus_3"))
    books.add("erp", invoice("101", "erp", ref="in_1", total=10900, subtotal=10100),
              invoice("102", "erp", ref="in_2", customer_billing_ref="cus_2"))
    books.ingest()


def _count(ws, sql: str) -> int:
    with sqlite3.connect(ws.db_path) as conn:
        return conn.execute(sql).fetchone()[0]


def test_rerun_on_same_inputs_gives_identical_matches_and_breaks(books, svc, invoice) -> None:
    _setup(books, invoice)
    first = svc.match("2026-10", domain="invoice")
    breaks1, matches1 = svc.breaks("2026-10").select(STABLE), svc.matches("2026-10").drop("id", "match_run_id",
                                                                                         "created_at")
    second = svc.match("2026-10", domain="invoice")
    assert (second.ruleset_hash, second.input_fingerprint) == (first.ruleset_hash, first.input_fingerprint)
    assert second.run_id != first.run_id
    assert svc.breaks("2026-10").select(STABLE).equals(breaks1)
    assert svc.matches("2026-10").drop("id", "match_run_id", "created_at").equals(matches1)
    run = svc.last_run("2026-10")
    assert run["id"] == second.run_id and run["input_fingerprint"] == first.input_fingerprint
    assert run["summary"]["breaks"] == 2


def test_review_history_survives_reruns_vanished_breaks_auto_resolve_and_reappear(books, svc, invoice, ws) -> None:
    _setup(books, invoice)
    svc.match("2026-10")
    amount = svc.breaks("2026-10", kind="amount_mismatch")["id"][0]
    missing = svc.breaks("2026-10", kind="missing_in_erp")["id"][0]
    svc.set_status(amount, "investigating", note="asked AR")
    svc.assign(amount, "ana")
    svc.match("2026-10")
    row = svc.breaks("2026-10", kind="amount_mismatch").row(0, named=True)
    assert (row["id"], row["status"], row["assignee"], row["note"]) == (amount, "investigating", "ana", "asked AR")
    # the missing invoice gets posted: its break vanishes (kept, auto_resolved)
    books.add("erp", invoice("103", "erp", ref="in_3", customer_billing_ref="cus_3")).ingest()
    svc.match("2026-10")
    assert svc.breaks("2026-10").filter(pl.col("id") == missing)["status"].to_list() == ["auto_resolved"]
    # ... and is deleted again in the ERP: the same break reopens
    with sqlite3.connect(ws.db_path) as conn:
        conn.execute("DELETE FROM invoice WHERE external_id = '103'")
    svc.match("2026-10")
    assert svc.breaks("2026-10").filter(pl.col("id") == missing)["status"].to_list() == ["open"]
    actions = [e["action"] for e in svc.break_detail(missing).events]
    assert actions == ["opened", "auto_resolved", "reopened"]


def test_dry_run_stores_nothing(books, svc, invoice, ws) -> None:
    _setup(books, invoice)
    summary = svc.match("2026-10", dry_run=True)
    assert summary.run_id is None and summary.breaks_by_kind[("invoice", "amount_mismatch")]["count"] == 1
    assert _count(ws, "SELECT COUNT(*) FROM break") == 0 and _count(ws, "SELECT COUNT(*) FROM match_run") == 0


def test_a_failing_run_leaves_nothing_half_written(books, svc, invoice, ws) -> None:
    _setup(books, invoice)
    svc.match("2026-10")
    before = [_count(ws, f"SELECT COUNT(*) FROM {t}") for t in ("match_run", "match", "break", "audit_event")]
    with sqlite3.connect(ws.db_path) as conn:  # a break row the run must insert will violate this trigger
        conn.execute("CREATE TRIGGER boom BEFORE INSERT ON break_event WHEN NEW.action = 'opened' "
                     "BEGIN SELECT RAISE(ABORT, 'disk full'); END")
    books.add("billing", invoice("in_4", customer_billing_ref="cus_4")).ingest()
    with pytest.raises(sqlite3.IntegrityError, match="disk full"):
        svc.match("2026-10")
    after = [_count(ws, f"SELECT COUNT(*) FROM {t}") for t in ("match_run", "match", "break", "audit_event")]
    assert after == before


def test_bad_requests_are_refused_with_clear_errors(books, svc, invoice) -> None:
    _setup(books, invoice)
    svc.match("2026-10")
    some = svc.breaks("2026-10")["id"][0]
    with pytest.raises(ServiceError, match="expected YYYY-MM"):
        svc.match("Oct 2026")
    with pytest.raises(ServiceError, match="domain 'ledger'"):
        svc.match("2026-10", domain="ledger")
    with pytest.raises(ServiceError, match="auto_resolved is set only"):
        svc.set_status(some, "auto_resolved")
    with pytest.raises(ServiceError, match="needs a reason code"):
        svc.set_status(some, "resolved")
    with pytest.raises(ServiceError, match="unknown reason code"):
        svc.set_status(some, "explained", reason="because")
    with pytest.raises(NotFound, match="no such break"):
        svc.break_detail("nope")


def test_every_change_is_an_audit_event_and_the_chain_verifies(books, svc, invoice, ws) -> None:
    _setup(books, invoice)
    svc.match("2026-10")
    ids = svc.breaks("2026-10")["id"].to_list()
    assert svc.bulk_set_status(ids, "explained", reason="timing", note="clears in Nov", user="ana") == 2
    svc.add_note(ids[0], "checked the contract", user="ana")
    svc.assign(ids[0], "bo", user="ana")
    events = svc.audit_events("2026-10")
    runs = ["match.run"] * len(domains.matched())  # one run per domain
    assert events["action"].to_list() == [*runs, "break.status", "break.status", "break.note", "break.assign"]
    assert events.filter(pl.col("action") != "match.run")["user"].unique().to_list() == ["ana"]
    with ws.session() as s:
        assert audit.verify(s).ok


def test_break_detail_has_both_sides_raw_payloads_and_lineage(books, svc, invoice) -> None:
    _setup(books, invoice)
    svc.match("2026-10")
    brk = svc.breaks("2026-10", kind="amount_mismatch")["id"][0]
    detail = svc.break_detail(brk)
    assert detail.brk["details"] == {"amount": [10800, 10900]}
    (b,), (e,) = detail.billing, detail.erp
    assert (b.table, b.external_id, b.fields["total"], e.fields["total"]) == ("invoice", "in_1", 10800, 10900)
    assert e.raw_payload["counterpart_ref"] == "in_1"
    assert b.lineage["source"] == "stripe" and e.lineage["source"] == "netsuite" and e.lineage["version"] == 1
    assert len(e.lineage["payload_hash"]) == 64


def test_manual_match_resolves_breaks_and_later_runs_respect_it(books, svc, invoice) -> None:
    books.add("billing", invoice("in_1"))
    books.add("erp", invoice("900", "erp", ref="in_typo", total=10900))
    books.ingest()
    svc.match("2026-10")
    assert set(svc.breaks("2026-10")["kind"]) == {"missing_in_erp", "missing_in_billing"}
    with pytest.raises(ServiceError, match="needs a reason"):
        svc.manual_match("invoice", ["in_1"], ["900"], reason=" ")
    with pytest.raises(NotFound, match="erp record 'nope'"):
        svc.manual_match("invoice", ["in_1"], ["nope"], reason="x")
    match_id = svc.manual_match("invoice", ["in_1"], ["900"], reason="externalid typo in NetSuite", user="ana")
    assert set(svc.breaks("2026-10")["status"]) == {"resolved"}
    svc.match("2026-10")
    assert set(svc.breaks("2026-10")["status"]) == {"resolved"}  # not re-opened, not re-found
    manual = svc.matches("2026-10").filter(pl.col("manual"))
    assert manual.select("id", "created_by", "reason").row(0) == (match_id, "ana", "externalid typo in NetSuite")
    svc.unmatch(match_id, reason="wrong pair", user="ana")
    with pytest.raises(ServiceError, match="already unmatched"):
        svc.unmatch(match_id, reason="again")
    svc.match("2026-10")
    assert set(svc.breaks("2026-10")["status"]) == {"open"}  # the same breaks, reopened by the run
    assert "match.unmatch" in svc.audit_events()["action"].to_list()


def test_summary_ties_counts_and_totals(books, svc, invoice) -> None:
    _setup(books, invoice)
    svc.match("2026-10")
    row = svc.summary("2026-10").row(0, named=True)
    assert row == {"domain": "invoice", "currency": "USD", "billing_count": 3, "billing_total": 32400,
                   "erp_count": 2, "erp_total": 21700, "matched_count": 2, "open_breaks": 2,
                   "open_amount": 100 + 10800, "breaks": 2}
    assert svc.sources()["name"].to_list() == ["netsuite", "stripe"]


def test_current_period_is_the_latest_matched_else_last_month(tmp_path) -> None:
    from datetime import date

    from tieout.storage.workspace import init_workspace

    svc = reconcile.open_workspace(init_workspace(tmp_path / "w").path)
    assert svc.current_period(today=date(2027, 1, 15)) == "2026-12"
    svc.match("2026-09")
    assert svc.current_period(today=date(2027, 1, 15)) == "2026-09"


def test_a_locked_period_refuses_changes(tmp_path) -> None:
    from tieout.storage import periods
    from tieout.storage.workspace import init_workspace

    ws = init_workspace(tmp_path / "w")
    svc = reconcile.open_workspace(ws.path)
    with ws.session() as s:
        s.execute(text(
            'INSERT INTO "break" (id, domain, object_type, kind, status, period, entity, currency, amount, '
            "billing_ids, erp_ids, details, opened_at, updated_at) VALUES ('b1', 'invoice', 'invoice', "
            "'missing_in_erp', 'open', '2026-10', 'US', 'USD', 100, '[\"in_1\"]', '[]', '{}', 't', 't')"))
        periods.prepare(s, "2026-10", "US", "ana", carry=["b1"], reason="waiting for the credit memo")
        periods.review(s, "2026-10", "US", "rita")
        periods.lock(s, "2026-10", "US", "rita")
    for change in (lambda: svc.set_status("b1", "investigating"), lambda: svc.add_note("b1", "x"),
                   lambda: svc.assign("b1", "ana"), lambda: svc.match("2026-10"),
                   lambda: svc.match("2026-10", entity="US")):
        with pytest.raises(periods.PeriodError, match="2026-10.* is locked"):
            change()
    assert svc.match("2026-10", dry_run=True).run_id is None  # looking is still allowed
    assert svc.match("2026-10", entity="EU").run_id is not None  # another entity is not locked
    assert svc.breaks("2026-10")["status"].to_list() == ["open"]
