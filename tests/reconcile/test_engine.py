"""Matching and classification on canonical rows written through the real ingest path."""

from __future__ import annotations

import json

import polars as pl
import pytest



def kinds(svc, period: str = "2026-10") -> dict[str, tuple[list[str], list[str]]]:
    """kind -> (billing_ids, erp_ids) of the period's unresolved breaks (one break per kind in these tests)."""
    frame = svc.breaks(period).filter(pl.col("status") != "auto_resolved")
    assert frame["kind"].n_unique() == frame.height, frame
    return {r["kind"]: (r["billing_ids"], r["erp_ids"]) for r in frame.iter_rows(named=True)}


def test_clean_pair_matches_on_external_id_with_no_break(books, svc, invoice) -> None:
    books.add("billing", invoice("in_1")).add("erp", invoice("101", "erp", ref="in_1")).ingest()
    summary = svc.match("2026-10")
    assert summary.matched["invoice"] == 1 and summary.breaks_by_kind == {}
    m = svc.matches("2026-10").row(0, named=True)
    assert (m["rule"], m["billing_ids"], m["erp_ids"], m["differences"]) == ("external_id", ["in_1"], ["101"], "{}")


@pytest.mark.parametrize(("erp_changes", "kind", "stake", "currency"), [
    ({"total": 10850, "subtotal": 10050}, "amount_mismatch", 50, "USD"),
    ({"tax": 900, "total": 10900}, "tax_mismatch", 100, "USD"),  # ex-tax equal: tax only
    ({"currency": "EUR", "total": 11800}, "currency_mismatch", 10800, "USD"),  # currency only
    ({"status": "void"}, "status_mismatch", 10800, "USD"),
    ({"customer_billing_ref": "cus_2"}, "customer_mismatch", 10800, "USD"),
    ({"posting_date": "2026-11-01"}, "period_mismatch", 10800, "USD"),
])
def test_each_difference_of_a_pair_is_one_break_with_its_amount_at_stake(
        books, svc, invoice, erp_changes, kind, stake, currency) -> None:
    books.add("billing", invoice("in_1")).add("erp", invoice("101", "erp", ref="in_1", **erp_changes)).ingest()
    svc.match("2026-10")
    frame = svc.breaks("2026-10")
    assert frame.height == 1
    brk = frame.row(0, named=True)
    assert (brk["kind"], brk["amount"], brk["currency"]) == (kind, stake, currency)
    assert (brk["billing_ids"], brk["erp_ids"], brk["period"]) == (["in_1"], ["101"], "2026-10")


def test_uncollectible_equals_open_per_ruleset(books, svc, invoice) -> None:
    books.add("billing", invoice("in_1", status="uncollectible")).add("erp", invoice("101", "erp", ref="in_1"))
    books.ingest()
    svc.match("2026-10")
    assert svc.breaks("2026-10").height == 0


def test_missing_duplicates_and_credit_notes(books, svc, invoice) -> None:
    books.add("billing",
              invoice("in_1"), invoice("in_2", customer_billing_ref="cus_9"),  # in_2: never posted
              invoice("in_3", customer_billing_ref="cus_3"), invoice("in_3b", customer_billing_ref="cus_3"),  # double bill
              invoice("in_4", customer_billing_ref="cus_4"),
              invoice("cn_1", table="credit_note", status="issued", total=500, tax=0, subtotal=500))
    books.add("erp",
              invoice("101", "erp", ref="in_1"), invoice("103", "erp", ref="in_3", customer_billing_ref="cus_3"),
              invoice("104", "erp", ref="in_4", customer_billing_ref="cus_4"),
              invoice("105", "erp", ref="in_4", customer_billing_ref="cus_4"),  # posted twice
              invoice("900", "erp", ref="in_never", customer_billing_ref="cus_8", total=777),
              invoice("201", "erp", ref="cn_1", table="credit_note", status="applied", total=500, tax=0))
    books.ingest()
    svc.match("2026-10")
    assert kinds(svc) == {
        "missing_in_erp": (["in_2"], []),
        "duplicate_in_billing": (["in_3", "in_3b"], ["103"]),
        "duplicate_in_erp": (["in_4"], ["104", "105"]),
        "missing_in_billing": ([], ["900"]),
    }
    detail = json.loads(svc.ws.raw().execute(
        "SELECT details FROM break WHERE kind = 'duplicate_in_billing'").fetchone()[0])
    assert detail == {"duplicate_of": "in_3"}
    # the credit note matched its credit memo (issued ~ applied), as a credit_note match
    cn = svc.matches("2026-10").filter(pl.col("object_type") == "credit_note")
    assert cn["billing_ids"].to_list() == [["cn_1"]]


