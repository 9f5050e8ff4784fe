"""Generator basics: determinism, manifest counts, money encoding, Stripe shapes."""
import hashlib
import json
from pathlib import Path

import pytest

from tieout.sample_data.generate import generate, parse_ns_decimal, ns_decimal, allocate

FIXTURES = Path(__file__).resolve().parents[2] / ".." / "shared" / "vendor" / "stripe" / "fixtures3.json"

# our file -> fixtures3.json resource
RESOURCE = {
    "stripe/customer": "customer", "stripe/product": "product", "stripe/price": "price",
    "stripe/subscription": "subscription", "stripe/invoice": "invoice", "stripe/invoice_payment": "invoice_payment",
    "stripe/payment_intent": "payment_intent", "stripe/charge": "charge", "stripe/refund": "refund",
    "stripe/credit_note": "credit_note", "stripe/balance_transaction": "balance_transaction",
    "stripe/payout": "payout",
}
# fields downstream code relies on: must be emitted by us AND exist in Stripe's fixture
RELIED = {
    "invoice": ["id", "number", "customer", "currency", "status", "created", "effective_at", "status_transitions",
                "subtotal", "total", "total_excluding_tax", "total_taxes", "amount_paid", "amount_due",
                "amount_remaining", "metadata", "lines", "parent"],
    "line_item": ["id", "amount", "currency", "period", "pricing", "parent", "taxes", "discount_amounts",
                  "quantity", "invoice"],
    "credit_note": ["id", "invoice", "customer", "currency", "total", "subtotal", "total_taxes", "effective_at",
                    "status", "lines", "refunds", "metadata"],
    "credit_note_line_item": ["id", "amount", "invoice_line_item", "taxes"],
    "invoice_payment": ["id", "invoice", "amount_paid", "payment", "status", "currency"],
    "payment_intent": ["id", "amount", "currency", "customer", "latest_charge", "status"],
    "charge": ["id", "amount", "amount_refunded", "balance_transaction", "currency", "customer", "payment_intent",
               "created", "metadata", "status"],
    "refund": ["id", "amount", "charge", "balance_transaction", "currency", "created", "status"],
    "balance_transaction": ["id", "amount", "fee", "fee_details", "net", "source", "type", "currency", "created",
                            "available_on"],
    "payout": ["id", "amount", "arrival_date", "currency", "balance_transaction", "status", "metadata"],
    "customer": ["id", "currency", "name", "metadata"],
    "subscription": ["id", "customer", "items", "status"],
    "subscription_item": ["id", "price", "current_period_start", "current_period_end", "subscription"],
    "price": ["id", "currency", "unit_amount", "product", "recurring"],
    "product": ["id", "name"],
}


def _digest(d: Path) -> dict:
    return {str(p.relative_to(d)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(d.rglob("*")) if p.is_file()}


def test_same_seed_is_byte_identical(tmp_path):
    generate(3, 80, str(tmp_path / "a"))
    generate(3, 80, str(tmp_path / "b"))
    generate(4, 80, str(tmp_path / "c"))
    a, b, c = _digest(tmp_path / "a"), _digest(tmp_path / "b"), _digest(tmp_path / "c")
    assert a == b
    assert a["stripe/invoice.jsonl.gz"] != c["stripe/invoice.jsonl.gz"]


def test_counts_match_manifest(dataset, data):
    m = data["_manifest"]
    for name, n in m["files"].items():
        assert len(data[name[: -len(".jsonl.gz")]]) == n, name
    assert m["answer_key"]["entries"] == len(data["_key"])
    assert m["periods"] == ["2026-09", "2026-10"]


def _walk(obj, path=""):
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _walk(v, f"{path}.{k}")
    elif isinstance(obj, list):
        for v in obj:
            yield from _walk(v, f"{path}[]")
    else:
        yield path, obj


def test_no_floats_anywhere_and_money_is_int(data):
    for name, rows in data.items():
        if name.startswith("_"):
            continue
        for row in rows:
            for path, v in _walk(row):
                assert not isinstance(v, float), (name, path)
                leaf = path.rsplit(".", 1)[-1]
                if name.startswith("stripe/") and leaf in ("amount", "total", "subtotal", "fee", "net",
                                                          "amount_paid", "amount_due", "amount_remaining"):
                    assert isinstance(v, int), (name, path, v)


def test_erp_decimals_parse_exactly(data):
    money_cols = {"netsuite/transaction": ["foreigntotal", "taxtotal"],
                  "netsuite/transactionline": ["foreignamount", "taxamount"],
                  "netsuite/transactionlink": ["foreignamount"],
                  "netsuite/revenueplanline": ["amount"],
                  "netsuite/deferredrevenuebalance": ["opening", "billed", "recognized", "closing"]}
    txn_cur = {t["id"]: t["currency"] for t in data["netsuite/transaction"]}
    for name, cols in money_cols.items():
        for r in data[name]:
            cur = r.get("currency") or txn_cur.get(r.get("transaction") or r.get("nextdoc"))
            for col in cols:
                v = r[col]
                if v is None:
                    continue
                assert isinstance(v, str)
                n = parse_ns_decimal(v, cur)
                assert ns_decimal(n, cur) == v, (name, col, v)


def test_decimal_helpers():
    assert ns_decimal(123450, "USD") == "1234.50"
    assert ns_decimal(-5, "EUR") == "-0.05"
    assert ns_decimal(1234, "JPY") == "1234"
    assert parse_ns_decimal("1234.50", "USD") == 123450
    with pytest.raises(ValueError):
        parse_ns_decimal("1.234", "USD")
    parts = allocate(1000, 1790000000, 1790000000 + 45 * 86400)
    assert sum(a for _, a in parts) == 1000


def test_stripe_shapes_match_fixtures(data):
    if not FIXTURES.exists():
        pytest.skip(f"Stripe fixtures not found at shared/vendor/stripe/fixtures3.json beside the repo ({FIXTURES})")
    res = json.loads(FIXTURES.read_text())["resources"]

    def check(obj, resource, what):
        fx = res[resource]
        extra = set(obj) - set(fx)
        assert not extra, f"{what}: fields not in Stripe's {resource}: {sorted(extra)}"
        missing = [f for f in RELIED.get(resource, []) if f not in obj]
        assert not missing, f"{what}: relied-on fields missing: {missing}"
        if "object" in obj:
            assert obj["object"] == resource

    for name, resource in RESOURCE.items():
        rows = data[name]
        assert rows, name
        for obj in rows[:200]:
            check(obj, resource, name)
            if resource == "invoice":
                for li in obj["lines"]["data"]:
                    check(li, "line_item", "invoice line")
            if resource == "credit_note":
                for li in obj["lines"]["data"]:
                    check(li, "credit_note_line_item", "credit note line")
            if resource == "subscription":
                for si in obj["items"]["data"]:
                    check(si, "subscription_item", "subscription item")


def test_ids_look_like_stripe(data):
    prefixes = {"stripe/invoice": "in_", "stripe/charge": "ch_", "stripe/payout": "po_", "stripe/refund": "re_",
                "stripe/credit_note": "cn_", "stripe/customer": "cus_", "stripe/invoice_payment": "inpay_",
                "stripe/balance_transaction": "txn_", "stripe/payment_intent": "pi_"}
    for name, p in prefixes.items():
        ids = [r["id"] for r in data[name]]
        assert all(i.startswith(p) and i[len(p):].isalnum() for i in ids), name
        assert len(set(ids)) == len(ids), name
