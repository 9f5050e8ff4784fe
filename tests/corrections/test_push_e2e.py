"""Each invoice correction type end to end over real HTTP: propose, approve as another user, plan, push,
re-sync, re-match, break resolved — and the ways a push must not write twice or over a newer record."""

from __future__ import annotations

import json
import sqlite3

import pytest

from tieout.reconcile.corrections import CorrectionError
from tieout.storage import audit
from tieout.storage.periods import PeriodError
from tests.corrections.books import CHECKER, CHECKER2, MAKER, PERIOD, Books

REC = "/services/rest/record/v1"


def _break_after(books: Books, break_id: str, run_id: int) -> tuple[str, int | None]:
    with sqlite3.connect(books.ws.db_path) as conn:
        return conn.execute('SELECT status, last_run_id FROM "break" WHERE id = ?', (break_id,)).fetchone()


def _journal_policy(books: Books, adjust_by: str) -> None:
    books.ws.config.corrections = {"adjust_by": adjust_by,
                                   "accounts": {"receivable": "1100", "revenue": "4000", "tax": "2200",
                                                "write_off": "6900"}}


@pytest.mark.parametrize("object_type", ["invoice", "credit_note"])
def test_missing_erp_document_is_created_and_the_break_resolves(books: Books, object_type: str) -> None:
    brk = books.brk("missing_in_erp", object_type)
    correction = books.svc.corrections.propose(brk["id"], user=MAKER)
    assert correction["status"] == "proposed" and correction["action"] == "create_erp_document"
    request = json.loads(correction["payload"])
    assert request["method"] == "PUT" and request["path"].endswith(f"/eid:{brk['billing_ids'][0]}")
    with pytest.raises(CorrectionError, match="a different user must approve"):
        books.svc.corrections.approve(correction["id"], user=MAKER)
    report = books.approve_and_push(correction["id"])
    assert [o.status for o in report.outcomes] == ["pushed"]
    created = [t for t in books.boxes.netsuite.tables["transaction"] if t.get("externalid") == brk["billing_ids"][0]]
    assert len(created) == 1
    run_id = books.resync_and_match()
    status, last_run = _break_after(books, brk["id"], run_id)
    assert status == "resolved" and last_run != run_id  # the re-match no longer finds it
    pushed = books.svc.corrections.get(correction["id"])
    assert pushed["status"] == "pushed" and pushed["target_id"] == created[0]["id"] and pushed["checker"] == CHECKER
    assert not books.svc.breaks(PERIOD, kind="missing_in_billing").filter(
        books.svc.breaks(PERIOD, kind="missing_in_billing")["erp_ids"].list.contains(created[0]["id"])).height
    with books.ws.session() as s:
        assert audit.verify(s).ok


def test_adjustment_line_after_a_timeout_is_found_by_lookup_not_appended_twice(books: Books) -> None:
    _journal_policy(books, "adjustment_line")
    brk = books.brk("amount_mismatch")
    correction = books.svc.corrections.propose(brk["id"], user=MAKER)
    assert json.loads(correction["payload"])["keyless"] is True and correction["target_modified"]
    books.svc.corrections.approve(correction["id"], user=CHECKER)
    plan = books.svc.corrections.plan(PERIOD, user=CHECKER)
    books.boxes.netsuite.faults.rates = {"write_timeout": 1.0}
    first = books.svc.corrections.push(plan.hash, user=CHECKER)
    assert first.outcomes[0].status == "failed" and "outcome unknown" in first.outcomes[0].detail
    books.boxes.netsuite.faults.rates = {}
    second = books.svc.corrections.push(plan.hash, user=CHECKER)
    assert second.outcomes[0].status == "pushed" and second.outcomes[0].found_by_lookup
    erp_id = brk["erp_ids"][0]
    lines = [line for line in books.boxes.netsuite.tables["transactionline"]
             if str(line["transaction"]) == erp_id and line.get("memo") == correction["idempotency_key"]]
    assert len(lines) == 1  # one adjustment line, never appended twice
    run_id = books.resync_and_match()
    assert _break_after(books, brk["id"], run_id)[0] == "resolved"
    assert not books.svc.breaks(PERIOD, kind="amount_mismatch").filter(
        books.svc.breaks(PERIOD, kind="amount_mismatch")["id"] == brk["id"])["status"].is_in(["open"]).any()