def test_tolerance_pass_matches_without_ids_and_records_the_accepted_difference(books, svc, invoice, ws) -> None:
    (ws.path / "rules.toml").write_text("""
[[invoice.passes]]
name = "id"
keys = ["ref"]
[[invoice.passes]]
name = "fuzzy"
keys = ["customer", "currency"]
amount_abs = 5
date_days = 2
[invoice.compare]
amount_abs = 5
""", encoding="utf-8")
    ws.config.ruleset = "rules.toml"
    ws.save_config()
    books.add("billing", invoice("in_1", total=10803, subtotal=10003))
    books.add("erp", invoice("101", "erp", ref=None, posting_date="2026-10-06"))
    books.ingest()
    svc.match("2026-10")
    assert svc.breaks("2026-10").height == 0
    m = svc.matches("2026-10").row(0, named=True)
    assert m["rule"] == "fuzzy" and json.loads(m["differences"]) == {"amount": ["10803", "10800"]}


def test_several_candidates_are_flagged_ambiguous_never_matched(books, svc, invoice, ws) -> None:
    (ws.path / "rules.toml").write_text("""
[[invoice.passes]]
name = "fuzzy"
keys = ["customer", "currency"]
amount_abs = 0
date_days = 3
""", encoding="utf-8")
    ws.config.ruleset = "rules.toml"
    ws.save_config()
    books.add("billing", invoice("in_1"))
    books.add("erp", invoice("101", "erp", posting_date="2026-10-04"), invoice("102", "erp", posting_date="2026-10-06"))
    books.ingest()
    svc.match("2026-10")
    assert svc.matches("2026-10").height == 0
    assert kinds(svc) == {"ambiguous": (["in_1"], ["101", "102"])}


def test_one_to_many_group_ties_to_the_sum(books, svc, invoice, ws) -> None:
    (ws.path / "rules.toml").write_text("""
[[invoice.passes]]
name = "split"
keys = ["customer", "currency"]
cardinality = "one_to_many"
max_group = 3
date_days = 5
""", encoding="utf-8")
    ws.config.ruleset = "rules.toml"
    ws.save_config()
    books.add("billing", invoice("in_1"))
    books.add("erp", invoice("101", "erp", total=5400, tax=400), invoice("102", "erp", total=5400, tax=400))
    books.ingest()
    svc.match("2026-10")
    assert svc.breaks("2026-10").height == 0
    m = svc.matches("2026-10").row(0, named=True)
    assert (m["rule"], m["billing_ids"], m["erp_ids"], m["erp_amount"]) == ("split", ["in_1"], ["101", "102"], 10800)


def test_entity_scope_only_touches_that_entity(books, svc, invoice) -> None:
    books.add("billing", invoice("in_us"), invoice("in_eu", entity="EU", currency="EUR")).ingest()
    svc.match("2026-10", entity="EU")
    frame = svc.breaks("2026-10")
    assert frame["billing_ids"].to_list() == [["in_eu"]] and frame["entity"].to_list() == ["EU"]


def test_a_field_left_out_of_compare_is_an_accepted_difference(books, svc, invoice, ws) -> None:
    (ws.path / "rules.toml").write_text('[[invoice.passes]]\nname = "id"\nkeys = ["ref"]\n'
                                        '[invoice.compare]\nfields = ["amount", "tax"]\n', encoding="utf-8")
    ws.config.ruleset = "rules.toml"
    ws.save_config()
    books.add("billing", invoice("in_1")).add("erp", invoice("101", "erp", ref="in_1", status="void")).ingest()
    svc.match("2026-10")
    assert svc.breaks("2026-10").height == 0
    assert json.loads(svc.matches("2026-10")["differences"][0]) == {"status": ["open", "void"]}
