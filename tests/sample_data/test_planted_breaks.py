"""Recompute every break BY HAND from the generated files (no engine) and compare with the answer key.

This is a tiny independent reference matcher: exact keys only (Stripe id == NetSuite externalid).
"""
from collections import defaultdict
from itertools import combinations
import random
import time

from tieout.sample_data.generate import allocate, parse_ns_decimal

INV_STATUS_OK = {"open": {"CustInvc:A"}, "uncollectible": {"CustInvc:A"}, "paid": {"CustInvc:B"},
                 "void": {"CustInvc:V"}}


def period(t):
    return time.strftime("%Y-%m", time.gmtime(t))


def money(v, cur):
    return parse_ns_decimal(v, cur)


def _index(data):
    txns = data["netsuite/transaction"]
    by_ext = defaultdict(list)
    for t in txns:
        by_ext[(t["type"], t["externalid"])].append(t)
    lines = defaultdict(list)
    for ln in data["netsuite/transactionline"]:
        lines[ln["transaction"]].append(ln)
    cust_ext = {c["id"]: c["externalid"] for c in data["netsuite/customer"]}
    return txns, by_ext, lines, cust_ext


def found_invoice_breaks(data):
    txns, by_ext, lines, cust_ext = _index(data)
    out = set()
    stripe = [i for i in data["stripe/invoice"] if i["status"] != "draft"]
    ids = {i["id"] for i in stripe}
    # duplicate_in_billing: same customer, total and line service periods/prices; ERP holds only one of them
    groups = defaultdict(list)
    for i in stripe:
        sig = (i["customer"], i["total"], tuple((li["period"]["start"], li["period"]["end"], li["amount"])
                                               for li in i["lines"]["data"]))
        groups[sig].append(i)
    dup_second = set()
    for g in groups.values():
        if len(g) > 1:
            g.sort(key=lambda x: x["created"])
            erp = [t for x in g for t in by_ext[("CustInvc", x["id"])]]
            out.add(("duplicate_in_billing", tuple(sorted(x["id"] for x in g)), tuple(t["id"] for t in erp)))
            dup_second.update(x["id"] for x in g if not by_ext[("CustInvc", x["id"])])
    for i in stripe:
        erp = by_ext[("CustInvc", i["id"])]
        if not erp:
            if i["id"] not in dup_second:
                out.add(("missing_in_erp", (i["id"],), ()))
            continue
        if len(erp) > 1:
            out.add(("duplicate_in_erp", (i["id"],), tuple(sorted(t["id"] for t in erp))))
            continue
        t = erp[0]
        cur = i["currency"]
        tax = sum(x["amount"] for x in i["total_taxes"])
        b = ((i["id"],), (t["id"],))
        if t["currency"] != cur.upper():
            out.add(("currency_mismatch",) + b)
            continue
        if money(t["foreigntotal"], cur) - money(t["taxtotal"], cur) != i["total_excluding_tax"]:
            out.add(("amount_mismatch",) + b)
        if money(t["taxtotal"], cur) != tax:
            out.add(("tax_mismatch",) + b)
        if t["status"] not in INV_STATUS_OK[i["status"]]:
            out.add(("status_mismatch",) + b)
        if cust_ext[t["entity"]] != i["customer"]:
            out.add(("customer_mismatch",) + b)
        if t["trandate"][:7] != period(i["effective_at"]):
            out.add(("period_mismatch",) + b)
    for cn in data["stripe/credit_note"]:
        erp = by_ext[("CustCred", cn["id"])]
        if not erp:
            out.add(("missing_in_erp", (cn["id"],), ()))
            continue
        t = erp[0]
        tax = sum(x["amount"] for x in cn["total_taxes"])
        b = ((cn["id"],), (t["id"],))
        if money(t["foreigntotal"], cn["currency"]) - money(t["taxtotal"], cn["currency"]) != cn["total_excluding_tax"]:
            out.add(("amount_mismatch",) + b)
        if money(t["taxtotal"], cn["currency"]) != tax:
            out.add(("tax_mismatch",) + b)
    cn_ids = {c["id"] for c in data["stripe/credit_note"]}
    for t in txns:
        if t["type"] == "CustInvc" and t["externalid"] not in ids:
            out.add(("missing_in_billing", (), (t["id"],)))
        if t["type"] == "CustCred" and t["externalid"] not in cn_ids:
            out.add(("missing_in_billing", (), (t["id"],)))
    return out


