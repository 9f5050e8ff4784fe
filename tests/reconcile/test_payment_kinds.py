"""Every payment-domain break kind, found on canonical rows written to a real SQLite workspace."""

from __future__ import annotations

import json
from typing import Any

import polars as pl
import pytest

from tieout import reconcile
from tieout.reconcile.domains.payout import proof_line

PERIOD = "2026-10"


def _cash(key: str, side: str, kind: str, amount: int, **values: Any) -> dict[str, Any]:
    row = {"_table": "payment", "external_id": key, "kind": kind, "entity": "US", "currency": "USD",
           "customer_ref": "cus_1", "customer_billing_ref": "cus_1", "posting_date": "2026-10-05",
           "posting_period": PERIOD, "amount": amount, "net": amount}
    row.update(values)
    return row


def charge(key: str, amount: int = 10000, *, invoice: str | None = "in_1", **values: Any) -> list[dict[str, Any]]:
    """A Stripe charge and, when ``invoice`` is given, the invoice payment naming its payment intent."""
    intent = f"pi_{key}"
    rows = [_cash(key, "billing", "charge", amount, counterpart_ref=intent, **values)]
    if invoice:
        rows += [_cash(f"inpay_{key}", "billing", "payment", amount, counterpart_ref=intent, invoice_ref=invoice),
                 {"_table": "payment_application", "external_id": f"inpay_{key}", "payment_ref": f"inpay_{key}",
                  "invoice_ref": invoice, "amount": amount, "currency": "USD"}]
    return rows


def payment(key: str, ref: str | None, amount: int = 10000, *, applied: dict[str, int] | None = None,
            **values: Any) -> list[dict[str, Any]]:
    """An ERP customer payment for billing ``ref``, applied to ERP invoices (default: 9001 for its amount)."""
    rows = [_cash(key, "erp", "payment", amount, counterpart_ref=ref, **values)]
    for invoice, part in (applied if applied is not None else {"9001": amount}).items():
        rows.append({"_table": "payment_application", "external_id": f"{key}:{invoice}", "payment_ref": key,
                     "invoice_ref": invoice, "amount": part, "currency": "USD"})
    return rows


def erp_invoice(key: str, billing_id: str) -> dict[str, Any]:
    return {"_table": "invoice", "external_id": key, "counterpart_ref": billing_id, "entity": "US",
            "currency": "USD", "posting_date": "2026-10-01", "posting_period": PERIOD, "total": 50000}


def payout(key: str, amount: int, items: list[tuple[str, int, int]], **values: Any) -> list[dict[str, Any]]:
    """A payout and its balance transactions (source id, amount, fee)."""
    rows = [{"_table": "payout", "external_id": key, "entity": "US", "currency": "USD", "status": "paid",
             "arrival_date": "2026-10-08", "posting_period": PERIOD, "amount": amount, **values}]
    for n, (source, gross, fee) in enumerate(items):
        rows.append({"_table": "payout_item", "external_id": f"txn_{key}_{n}", "payout_ref": key,
                     "type": "refund" if source.startswith("re_") else "charge", "source_ref": source,
                     "amount": gross, "fee": fee, "net": gross - fee, "currency": "USD"})
    return rows


def deposit(key: str, ref: str | None, lines: list[tuple[str, str | None, int]], **values: Any) -> list[dict]:
    """An ERP bank deposit and its lines (kind, ERP payment id, amount); its total is the lines' sum."""
    rows = [{"_table": "bank_deposit", "external_id": key, "counterpart_ref": ref, "entity": "US", "currency": "USD",
             "posting_date": "2026-10-08", "posting_period": PERIOD, "amount": sum(a for _, _, a in lines), **values}]
    for n, (kind, pay, amount) in enumerate(lines, 1):
        rows.append({"_table": "bank_deposit_line", "external_id": f"{key}:{n}", "deposit_ref": key, "kind": kind,
                     "payment_ref": pay, "amount": amount, "currency": "USD"})
    return rows