def test_keyless_patch_partly_there_is_not_resent(books: Books) -> None:
    """A lookup that finds the correction's line but not the expected total refuses to send again."""
    _journal_policy(books, "adjustment_line")
    brk = books.brk("amount_mismatch")
    correction = books.svc.corrections.propose(brk["id"], user=MAKER)
    books.svc.corrections.approve(correction["id"], user=CHECKER)
    plan = books.svc.corrections.plan(PERIOD, user=CHECKER)
    books.boxes.netsuite.faults.rates = {"write_timeout": 1.0}
    books.svc.corrections.push(plan.hash, user=CHECKER)
    books.boxes.netsuite.faults.rates = {}
    erp_id = brk["erp_ids"][0]
    mine = next(t for t in books.boxes.netsuite.tables["transaction"] if t["id"] == erp_id)
    mine["foreigntotal"] = "0.01"  # someone else changed the total meanwhile
    again = books.svc.corrections.push(plan.hash, user=CHECKER)
    assert again.outcomes[0].status == "failed" and "not re-sent" in again.outcomes[0].detail
    lines = [line for line in books.boxes.netsuite.tables["transactionline"]
             if str(line["transaction"]) == erp_id and line.get("memo") == correction["idempotency_key"]]
    assert len(lines) == 1 and books.svc.corrections.get(correction["id"])["retryable"] is False


def test_journal_entry_adjustment_and_a_5xx_before_applying_is_sent_again(books: Books) -> None:
    _journal_policy(books, "journal_entry")
    brk = books.brk("tax_mismatch")
    correction = books.svc.corrections.propose(brk["id"], user=MAKER)
    body = json.loads(correction["payload"])["body"]
    assert body["line"]["items"][0]["account"]["id"] in ("1100", "2200")
    books.svc.corrections.approve(correction["id"], user=CHECKER)
    plan = books.svc.corrections.plan(PERIOD, user=CHECKER)
    books.boxes.netsuite.faults.rates = {"write_500": 1.0}
    assert books.svc.corrections.push(plan.hash, user=CHECKER).outcomes[0].status == "failed"
    books.boxes.netsuite.faults.rates = {}
    report = books.svc.corrections.push(plan.hash, user=CHECKER)
    assert report.outcomes[0].status == "pushed" and not report.outcomes[0].found_by_lookup
    journals = [j for j in books.boxes.netsuite.records.journals.values()
                if j["externalId"] == correction["idempotency_key"]]
    assert len(journals) == 1
    run_id = books.resync_and_match()
    assert _break_after(books, brk["id"], run_id)[0] == "resolved"
    with books.ws.session() as s:
        actions = [r[0] for r in s.execute(audit_sql(), {"id": str(correction["id"])})]
    assert actions == ["correction.draft", "correction.propose", "correction.approve", "correction.send",
                       "correction.fail", "correction.lookup", "correction.send", "correction.push"]


def audit_sql():  # type: ignore[no-untyped-def]
    from sqlalchemy import text

    return text("SELECT action FROM audit_event WHERE object_type = 'correction' AND object_id = :id ORDER BY id")


def test_stale_target_is_refused(books: Books) -> None:
    brk = books.brk("status_mismatch")
    correction = books.svc.corrections.propose(brk["id"], type_="void_erp_document", user=MAKER)
    erp_id = brk["erp_ids"][0]
    books.boxes.netsuite.update_transaction(erp_id, memo="edited in NetSuite after the proposal")
    report = books.approve_and_push(correction["id"])
    assert report.outcomes[0].status == "failed" and report.outcomes[0].detail.startswith("stale:")
    row = books.svc.corrections.get(correction["id"])
    assert row["retryable"] is False and row["attempts"] == 0
    assert next(t for t in books.boxes.netsuite.tables["transaction"] if t["id"] == erp_id)["memo"].startswith("edited")


def test_record_has_been_changed_counts_as_stale(books: Books) -> None:
    brk = books.brk("status_mismatch")
    correction = books.svc.corrections.propose(brk["id"], type_="void_erp_document", user=MAKER)
    books.boxes.netsuite.records.conflicts.add(brk["erp_ids"][0])
    report = books.approve_and_push(correction["id"])
    assert "stale: " in report.outcomes[0].detail and "Record has been changed" in report.outcomes[0].detail


def test_stripe_metadata_link_survives_a_timeout_by_idempotency_and_lookup(books: Books) -> None:
    brk = books.brk("amount_mismatch")
    correction = books.svc.corrections.propose(brk["id"], type_="link_erp_id", user=MAKER)
    books.svc.corrections.approve(correction["id"], user=CHECKER)
    plan = books.svc.corrections.plan(PERIOD, user=CHECKER)
    books.boxes.stripe.faults.rates = {"write_timeout": 1.0}
    assert books.svc.corrections.push(plan.hash, user=CHECKER).outcomes[0].status == "failed"
    books.boxes.stripe.faults.rates = {}
    report = books.svc.corrections.push(plan.hash, user=CHECKER)
    assert report.outcomes[0].found_by_lookup
    invoice = books.boxes.stripe.objects["invoices"][brk["billing_ids"][0]]
    assert invoice["metadata"]["netsuite_id"] == brk["erp_ids"][0]