def found_payment_breaks(data):
    txns, by_ext, lines, cust_ext = _index(data)
    out = set()
    inv_of_pi = {p["payment"]["payment_intent"]: p["invoice"] for p in data["stripe/invoice_payment"]}
    applied = defaultdict(list)
    for ln in data["netsuite/transactionlink"]:
        applied[ln["nextdoc"]].append(ln)
    ext_of = {t["id"]: t["externalid"] for t in txns}
    grouped = _grouped_receipts(data, by_ext, cust_ext)
    out |= grouped
    in_groups = {ch for _, chs, _ in grouped for ch in chs}
    for ch in data["stripe/charge"]:
        erp = by_ext[("CustPymt", ch["id"])]
        if not erp:
            if ch["id"] not in in_groups:
                out.add(("missing_in_erp", (ch["id"],), ()))
            continue
        t = erp[0]
        total = money(t["foreigntotal"], ch["currency"])
        if total != ch["amount"]:
            out.add(("amount_mismatch", (ch["id"],), (t["id"],)))
        links = applied[t["id"]]
        if not links:
            out.add(("unapplied", (ch["id"],), (t["id"],)))
        elif sum(money(ln["foreignamount"], ch["currency"]) for ln in links) < total:
            out.add(("partially_applied", (ch["id"],), (t["id"],)))
        if links and [ext_of[ln["previousdoc"]] for ln in links] != [inv_of_pi[ch["payment_intent"]]]:
            out.add(("wrong_invoice", (ch["id"],), (t["id"],)))
    for re in data["stripe/refund"]:
        erp = by_ext[("CustRfnd", re["id"])]
        if not erp:
            out.add(("missing_in_erp", (re["id"],), ()))
        elif money(erp[0]["foreigntotal"], re["currency"]) != re["amount"]:
            out.add(("amount_mismatch", (re["id"],), (erp[0]["id"],)))
    charge_ids = {c["id"] for c in data["stripe/charge"]}
    refund_ids = {r["id"] for r in data["stripe/refund"]}
    for t in txns:
        if t["type"] == "CustPymt" and t["externalid"] is not None and t["externalid"] not in charge_ids:
            out.add(("missing_in_billing", (), (t["id"],)))
        if t["type"] == "CustRfnd" and t["externalid"] not in refund_ids:
            out.add(("missing_in_billing", (), (t["id"],)))
    bt = {b["id"]: b for b in data["stripe/balance_transaction"]}
    po_txns = defaultdict(list)
    for row in data["stripe/payout_balance_transaction"]:
        po_txns[row["payout"]].append(bt[row["balance_transaction"]])
    for po in data["stripe/payout"]:
        dep = by_ext[("Deposit", po["id"])]
        if not dep:
            out.add(("missing_in_erp", (po["id"],), ()))
            continue
        d = dep[0]
        cur = po["currency"]
        if po["status"] == "failed":
            out.add(("payout_failed", (po["id"],), (d["id"],)))
            continue
        if d["trandate"][:7] > period(po["arrival_date"]):
            out.add(("in_transit", (po["id"],), (d["id"],)))
        dl = lines[d["id"]]
        fees = sum(b["fee"] for b in po_txns[po["id"]])
        fee_line = -sum(money(x["foreignamount"], cur) for x in dl if x["account"] == "Merchant Fees")
        if fee_line != fees:
            out.add(("fee_mismatch", (po["id"],), (d["id"],)))
        assert sum(money(x["foreignamount"], cur) for x in dl) == money(d["foreigntotal"], cur)
        if money(d["foreigntotal"], cur) != po["amount"]:
            out.add(("payout_sum_mismatch", (po["id"],), (d["id"],)))
    return out


def _grouped_receipts(data, by_ext, cust_ext):
    """CustPymts keyed without a Stripe id: the same customer's charges the ERP lacks, same day, in groups of
    2..5 adding up to the receipt (brute force): one group is a match, two or more ambiguous."""
    out = set()
    free = defaultdict(list)
    for ch in data["stripe/charge"]:
        if not by_ext[("CustPymt", ch["id"])]:
            free[(ch["customer"], ch["currency"], time.strftime("%Y-%m-%d", time.gmtime(ch["created"])))].append(ch)
    for t in data["netsuite/transaction"]:
        if t["type"] != "CustPymt" or t["externalid"] is not None:
            continue
        cands = free[(cust_ext[t["entity"]], t["currency"].lower(), t["trandate"])]
        target = money(t["foreigntotal"], t["currency"].lower())
        groups = [g for n in range(2, 6) for g in combinations(cands, n) if sum(c["amount"] for c in g) == target]
        ids = tuple(sorted({c["id"] for g in groups for c in g}))
        if len(groups) == 1:
            out.add(("matched", ids, (t["id"],)))
        elif groups:
            out.add(("ambiguous", ids, (t["id"],)))
        else:
            out.add(("missing_in_billing", (), (t["id"],)))
    return out


