"""A break is the same break across runs when only its amount moves: its review history stays with it."""

from __future__ import annotations


def test_same_break_keeps_id_and_history_when_the_amount_at_stake_changes(books, svc, invoice) -> None:
    books.add("billing", invoice("in_1")).add("erp", invoice("101", "erp", ref="in_1", total=10850, subtotal=10050))
    books.ingest()
    svc.match("2026-10")
    (first,) = svc.breaks("2026-10").rows(named=True)
    svc.set_status(first["id"], "investigating", note="asked AR")
    # the ERP invoice is edited again: the difference grows from 0.50 to 0.70
    books.add("erp", invoice("101", "erp", ref="in_1", total=10870, subtotal=10070)).ingest()
    svc.match("2026-10")
    (after,) = svc.breaks("2026-10").rows(named=True)
    assert (first["kind"], first["amount"]) == ("amount_mismatch", 50)
    assert (after["id"], after["kind"], after["amount"]) == (first["id"], "amount_mismatch", 70)
    assert (after["status"], after["note"]) == ("investigating", "asked AR")