@pytest.fixture(scope="module")
def svc(tmp_path_factory: pytest.TempPathFactory) -> reconcile.Service:
    """One workspace holding a case of every kind, matched once."""
    from tieout.storage.workspace import init_workspace
    from tests.support import Books

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TIEOUT_USER", "tester")
        ws = init_workspace(tmp_path_factory.mktemp("payments") / "ws")
        billing: list[dict[str, Any]] = []
        erp: list[dict[str, Any]] = [erp_invoice("9001", "in_1"), erp_invoice("9002", "in_2")]
        cases = {
            "ch_ok": {}, "ch_amount": {"amount": 9900}, "ch_wrong": {"applied": {"9002": 10000}},
            "ch_partial": {"applied": {"9001": 6000}}, "ch_over": {"applied": {"9001": 12000}},
            "ch_unapplied": {"applied": {}}, "ch_customer": {"customer_billing_ref": "cus_2"},
            "ch_date": {"posting_date": "2026-10-20"}, "ch_currency": {"currency": "EUR"},
        }
        for n, (key, erp_values) in enumerate(cases.items()):
            billing += charge(key)
            erp += payment(f"50{n:02d}", key, **erp_values)
        billing += charge("ch_missing", 4321)
        erp += payment("5100", "ch_not_in_stripe", 2222)
        # no external id on the ERP side: the customer + amount + date pass pairs it, or finds two candidates
        billing += charge("ch_by_customer", 7777, customer_billing_ref="cus_9", customer_ref="cus_9")
        erp += payment("5200", None, 7777, customer_billing_ref="cus_9")
        billing += charge("ch_twin_a", 3333, customer_billing_ref="cus_8") + charge(
            "ch_twin_b", 3333, customer_billing_ref="cus_8", posting_date="2026-10-06")
        erp += payment("5300", None, 3333, customer_billing_ref="cus_8")
        # one receipt for several charges: one group adds up (matched), or two do (ambiguous)
        for key, amount in (("ch_g1", 1000), ("ch_g2", 2500), ("ch_g3", 700)):
            billing += charge(key, amount, customer_billing_ref="cus_g")
        erp += payment("5400", None, 3500, customer_billing_ref="cus_g", applied={"9001": 3500})
        for key, amount in (("ch_h1", 1000), ("ch_h2", 2000), ("ch_h3", 1500), ("ch_h4", 1500)):
            billing += charge(key, amount, customer_billing_ref="cus_h")
        erp += payment("5500", None, 3000, customer_billing_ref="cus_h")
        # payouts: ch_ok (10000, fee 300) in each, so every deposit has a payment line for ERP payment 5000
        item = [("ch_ok", 10000, 300)]
        billing += payout("po_ok", 9700, item)
        erp += deposit("d_ok", "po_ok", [("payment", "5000", 10000), ("fee", None, -300)])
        billing += payout("po_fee", 9700, item)
        erp += deposit("d_fee", "po_fee", [("payment", "5000", 10000), ("fee", None, -350), ("other", None, 50)])
        billing += payout("po_sum", 9700, item)
        erp += deposit("d_sum", "po_sum", [("payment", "5000", 10000), ("fee", None, -300), ("other", None, 100)])
        billing += payout("po_items", 9800, item)  # its transactions add up to 9700, not 9800
        erp += deposit("d_items", "po_items", [("payment", "5000", 10000), ("fee", None, -300), ("other", None, 100)])
        billing += payout("po_lost_line", 19400, item + [("ch_amount", 10000, 300)])
        erp += deposit("d_lost_line", "po_lost_line", [("payment", "5000", 10000), ("fee", None, -600),
                                                       ("other", None, 10000)])
        billing += payout("po_failed", 9700, item, status="failed")
        erp += deposit("d_failed", "po_failed", [("payment", "5000", 10000), ("fee", None, -300)])
        billing += payout("po_late", 9700, item, arrival_date="2026-10-31")
        erp += deposit("d_late", "po_late", [("payment", "5000", 10000), ("fee", None, -300)],
                       posting_date="2026-11-02", posting_period="2026-11")
        billing += payout("po_transit", 5000, [], status="in_transit")
        billing += payout("po_nowhere", 6000, [])
        erp += deposit("d_nowhere", None, [("other", None, 4444)])
        # no payout id on the deposit: entity + currency + amount within the arrival window
        billing += payout("po_by_amount", 8123, [], arrival_date="2026-10-15")
        erp += deposit("d_by_amount", None, [("other", None, 8123)], posting_date="2026-10-16")
        Books(ws).add("billing", *billing).add("erp", *erp).ingest()
        svc = reconcile.open_workspace(ws.path)
        svc.match(PERIOD, domain="payment")
        yield svc
        svc.ws.close()


@pytest.fixture(scope="module")
def found(svc: reconcile.Service) -> pl.DataFrame:
    return svc.breaks(PERIOD, domain="payment")