def found_revenue_breaks(data):
    txns, by_ext, lines, cust_ext = _index(data)
    out = set()
    plan = defaultdict(list)
    for r in data["netsuite/revenueplanline"]:
        plan[r["custcol_stripe_line_id"]].append(r)
    rf = defaultdict(int)
    for i in data["stripe/invoice"]:
        if i["status"] in ("draft", "void"):
            continue
        p_inv = period(i["effective_at"])
        ent = i["metadata"]["tieout_entity"]
        for li in i["lines"]["data"]:
            net = li["amount"] - sum(d["amount"] for d in li["discount_amounts"])
            exp = allocate(net, li["period"]["start"], li["period"]["end"])
            rf[(ent, i["currency"], p_inv, "billed")] += net
            for p, a in exp:
                rf[(ent, i["currency"], p, "recognized")] += a
            rows = plan[li["id"]]
            if not rows:
                out.add(("schedule_missing", (li["id"],), ()))
                continue
            got = {r["period"]: money(r["amount"], i["currency"]) for r in rows}
            if sum(got.values()) != net:
                out.add(("schedule_total_mismatch", (li["id"],), tuple(r["id"] for r in rows)))
                continue
            for p, a in exp:
                if got.get(p) != a:
                    rid = [r["id"] for r in rows if r["period"] == p]
                    out.add(("period_amount_mismatch", (li["id"],), tuple(rid)))
    sub_ent = {s["id"]: s["custrecord_tieout_entity"] for s in data["netsuite/subsidiary"]}
    opening = defaultdict(int)
    for r in sorted(data["netsuite/deferredrevenuebalance"], key=lambda r: r["period"]):
        ent, cur, p = sub_ent[r["subsidiary"]], r["currency"].lower(), r["period"]
        closing = opening[(ent, cur)] + rf[(ent, cur, p, "billed")] - rf[(ent, cur, p, "recognized")]
        if money(r["closing"], cur) != closing:
            out.add(("rollforward_difference", (), (r["id"],)))
        opening[(ent, cur)] = closing
    return out


def _key(data, domain):
    return {(e["kind"], tuple(sorted(e["billing_ids"])), tuple(sorted(e["erp_ids"])))
            for e in data["_key"] if e["domain"] == domain}


def _norm(found):
    return {(k, tuple(sorted(b)), tuple(sorted(e))) for k, b, e in found}


def test_invoice_domain_key_is_exact(data):
    assert _norm(found_invoice_breaks(data)) == _key(data, "invoice")


def test_payment_domain_key_is_exact(data):
    assert _norm(found_payment_breaks(data)) == _key(data, "payment")


def test_revenue_domain_key_is_exact(data):
    assert _norm(found_revenue_breaks(data)) == _key(data, "revenue")


def test_every_kind_is_planted(data):
    kinds = {(e["domain"], e["kind"]) for e in data["_key"]}
    want = {("invoice", k) for k in ["missing_in_erp", "missing_in_billing", "amount_mismatch", "tax_mismatch",
                                     "currency_mismatch", "status_mismatch", "customer_mismatch",
                                     "period_mismatch", "duplicate_in_erp", "duplicate_in_billing"]}
    want |= {("payment", k) for k in ["missing_in_erp", "missing_in_billing", "amount_mismatch", "fee_mismatch",
                                      "wrong_invoice", "payout_sum_mismatch", "partially_applied", "unapplied",
                                      "ambiguous", "matched", "payout_failed", "in_transit"]}
    want |= {("revenue", k) for k in ["schedule_missing", "period_amount_mismatch", "schedule_total_mismatch",
                                      "rollforward_difference"]}
    assert want <= kinds, want - kinds
    assert all(e["period"] == "2026-10" for e in data["_key"])


def test_sample_of_unplanted_invoices_ties_exactly(data):
    _, by_ext, lines, cust_ext = _index(data)
    planted = {b for e in data["_key"] for b in e["billing_ids"]}
    clean = [i for i in data["stripe/invoice"] if i["status"] != "draft" and i["id"] not in planted]
    for i in random.Random(0).sample(clean, 40):
        (t,) = by_ext[("CustInvc", i["id"])]
        cur = i["currency"]
        assert money(t["foreigntotal"], cur) == i["total"]
        assert money(t["taxtotal"], cur) == sum(x["amount"] for x in i["total_taxes"])
        assert t["currency"] == cur.upper() and cust_ext[t["entity"]] == i["customer"]
        assert t["trandate"][:7] == period(i["effective_at"])
        erp_lines = {ln["custcol_stripe_line_id"]: ln for ln in lines[t["id"]]}
        for li in i["lines"]["data"]:
            net = li["amount"] - sum(d["amount"] for d in li["discount_amounts"])
            assert money(erp_lines[li["id"]]["foreignamount"], cur) == net