def test_plan_changed_after_signing_is_refused_and_dry_run_sends_nothing(books: Books) -> None:
    brk = books.brk("missing_in_erp")
    correction = books.svc.corrections.propose(brk["id"], user=MAKER)
    books.svc.corrections.approve(correction["id"], user=CHECKER)
    with pytest.raises(CorrectionError, match="different user must sign"):
        books.svc.corrections.plan(PERIOD, user=MAKER)
    plan = books.svc.corrections.plan(PERIOD, user=CHECKER)
    assert plan.as_dict()["corrections"][0]["request"]["method"] == "PUT"
    assert books.svc.corrections.plan(PERIOD, user=CHECKER).hash == plan.hash  # deterministic
    before = books.boxes.netsuite.requests
    assert books.svc.corrections.push(plan.hash[:10], dry_run=True).outcomes == []
    assert books.boxes.netsuite.requests == before
    with sqlite3.connect(books.ws.db_path) as conn:
        conn.execute("UPDATE correction SET payload = replace(payload, 'PUT', 'PATCH') WHERE id = ?",
                     (correction["id"],))
    with pytest.raises(CorrectionError, match="changed after signing"):
        books.svc.corrections.push(plan.hash, user=CHECKER)


def test_second_approver_above_the_threshold(books: Books) -> None:
    brk = books.brk("missing_in_erp")
    books.ws.config.corrections = {"second_approver_above": {brk["currency"]: 0}}
    correction = books.svc.corrections.propose(brk["id"], user=MAKER)
    assert books.svc.corrections.approve(correction["id"], user=CHECKER)["status"] == "proposed"
    with pytest.raises(CorrectionError, match="second, different user"):
        books.svc.corrections.approve(correction["id"], user=CHECKER)
    with pytest.raises(CorrectionError, match="different user must approve"):
        books.svc.corrections.approve(correction["id"], user=MAKER)
    approved = books.svc.corrections.approve(correction["id"], user=CHECKER2)
    assert approved["status"] == "approved" and approved["checker2"] == CHECKER2


def test_write_off_is_recorded_only_and_rejected_corrections_are_cancelled(books: Books) -> None:
    _journal_policy(books, "journal_entry")
    brk = books.brk("currency_mismatch")
    with pytest.raises(CorrectionError, match="needs a reason"):
        books.svc.corrections.propose(brk["id"], type_="write_off", user=MAKER)
    assert books.svc.corrections.list().height == 0  # a refused proposal leaves nothing behind
    first = books.svc.corrections.propose(brk["id"], type_="write_off", note="immaterial FX", user=MAKER)
    with pytest.raises(CorrectionError, match="already has correction"):
        books.svc.corrections.propose(brk["id"], type_="write_off", note="again", user=MAKER)
    books.svc.corrections.reject(first["id"], reason="write it off next month", user=CHECKER)
    assert books.svc.corrections.get(first["id"])["status"] == "cancelled"
    second = books.svc.corrections.propose(brk["id"], type_="write_off", note="immaterial FX", user=MAKER)
    requests = books.boxes.netsuite.requests + books.boxes.stripe.requests
    report = books.approve_and_push(second["id"])
    assert report.outcomes[0].status == "pushed"
    assert books.boxes.netsuite.requests + books.boxes.stripe.requests == requests  # nothing sent
    assert books.svc.breaks(PERIOD, kind="currency_mismatch").filter(
        books.svc.breaks(PERIOD, kind="currency_mismatch")["id"] == brk["id"])["status"][0] == "resolved"


def test_locked_period_refuses_corrections(books: Books) -> None:
    brk = books.brk("missing_in_erp")
    correction = books.svc.corrections.propose(brk["id"], user=MAKER)
    books.svc.corrections.approve(correction["id"], user=CHECKER)
    plan = books.svc.corrections.plan(PERIOD, user=CHECKER)
    with sqlite3.connect(books.ws.db_path) as conn:
        conn.execute("INSERT INTO period (period, entity, status) VALUES (?, '', 'locked')", (PERIOD,))
    report = books.svc.corrections.push(plan.hash, user=CHECKER)
    assert report.outcomes[0].status == "failed" and "locked" in report.outcomes[0].detail
    assert not [t for t in books.boxes.netsuite.tables["transaction"] if t.get("externalid") == brk["billing_ids"][0]]
    with pytest.raises(PeriodError, match="locked"):
        books.svc.corrections.propose(books.brk("tax_mismatch")["id"], user=MAKER)


def test_netsuite_refusal_keeps_its_error_details_and_stays_retryable(books: Books) -> None:
    brk = books.brk("missing_in_erp")
    correction = books.svc.corrections.propose(brk["id"], user=MAKER)
    books.boxes.netsuite.records.locked_periods.add(PERIOD)  # NetSuite's own period lock
    report = books.approve_and_push(correction["id"])
    assert report.outcomes[0].status == "failed"
    row = books.svc.corrections.get(correction["id"])
    assert "HTTP 400: USER_ERROR: The accounting period" in row["reason"] and "is locked" in row["reason"]
    assert row["retryable"] is True and row["outcome_unknown"] is False
    books.boxes.netsuite.records.locked_periods.clear()
    plan = books.svc.corrections.plan(PERIOD, user=CHECKER)  # a failed, retryable correction is planned again
    assert books.svc.corrections.push(plan.hash, user=CHECKER).outcomes[0].status == "pushed"