@pytest.mark.parametrize(("kind", "billing", "erp", "amount"), [
    ("amount_mismatch", ["ch_amount"], ["5001"], 100),
    ("wrong_invoice", ["ch_wrong"], ["5002"], 10000),
    ("partially_applied", ["ch_partial"], ["5003"], 4000),
    ("over_applied", ["ch_over"], ["5004"], 2000),
    ("unapplied", ["ch_unapplied"], ["5005"], 10000),
    ("customer_mismatch", ["ch_customer"], ["5006"], 10000),
    ("date_mismatch", ["ch_date"], ["5007"], 10000),
    ("currency_mismatch", ["ch_currency"], ["5008"], 10000),
    ("missing_in_erp", ["ch_missing"], [], 4321),
    ("missing_in_billing", [], ["5100"], 2222),
    ("ambiguous", ["ch_twin_a", "ch_twin_b"], ["5300"], 3333),
    ("ambiguous", ["ch_h1", "ch_h2", "ch_h3", "ch_h4"], ["5500"], 3000),
    ("fee_mismatch", ["po_fee"], ["d_fee"], 50),
    ("payout_sum_mismatch", ["po_sum"], ["d_sum"], 100),
    ("payout_sum_mismatch", ["po_items"], ["d_items"], 100),
    ("payout_item_missing", ["po_lost_line"], ["d_lost_line"], 10000),
    ("payout_failed", ["po_failed"], ["d_failed"], 9700),
    ("in_transit", ["po_late"], ["d_late"], 9700),
    ("in_transit", ["po_transit"], [], 5000),
    ("payout_missing_in_erp", ["po_nowhere"], [], 6000),
    ("deposit_missing_in_billing", [], ["d_nowhere"], 4444),
])
def test_each_kind_is_found_with_its_amount_at_stake(found: pl.DataFrame, kind: str, billing: list[str],
                                                     erp: list[str], amount: int) -> None:
    rows = found.filter((pl.col("kind") == kind) & (pl.col("billing_ids") == billing) & (pl.col("erp_ids") == erp))
    assert rows.height == 1, found.select("kind", "billing_ids", "erp_ids", "amount").to_dicts()
    assert rows["amount"].item() == amount


def test_clean_and_fallback_pairs_raise_nothing(found: pl.DataFrame) -> None:
    ids = set(found["billing_ids"].explode().drop_nulls()) | set(found["erp_ids"].explode().drop_nulls())
    assert not ids & {"ch_ok", "5000", "ch_by_customer", "5200", "po_ok", "d_ok", "po_by_amount", "d_by_amount",
                      "ch_g1", "ch_g2", "5400"}
    assert found.filter(pl.col("billing_ids") == ["ch_g3"])["kind"].to_list() == ["missing_in_erp"]


def test_a_payout_break_carries_its_proof_and_pairs_are_matches(svc: reconcile.Service,
                                                                 found: pl.DataFrame) -> None:
    fee = found.filter(pl.col("kind") == "fee_mismatch")["id"].item()
    proof = svc.break_detail(fee).brk["details"]["proof"]
    assert proof == {"gross": 10000, "refunds": 0, "disputes": 0, "fees": 300, "adjustments": 0, "net": 9700,
                     "payout": 9700, "deposit": 9700, "deposit_fee": 350}
    matches = svc.matches(PERIOD, domain="payment")
    rules = dict(zip(matches["billing_ids"].list.first(), matches["rule"]))
    assert rules["ch_ok"] == "external_id" and rules["ch_by_customer"] == "customer_amount_date"
    assert rules["po_ok"] == "payout_id" and rules["po_by_amount"] == "payout_amount_arrival"
    grouped = matches.filter(pl.col("rule") == "subset_sum").row(0, named=True)
    assert (grouped["billing_ids"], grouped["erp_ids"]) == (["ch_g1", "ch_g2"], ["5400"])
    assert json.loads(grouped["differences"]) == {"accepted_difference": 0, "group_size": 2}


def test_proof_line_names_each_term_and_what_is_left() -> None:
    proof = {"gross": 10000, "refunds": 0, "disputes": 0, "fees": 300, "adjustments": 0, "net": 9700,
             "payout": 9700, "deposit": 9800, "deposit_fee": 300}
    line = proof_line(proof, "USD")
    assert line.startswith("gross 100.00 − refunds 0.00 − disputes 0.00 − fees 3.00 + adjustments 0.00 = net 97.00")
    assert line.endswith("= deposit 98.00  (left over: deposit − payout 1.00)")
    assert proof_line({**proof, "deposit": 9700}, "USD").endswith("(ties)")
