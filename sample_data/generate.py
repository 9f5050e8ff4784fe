"""Generate a deterministic Stripe + NetSuite sample (Sep/Oct 2026) with planted breaks.

    python -m sample_data.generate --seed 7 --invoices 2000 --out DIR

Everything is computed with integers (minor units); the only randomness is one
``random.Random(seed)`` stream consumed in a fixed order, so the same seed and
size give byte-identical files. Layout, shapes and break definitions:
``sample_data/README.md``.
"""

from __future__ import annotations

import argparse
import calendar
import gzip
import json
import os
import queue
import threading
import time
from random import Random

try:  # orjson is ~5x faster; output bytes are identical to the json fallback
    import orjson

    def _dumps(obj) -> bytes:
        return orjson.dumps(obj)

except ImportError:  # pragma: no cover - exercised only without orjson
    _json_enc = json.JSONEncoder(separators=(",", ":"), ensure_ascii=True).encode

    def _dumps(obj) -> bytes:
        return _json_enc(obj).encode()


SCHEMA_VERSION = 1
STRIPE_API_VERSION = "2025-03-31.basil"
PERIODS = ("2026-09", "2026-10")
PLANT_PERIOD = "2026-10"
SNAPSHOT = calendar.timegm((2026, 11, 3, 0, 0, 0))  # data is "as of" this instant
DAY = 86400

ENTITIES = {"US": {"subsidiary": "1", "name": "Tieout Demo Inc."},
            "EU": {"subsidiary": "2", "name": "Tieout Demo GmbH"}}
EXPONENT = {"usd": 2, "eur": 2, "jpy": 0}

# --------------------------------------------------------------------------- output


class Writer:
    """Buffered JSON-Lines writers; gzip runs on a background thread (zlib drops the GIL)."""

    CHUNK = 1 << 20

    def __init__(self, out_dir: str, gz: bool = True):
        self.out_dir = out_dir
        self.gz = gz
        self.buf: dict[str, list[bytes]] = {}
        self.size: dict[str, int] = {}
        self.counts: dict[str, int] = {}
        self.q: queue.Queue = queue.Queue(maxsize=64)
        self.files: dict[str, object] = {}
        self.err: list[BaseException] = []
        self.t = threading.Thread(target=self._run, daemon=True)
        self.t.start()

    def path(self, name: str) -> str:
        return name + (".jsonl.gz" if self.gz else ".jsonl")

    def _run(self):
        files = self.files
        while True:
            item = self.q.get()
            if item is None:
                break
            name, data = item
            try:
                f = files.get(name)
                if f is None:
                    p = os.path.join(self.out_dir, self.path(name))
                    os.makedirs(os.path.dirname(p), exist_ok=True)
                    raw = open(p, "wb")
                    f = gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=1, mtime=0) if self.gz else raw
                    files[name] = (f, raw)
                    f = files[name]
                f[0].write(data)
            except BaseException as e:  # surfaced in close()
                self.err.append(e)

    def declare(self, name: str):
        if name not in self.buf:
            self.buf[name] = []
            self.size[name] = 0
            self.counts[name] = 0

    def emit(self, name: str, obj) -> None:
        b = _dumps(obj)
        lst = self.buf[name]
        lst.append(b)
        s = self.size[name] + len(b) + 1
        self.counts[name] += 1
        if s >= self.CHUNK:
            lst.append(b"")
            self.q.put((name, b"\n".join(lst)))
            self.buf[name] = []
            s = 0
        self.size[name] = s

    def close(self):
        for name, lst in self.buf.items():
            if lst:
                lst.append(b"")
                self.q.put((name, b"\n".join(lst)))
            else:
                self.q.put((name, b""))  # make sure the (possibly empty) file exists
        self.q.put(None)
        self.t.join()
        for f, raw in self.files.values():
            f.close()
            if raw is not f:
                raw.close()
        if self.err:
            raise self.err[0]


# --------------------------------------------------------------------------- ids

ALPH = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
PAIRS = [a + b for a in ALPH for b in ALPH]
M64 = 0xFFFFFFFFFFFFFFFF


def id_factory(seed: int):
    """Return new(prefix) -> Stripe-looking id, unique per prefix, deterministic from seed."""
    r = Random(f"tieout-ids-{seed}")
    acct = "".join(r.choice(ALPH) for _ in range(10))
    mix = r.getrandbits(64)
    counters: dict[str, int] = {}
    P = PAIRS

    def new(prefix: str) -> str:
        n = counters.get(prefix, 0) + 1
        counters[prefix] = n
        h = (((n * 0x9E3779B97F4A7C15) & M64) ^ mix) * 0xBF58476D1CE4E5B9 & M64
        h ^= h >> 29
        return (f"{prefix}_1{P[n % 3844]}{P[(n // 3844) % 3844]}{ALPH[(n // 14776336) % 62]}{acct}"
                f"{P[h % 3844]}{P[(h >> 12) % 3844]}{P[(h >> 24) % 3844]}{P[(h >> 36) % 3844]}")

    return new


# --------------------------------------------------------------------------- money / dates


def dec2(v: int) -> str:
    if v < 0:
        v = -v
        return f"-{v // 100}.{v % 100:02d}"
    return f"{v // 100}.{v % 100:02d}"


def dec0(v: int) -> str:
    return str(v)


DEC = {"usd": dec2, "eur": dec2, "jpy": dec0}


def ns_decimal(v: int, currency: str) -> str:
    """Integer minor units -> NetSuite decimal text in the transaction currency."""
    return DEC[currency.lower()](v)


def parse_ns_decimal(s: str, currency: str) -> int:
    """NetSuite decimal text -> integer minor units (exact; raises on extra precision)."""
    exp = EXPONENT[currency.lower()]
    neg = s.startswith("-")
    if neg:
        s = s[1:]
    whole, _, frac = s.partition(".")
    if len(frac) > exp:
        raise ValueError(f"{s!r} has more than {exp} decimals for {currency}")
    v = int(whole or "0") * 10 ** exp + int((frac + "0" * exp)[:exp] or "0")
    return -v if neg else v


def ts(y, m, d, hh=0, mm=0, ss=0) -> int:
    return calendar.timegm((y, m, d, hh, mm, ss))


def add_months(y: int, m: int, k: int) -> tuple[int, int]:
    i = y * 12 + (m - 1) + k
    return i // 12, i % 12 + 1


# month table for revenue allocation: day number of each month start, 2026-08 .. 2028-01
MONTHS: list[tuple[str, int]] = []
for _i in range(18):
    _y, _m = add_months(2026, 8, _i)
    MONTHS.append((f"{_y:04d}-{_m:02d}", ts(_y, _m, 1) // DAY))
MONTH_NAMES = {f"{add_months(2026, 8, i)[0]:04d}-{add_months(2026, 8, i)[1]:02d}":
               f"{calendar.month_abbr[add_months(2026, 8, i)[1]]} {add_months(2026, 8, i)[0]}" for i in range(17)}
PERIOD_IDS = {p: str(200 + i) for i, p in enumerate(MONTH_NAMES)}


def allocate(amount: int, start: int, end: int) -> list[tuple[str, int]]:
    """Ratable by UTC day over [start, end) (end exclusive); cumulative floor, sums to amount."""
    sd, ed = start // DAY, end // DAY
    total = ed - sd
    out = []
    cum = 0
    prev = 0
    for i in range(len(MONTHS) - 1):
        p, ms = MONTHS[i]
        me = MONTHS[i + 1][1]
        lo = sd if sd > ms else ms
        hi = ed if ed < me else me
        if hi > lo:
            cum += hi - lo
            cur = amount * cum // total
            out.append((p, cur - prev))
            prev = cur
    return out


def period_of(t: int) -> str:
    tm = time.gmtime(t)
    return f"{tm.tm_year:04d}-{tm.tm_mon:02d}"


def date_of(t: int) -> str:
    tm = time.gmtime(t)
    return f"{tm.tm_year:04d}-{tm.tm_mon:02d}-{tm.tm_mday:02d}"


# --------------------------------------------------------------------------- catalog

TIERS = [("Starter", {"usd": 2900, "eur": 2700, "jpy": 3900}),
         ("Growth", {"usd": 9900, "eur": 8900, "jpy": 12900}),
         ("Enterprise", {"usd": 49900, "eur": 45900, "jpy": 64900})]
USAGE_UNIT = {"usd": 50, "eur": 45, "jpy": 70}  # per 1,000 API calls
TAX_BP = {"EU": 1900, "JPY": 1000}
FEE = {"usd": (290, 30), "eur": (150, 25), "jpy": (360, 0)}  # basis points, fixed minor units

INV_KINDS = ["missing_in_erp", "amount_mismatch", "tax_mismatch", "currency_mismatch", "status_mismatch",
             "customer_mismatch", "period_mismatch", "duplicate_in_erp", "duplicate_in_billing",
             "missing_in_billing", "pay_missing_in_billing"]
PAY_KINDS = ["missing_in_erp", "amount_mismatch", "wrong_invoice"]
REV_KINDS = ["schedule_missing", "period_amount_mismatch", "schedule_total_mismatch"]
CN_KINDS = ["missing_in_erp", "amount_mismatch", "tax_mismatch", "missing_in_billing", "refund_missing_in_erp"]

# plant probabilities inside each pool (October only)
P_OPEN_PLANT = 0.5     # open & unpaid invoices (~20% of invoices) -> ~0.9% per kind
P_VOID_PLANT = 0.25    # void invoices (~3%) -> status_mismatch (void in Stripe, open in NetSuite)
P_PARTIAL_PLANT = 0.45  # partially paid (~6%) -> ~0.9% per payment kind
P_REV_PLANT = 0.045    # paid (~70%) -> ~1% per revenue kind
P_CREDIT_NOTE = 0.04   # paid invoices that get a post-payment credit note + refund
P_CN_PLANT = 0.5


def generate(seed: int, invoices: int, out: str, gz: bool = True) -> dict:
    t0 = time.time()
    rng = Random(seed)
    rnd = rng.random
    new = id_factory(seed)
    os.makedirs(out, exist_ok=True)
    w = Writer(out, gz)
    S = "stripe/"
    N = "netsuite/"
    for name in ["customer", "product", "price", "subscription", "invoice", "invoice_payment", "payment_intent",
                 "charge", "refund", "credit_note", "balance_transaction", "payout", "payout_balance_transaction"]:
        w.declare(S + name)
    for name in ["subsidiary", "accountingperiod", "item", "customer", "transaction", "transactionline",
                 "transactionlink", "revenueplanline", "deferredrevenuebalance"]:
        w.declare(N + name)
    emit = w.emit
    key: list[dict] = []

    # ---- NetSuite reference tables
    for ent, info in ENTITIES.items():
        emit(N + "subsidiary", {"id": info["subsidiary"], "name": info["name"], "country": "US" if ent == "US" else "DE",
                                "currency": "USD" if ent == "US" else "EUR", "custrecord_tieout_entity": ent})
    for p, name in MONTH_NAMES.items():
        y, m = int(p[:4]), int(p[5:])
        emit(N + "accountingperiod", {"id": PERIOD_IDS[p], "periodname": name, "startdate": f"{p}-01",
                                      "enddate": f"{p}-{calendar.monthrange(y, m)[1]:02d}", "isposting": "T"})

    # ---- catalog
    created0 = ts(2026, 1, 15, 9)
    prices: dict[tuple, tuple[str, str, int]] = {}  # (tier|usage, currency, interval) -> (price id, product id, unit)
    items: dict[str, str] = {}  # product id -> NetSuite item id
    products = [(t[0], t[1], "licensed") for t in TIERS] + [("API calls (per 1,000)", USAGE_UNIT, "usage")]
    for j, (pname, units, kind) in enumerate(products):
        prod = new("prod")
        items[prod] = str(500 + j)
        emit(N + "item", {"id": items[prod], "itemid": pname, "itemtype": "Service", "externalid": prod,
                          "incomeaccount": "Subscription Revenue" if kind == "licensed" else "Usage Revenue",
                          "deferredrevenueaccount": "Deferred Revenue"})
        prices_for_prod = []
        for cur in ("usd", "eur", "jpy"):
            for interval in (("month", "year") if kind == "licensed" else ("month",)):
                pid = new("price")
                unit = units[cur] * (10 if interval == "year" else 1)
                prices[(pname, cur, interval)] = (pid, prod, unit)
                prices_for_prod.append(pid)
                emit(S + "price", {"id": pid, "object": "price", "active": True, "billing_scheme": "per_unit",
                                   "created": created0, "currency": cur, "livemode": False, "lookup_key": None,
                                   "metadata": {}, "nickname": None, "product": prod,
                                   "recurring": {"interval": interval, "interval_count": 1, "meter": None,
                                                 "usage_type": "licensed" if kind == "licensed" else "metered",
                                                 "trial_period_days": None},
                                   "tax_behavior": "exclusive", "type": "recurring", "unit_amount": unit,
                                   "unit_amount_decimal": str(unit)})
        emit(S + "product", {"id": prod, "object": "product", "active": True, "created": created0,
                             "default_price": prices_for_prod[0], "description": None, "livemode": False,
                             "metadata": {}, "name": pname, "type": "service", "updated": created0})
    txr = {"US": new("txr"), "EU": new("txr"), "JPY": new("txr")}

    # ---- customers + subscriptions
    n_cust = max(20, -(-invoices * 100 // 95))
    cust = []  # per customer tuple
    for k in range(n_cust):
        u = rnd()
        if u < 0.60:
            ent, cur, taxk = "US", "usd", "US"
        elif u < 0.97:
            ent, cur, taxk = "EU", "eur", "EU"
        else:
            ent, cur, taxk = "EU", "jpy", "JPY"
        tax_bp = 725 if (taxk == "US" and rnd() < 0.4) else (0 if taxk == "US" else TAX_BP[taxk])
        annual = rnd() < 0.10
        tier = TIERS[0 if rnd() < 0.6 else (1 if rnd() < 0.8 else 2)][0]
        qty = 1 + int(rnd() * 20)
        if annual:
            amonth = 9 if rnd() < 0.5 else 10
            aday = 1 + int(rnd() * 28)
        else:
            amonth = 0
            aday = 1 if rnd() < 0.65 else 2 + int(rnd() * 27)
        usage = (not annual) and rnd() < 0.4
        disc = (10 if rnd() < 0.5 else 20) if rnd() < 0.15 else 0
        cid = new("cus")
        nsid = str(100000 + k)
        prefix = f"{(k * 2654435761 + seed) % 0xFFFFFFFF:08X}"
        sub = new("sub")
        si = new("si")
        si_u = new("si") if usage else None
        coupon = f"TIEOUT{disc}" if disc else None
        c_created = ts(2026, 1 + int(rnd() * 8), 1 + int(rnd() * 28), int(rnd() * 24))
        name = f"Customer {k:06d} {'LLC' if ent == 'US' else ('GmbH' if cur == 'eur' else 'KK')}"
        meta = {"tieout_entity": ent}
        emit(S + "customer", {"id": cid, "object": "customer", "balance": 0, "created": c_created, "currency": cur,
                              "email": f"billing+{k}@customer{k}.example", "invoice_prefix": prefix,
                              "livemode": False, "metadata": meta, "name": name, "tax_exempt": "none"})
        emit(N + "customer", {"id": nsid, "entityid": f"CUST{k:06d}", "companyname": name, "externalid": cid,
                              "subsidiary": ENTITIES[ent]["subsidiary"], "currency": cur.upper()})
        interval = "year" if annual else "month"
        lp = prices[(tier, cur, interval)]
        # current period as of the snapshot
        if annual:
            cps = ts(2026, amonth, aday)
            cpe = ts(2027, amonth, aday)
        else:
            first = ts(2026, 10, aday)
            cps, cpe = first, ts(*add_months(2026, 10, 1), aday)
        sitems = [{"id": si, "object": "subscription_item", "created": c_created, "current_period_start": cps,
                   "current_period_end": cpe, "discounts": [], "metadata": {},
                   "price": {"id": lp[0], "object": "price", "currency": cur, "product": lp[1], "unit_amount": lp[2],
                             "recurring": {"interval": interval, "interval_count": 1, "usage_type": "licensed"}},
                   "quantity": qty, "subscription": sub, "tax_rates": []}]
        if usage:
            up = prices[("API calls (per 1,000)", cur, "month")]
            sitems.append({"id": si_u, "object": "subscription_item", "created": c_created,
                           "current_period_start": cps, "current_period_end": cpe, "discounts": [], "metadata": {},
                           "price": {"id": up[0], "object": "price", "currency": cur, "product": up[1],
                                     "unit_amount": up[2], "recurring": {"interval": "month", "interval_count": 1,
                                                                         "usage_type": "metered"}},
                           "subscription": sub, "tax_rates": []})
        emit(S + "subscription", {"id": sub, "object": "subscription", "billing_cycle_anchor": cps,
                                  "cancel_at": None, "canceled_at": None, "collection_method": "charge_automatically",
                                  "created": c_created, "currency": cur, "customer": cid, "discounts": [],
                                  "ended_at": None, "items": {"object": "list", "data": sitems, "has_more": False,
                                                              "url": f"/v1/subscription_items?subscription={sub}"},
                                  "livemode": False, "metadata": meta, "status": "active"})
        cust.append((cid, nsid, ent, cur, tax_bp, annual, tier, qty, amonth, aday, usage, disc, prefix, sub, si, si_u,
                     coupon, meta, ENTITIES[ent]["subsidiary"], cur.upper(), taxk))

    # ---- running state
    ns_tid = [1000000]
    inv_seq = [0]
    plan_seq = [0]
    planline_seq = [0]
    line_uid = [0]
    cust_inv_no = [0] * n_cust
    rot = {"inv": 0, "pay": 0, "rev": 0, "cn": 0}
    payouts: dict[tuple, list] = {}  # (day, ent, cur) -> entries
    targets: dict[tuple, list] = {}  # (subsidiary, cur) -> clean open unpaid invoices [(erp_id, total, in_id)]
    rf: dict[tuple, int] = {}  # (ent, cur, period, "billed"|"recognized") -> minor units
    dec_of = DEC

    def next_tid() -> str:
        ns_tid[0] += 1
        return str(ns_tid[0])

    def ns_txn(tid, tranid, typ, ext, entity, tdate, sub_id, cur_code, total, tax, status, memo, createdfrom=None):
        p = tdate[:7]
        emit(N + "transaction", {"id": tid, "tranid": tranid, "type": typ, "externalid": ext, "entity": entity,
                                 "trandate": tdate, "postingperiod": PERIOD_IDS[p], "postingperiodname": MONTH_NAMES[p],
                                 "subsidiary": sub_id, "currency": cur_code, "foreigntotal": total,
                                 "taxtotal": tax, "status": status, "memo": memo, "createdfrom": createdfrom})

    def ns_line(tid, n, item, qty, amount, tax, account, createdfrom, stripe_line):
        line_uid[0] += 1
        emit(N + "transactionline", {"transaction": tid, "id": n, "linesequencenumber": n,
                                     "uniquekey": str(line_uid[0]), "item": item, "quantity": qty,
                                     "foreignamount": amount, "taxamount": tax, "account": account,
                                     "createdfrom": createdfrom, "custcol_stripe_line_id": stripe_line})

    def build_lines(c, in_id, ps, pe, units):
        """Stripe invoice lines; returns (lines, per-line info, subtotal, discount, tax)."""
        (cid, nsid, ent, cur, tax_bp, annual, tier, qty, amonth, aday, usage, disc, prefix, sub, si, si_u,
         coupon, meta, subid, curc, taxk) = c
        lp = prices[(tier, cur, "year" if annual else "month")]
        specs = [(lp, qty, si, f"{qty} seat(s) x {tier} ({'annual' if annual else 'monthly'})", disc)]
        if usage:
            up = prices[("API calls (per 1,000)", cur, "month")]
            specs.append((up, units, si_u, f"{units},000 API calls", 0))
        lines, info = [], []
        subtotal = dsum = tsum = 0
        for (pid, prod, unit), q, sitem, desc, pct in specs:
            il = new("il")
            amount = unit * q
            d = amount * pct // 100
            net = amount - d
            tax = (net * tax_bp + 5000) // 10000
            subtotal += amount
            dsum += d
            tsum += tax
            lines.append({"id": il, "object": "line_item", "amount": amount, "currency": cur, "description": desc,
                          "discount_amounts": [{"amount": d, "discount": f"di_{coupon}_{sub[4:]}"}] if d else [],
                          "discountable": True, "discounts": [], "invoice": in_id, "livemode": False, "metadata": {},
                          "parent": {"type": "subscription_item_details", "invoice_item_details": None,
                                     "subscription_item_details": {"invoice_item": None, "proration": False,
                                                                   "proration_details": {"credited_items": None},
                                                                   "subscription": sub, "subscription_item": sitem}},
                          "period": {"end": pe, "start": ps},
                          "pretax_credit_amounts": [],
                          "pricing": {"type": "price_details", "price_details": {"price": pid, "product": prod},
                                      "unit_amount_decimal": str(unit)},
                          "quantity": q, "subtotal": amount,
                          "taxes": [{"amount": tax, "tax_behavior": "exclusive",
                                     "tax_rate_details": {"tax_rate": txr[taxk]},
                                     "taxability_reason": "standard_rated", "taxable_amount": net,
                                     "type": "tax_rate_details"}] if tax_bp else []})
            info.append((il, net, tax, items[prod], q))
        return lines, info, subtotal, dsum, tsum

    def stripe_invoice(c, in_id, number, status, created, eff, lines, subtotal, dsum, tsum, paid, ps, pe,
                       voided_at=None, uncol_at=None, paid_at=None):
        cid, cur, sub, taxk, meta = c[0], c[3], c[13], c[20], c[17]
        total_ex = subtotal - dsum
        total = total_ex + tsum
        emit(S + "invoice", {
            "id": in_id, "object": "invoice", "account_country": "US", "amount_due": total, "amount_paid": paid,
            "amount_remaining": (total - paid) if status in ("open", "draft", "uncollectible") else 0,
            "attempt_count": 1 if paid else 0, "attempted": bool(paid),
            "auto_advance": status in ("draft", "open"),
            "billing_reason": "subscription_cycle", "collection_method": "charge_automatically",
            "created": created, "currency": cur, "customer": cid, "description": None, "discounts": [],
            "due_date": None, "effective_at": eff,
            "lines": {"object": "list", "data": lines, "has_more": False, "url": f"/v1/invoices/{in_id}/lines"},
            "livemode": False, "metadata": meta, "number": number,
            "parent": {"type": "subscription_details", "quote_details": None,
                       "subscription_details": {"metadata": None, "subscription": sub}},
            "period_end": created, "period_start": created - (31 * DAY),
            "status": status,
            "status_transitions": {"finalized_at": eff, "marked_uncollectible_at": uncol_at,
                                   "paid_at": paid_at, "voided_at": voided_at},
            "subtotal": subtotal, "subtotal_excluding_tax": subtotal,
            "total": total, "total_discount_amounts": ([{"amount": dsum, "discount": f"di_{c[16]}_{sub[4:]}"}]
                                                       if dsum else []),
            "total_excluding_tax": total_ex,
            "total_taxes": [{"amount": tsum, "tax_behavior": "exclusive",
                             "tax_rate_details": {"tax_rate": txr[taxk]}, "taxability_reason": "standard_rated",
                             "taxable_amount": total_ex, "type": "tax_rate_details"}] if c[4] else [],
        })
        return total

    def pay(c, in_id, amount, t, erp_inv, erp_amount=None, present=True, apply_to=None):
        """Stripe invoice_payment/payment_intent/charge/balance_transaction + NetSuite CustPymt + link."""
        cid, nsid, ent, cur, meta, subid, curc = c[0], c[1], c[2], c[3], c[17], c[18], c[19]
        pi, ch, txn, inpay = new("pi"), new("ch"), new("txn"), new("inpay")
        bp, fixed = FEE[cur]
        fee = (amount * bp + 5000) // 10000 + fixed
        emit(S + "invoice_payment", {"id": inpay, "object": "invoice_payment", "amount_paid": amount,
                                     "amount_requested": amount, "created": t, "currency": cur, "invoice": in_id,
                                     "is_default": True, "livemode": False,
                                     "payment": {"type": "payment_intent", "payment_intent": pi}, "status": "paid",
                                     "status_transitions": {"canceled_at": None, "paid_at": t}})
        emit(S + "payment_intent", {"id": pi, "object": "payment_intent", "amount": amount, "amount_capturable": 0,
                                    "amount_received": amount, "capture_method": "automatic", "created": t - 5,
                                    "currency": cur, "customer": cid, "description": f"Invoice {in_id}",
                                    "latest_charge": ch, "livemode": False, "metadata": meta,
                                    "payment_method_types": ["card"], "status": "succeeded"})
        emit(S + "balance_transaction", {"id": txn, "object": "balance_transaction", "amount": amount,
                                         "available_on": (t // DAY + 2) * DAY, "created": t, "currency": cur,
                                         "description": f"Invoice {in_id}", "exchange_rate": None, "fee": fee,
                                         "fee_details": [{"amount": fee, "application": None, "currency": cur,
                                                          "description": "Stripe processing fees",
                                                          "type": "stripe_fee"}],
                                         "net": amount - fee, "reporting_category": "charge", "source": ch,
                                         "status": "available", "type": "charge", "balance_type": "payments"})
        erp_id = None
        ea = amount if erp_amount is None else erp_amount
        if present:
            erp_id = next_tid()
            ns_txn(erp_id, f"PYMT{erp_id}", "CustPymt", ch, nsid, date_of(t), subid, curc, dec_of[cur](ea), None,
                   "CustPymt:C", f"Stripe charge {ch}")
            emit(N + "transactionlink", {"previousdoc": apply_to or erp_inv, "nextdoc": erp_id, "linktype": "Payment",
                                         "foreignamount": dec_of[cur](ea)})
        payouts.setdefault((t // DAY + 2, ent, cur), []).append((txn, erp_id, ea, fee, amount - fee, amount, "pay"))
        return ch, pi, txn, fee, erp_id

    def charge_obj(c, ch, pi, txn, amount, t, refunded, in_id):
        cur = c[3]
        return {"id": ch, "object": "charge", "amount": amount, "amount_captured": amount,
                "amount_refunded": refunded, "balance_transaction": txn, "captured": True, "created": t,
                "currency": cur, "customer": c[0], "description": f"Invoice {in_id}", "disputed": False,
                "livemode": False, "metadata": c[17], "outcome": {"type": "authorized", "network_status":
                                                                   "approved_by_network"},
                "paid": True, "payment_intent": pi, "payment_method": f"pm_{ch[3:]}", "refunded": refunded == amount,
                "status": "succeeded"}

    def erp_invoice(c, in_id, info, total, tax, status, tdate, entity=None, cur_code=None, line_delta=0,
                    tax_delta=0):
        tid = next_tid()
        inv_seq[0] += 1
        cur = c[3]
        d = dec_of[cur]
        ns_txn(tid, f"INV{inv_seq[0]:08d}", "CustInvc", in_id, entity or c[1], tdate, c[18], cur_code or c[19],
               d(total + line_delta + tax_delta), d(tax + tax_delta), status, in_id)
        for n, (il, net, ltax, item, q) in enumerate(info, 1):
            ns_line(tid, n, item, q, d(net + (line_delta if n == 1 else 0)), d(ltax + (tax_delta if n == 1 else 0)),
                    None, None, il)
        return tid

    def revenue(c, info, ps, pe, period, erp_tid, plant=None):
        """Accumulate the expected roll-forward; emit NetSuite revenue plan lines (unless absent)."""
        ent, cur = c[2], c[3]
        d = dec_of[cur]
        res = []
        for j, (il, net, ltax, item, q) in enumerate(info):
            alloc = allocate(net, ps, pe)
            kb = (ent, cur, period, "billed")
            rf[kb] = rf.get(kb, 0) + net
            for p, a in alloc:
                if p in PERIODS:
                    kr = (ent, cur, p, "recognized")
                    rf[kr] = rf.get(kr, 0) + a
            if erp_tid is None or (plant == "schedule_missing" and j == 0):
                res.append((il, []))
                continue
            amounts = [a for _, a in alloc]
            if j == 0 and plant == "period_amount_mismatch":
                io = [p for p, _ in alloc].index(PLANT_PERIOD)
                other = io + 1 if io + 1 < len(alloc) else io - 1
                delta = max(1, amounts[io] // 10)
                amounts[io] -= delta
                amounts[other] += delta
            elif j == 0 and plant == "schedule_total_mismatch":
                io = [p for p, _ in alloc].index(PLANT_PERIOD)
                amounts[io] += max(1, net // 20)
            plan_seq[0] += 1
            plan = str(plan_seq[0] + 40000)
            ids = []
            for (p, _), a in zip(alloc, amounts):
                planline_seq[0] += 1
                pl = str(planline_seq[0] + 7000000)
                ids.append((pl, p, a))
                emit(N + "revenueplanline", {"id": pl, "revenueplan": plan, "custcol_stripe_line_id": il,
                                             "sourcetransaction": erp_tid, "item": item, "period": p,
                                             "postingperiod": PERIOD_IDS[p], "amount": d(a),
                                             "currency": c[19], "subsidiary": c[18]})
            res.append((il, ids))
        return res

    def add_key(domain, kind, billing_ids, erp_ids, **extra):
        e = {"domain": domain, "kind": kind, "period": PLANT_PERIOD, "billing_ids": billing_ids, "erp_ids": erp_ids}
        e.update(extra)
        key.append(e)

    def cascade_schedule_missing(info, cause_kind, in_id):
        for il, *_ in info:
            add_key("revenue", "schedule_missing", [il], [], object="invoice_line", cause={
                "domain": "invoice", "kind": cause_kind, "billing_id": in_id})

    def rotate(pool, kinds):
        return kinds[rot[pool] % len(kinds)]

    # ---- invoices, month by month
    for (y, m) in ((2026, 9), (2026, 10)):
        plant_month = f"{y:04d}-{m:02d}" == PLANT_PERIOD
        ny, nm = add_months(y, m, 1)
        for k in range(n_cust):
            c = cust[k]
            (cid, nsid, ent, cur, tax_bp, annual, tier, qty, amonth, aday, usage, disc, prefix, sub, si, si_u,
             coupon, meta, subid, curc, taxk) = c
            if annual and amonth != m:
                continue
            ps = ts(y, m, aday)
            pe = ts(y + 1, m, aday) if annual else ts(ny, nm, aday)
            created = ps + int(rnd() * 72000)
            eff = created + 3600
            units = 1 + int(rnd() * 500)
            u = rnd()
            if u < 0.03:
                status = "void"
            elif u < 0.04 and not plant_month:
                status = "uncollectible"
            elif u < 0.24:
                status = "open"
            elif u < 0.30:
                status = "partial"
            else:
                status = "paid"
            in_id = new("in")
            cust_inv_no[k] += 1
            number = f"{prefix}-{cust_inv_no[k]:04d}"
            lines, info, subtotal, dsum, tsum = build_lines(c, in_id, ps, pe, units)
            total = subtotal - dsum + tsum
            period = f"{y:04d}-{m:02d}"
            tdate = date_of(eff)
            d = dec_of[cur]

            kind = None
            if plant_month:
                r = rnd()
                if status == "open" and r < P_OPEN_PLANT:
                    kind = rotate("inv", INV_KINDS)
                    if kind == "currency_mismatch" and cur == "jpy":
                        kind = None
                    else:
                        rot["inv"] += 1
                elif status == "void" and r < P_VOID_PLANT:
                    kind = "status_mismatch_void"
                elif status == "partial" and r < P_PARTIAL_PLANT:
                    kind = "pay_" + rotate("pay", PAY_KINDS)
                elif status == "paid" and r < P_REV_PLANT:
                    kind = "rev_" + rotate("rev", REV_KINDS)
                    if kind == "rev_period_amount_mismatch" and len(allocate(info[0][1], ps, pe)) < 2:
                        kind = None
                    else:
                        rot["rev"] += 1

            s_status = "open" if status == "partial" else status
            voided_at = eff + 2 * DAY if status == "void" else None
            uncol_at = eff + 20 * DAY if status == "uncollectible" else None
            paid_t = eff + 600
            paid_amt = total if status == "paid" else (total * (30 + int(rnd() * 40)) // 100 if status == "partial"
                                                       else 0)
            if status == "partial" and paid_amt == 0:
                paid_amt = 1
            ns_status = {"paid": "CustInvc:B", "void": "CustInvc:V"}.get(status, "CustInvc:A")

            # credit note decision (paid, unplanted invoices)
            cn_t = None
            if status == "paid" and kind is None and rnd() < P_CREDIT_NOTE:
                cn_t = paid_t + DAY * (1 + int(rnd() * 6)) + int(rnd() * 3600)
                if cn_t >= SNAPSHOT - 3 * DAY:
                    cn_t = None

            stripe_invoice(c, in_id, number, s_status, created, eff, lines, subtotal, dsum, tsum, paid_amt, ps, pe,
                           voided_at, uncol_at, paid_t if status == "paid" else None)

            # ---- ERP invoice (and invoice-domain plants)
            erp_tid = None
            rev_ok = status in ("open", "paid", "partial", "uncollectible")
            if kind == "missing_in_erp":
                add_key("invoice", "missing_in_erp", [in_id], [], object="invoice", amount=total, currency=cur)
                cascade_schedule_missing(info, "missing_in_erp", in_id)
            elif kind == "amount_mismatch":
                delta = 1 + int(rnd() * (5000 if cur != "jpy" else 500))
                erp_tid = erp_invoice(c, in_id, info, total, tsum, ns_status, tdate, line_delta=delta)
                add_key("invoice", kind, [in_id], [erp_tid], object="invoice", amount=delta, currency=cur)
            elif kind == "tax_mismatch":
                delta = 1 + int(rnd() * (900 if cur != "jpy" else 90))
                erp_tid = erp_invoice(c, in_id, info, total, tsum, ns_status, tdate, tax_delta=delta)
                add_key("invoice", kind, [in_id], [erp_tid], object="invoice", amount=delta, currency=cur)
            elif kind == "currency_mismatch":
                wrong = "EUR" if cur == "usd" else "USD"
                erp_tid = erp_invoice(c, in_id, info, total, tsum, ns_status, tdate, cur_code=wrong)
                add_key("invoice", kind, [in_id], [erp_tid], object="invoice", currency=cur, erp_currency=wrong)
            elif kind == "status_mismatch":
                erp_tid = erp_invoice(c, in_id, info, total, tsum, "CustInvc:V", tdate)
                add_key("invoice", kind, [in_id], [erp_tid], object="invoice", billing_status="open",
                        erp_status="CustInvc:V")
            elif kind == "status_mismatch_void":
                erp_tid = erp_invoice(c, in_id, info, total, tsum, "CustInvc:A", tdate)
                add_key("invoice", "status_mismatch", [in_id], [erp_tid], object="invoice", billing_status="void",
                        erp_status="CustInvc:A")
            elif kind == "customer_mismatch":
                other = cust[(k + 1 + int(rnd() * (n_cust - 1))) % n_cust][1]
                erp_tid = erp_invoice(c, in_id, info, total, tsum, ns_status, tdate, entity=other)
                add_key("invoice", kind, [in_id], [erp_tid], object="invoice", erp_entity=other)
            elif kind == "period_mismatch":
                wd = f"{ny:04d}-{nm:02d}-01"
                erp_tid = erp_invoice(c, in_id, info, total, tsum, ns_status, wd)
                add_key("invoice", kind, [in_id], [erp_tid], object="invoice", erp_period=wd[:7])
            elif kind == "duplicate_in_erp":
                erp_tid = erp_invoice(c, in_id, info, total, tsum, ns_status, tdate)
                dup = erp_invoice(c, in_id, info, total, tsum, ns_status, tdate)
                add_key("invoice", kind, [in_id], [erp_tid, dup], object="invoice")
            elif kind == "duplicate_in_billing":
                erp_tid = erp_invoice(c, in_id, info, total, tsum, ns_status, tdate)
                in2 = new("in")
                cust_inv_no[k] += 1
                l2, info2, st2, ds2, ts2 = build_lines(c, in2, ps, pe, units)
                stripe_invoice(c, in2, f"{prefix}-{cust_inv_no[k]:04d}", "open", created + 300, eff + 300, l2, st2,
                               ds2, ts2, 0, ps, pe)
                revenue(c, info2, ps, pe, period, None)
                add_key("invoice", kind, [in_id, in2], [erp_tid], object="invoice")
                cascade_schedule_missing(info2, "duplicate_in_billing", in2)
            else:
                erp_tid = erp_invoice(c, in_id, info, total, tsum, ns_status, tdate)
                if kind == "missing_in_billing":
                    ph = next_tid()
                    inv_seq[0] += 1
                    ph_ext = new("in")
                    amt = 1000 + int(rnd() * 100000)
                    ns_txn(ph, f"INV{inv_seq[0]:08d}", "CustInvc", ph_ext, nsid, tdate, subid, curc, d(amt), d(0),
                           "CustInvc:A", "Manual invoice")
                    ns_line(ph, 1, info[0][3], 1, d(amt), d(0), None, None, None)
                    add_key("invoice", kind, [], [ph], object="invoice", amount=amt, currency=cur)
                elif kind == "pay_missing_in_billing":
                    ph = next_tid()
                    amt = max(1, total // 2)
                    ph_ext = new("ch")
                    ns_txn(ph, f"PYMT{ph}", "CustPymt", ph_ext, nsid, date_of(eff + DAY), subid, curc, d(amt), None,
                           "CustPymt:B", "Manual payment")
                    emit(N + "transactionlink", {"previousdoc": erp_tid, "nextdoc": ph, "linktype": "Payment",
                                                 "foreignamount": d(amt)})
                    add_key("payment", "missing_in_billing", [], [ph], object="charge", amount=amt, currency=cur)
                elif status == "open" and kind is None:
                    tl = targets.setdefault((subid, cur), [])
                    tl.append((erp_tid, total, in_id))
                    if len(tl) > 64:
                        del tl[0]

            # ---- revenue (void and draft invoices carry no schedule)
            if rev_ok and kind != "missing_in_erp":
                plant = kind[4:] if kind and kind.startswith("rev_") else None
                res = revenue(c, info, ps, pe, period, erp_tid, plant)
                if plant == "schedule_missing":
                    add_key("revenue", plant, [res[0][0]], [], object="invoice_line")
                elif plant == "period_amount_mismatch":
                    il, ids = res[0]
                    alloc = allocate(info[0][1], ps, pe)
                    for (pl, p, a), (_, ea) in zip(ids, alloc):
                        if a != ea:
                            add_key("revenue", plant, [il], [pl], object="invoice_line", revenue_period=p,
                                    amount=a - ea, currency=cur)
                elif plant == "schedule_total_mismatch":
                    il, ids = res[0]
                    add_key("revenue", plant, [il], [x[0] for x in ids], object="invoice_line",
                            amount=max(1, info[0][1] // 20), currency=cur)
            elif kind == "missing_in_erp":
                revenue(c, info, ps, pe, period, None)

            # ---- payments
            if paid_amt:
                present = True
                erp_amount = None
                apply_to = None
                if kind == "pay_missing_in_erp":
                    present = False
                elif kind == "pay_amount_mismatch" and paid_amt > 1:
                    erp_amount = paid_amt - 1 - int(rnd() * min(paid_amt - 1, 5000))
                elif kind == "pay_wrong_invoice":
                    tl = targets.get((subid, cur), [])
                    for j in range(len(tl) - 1, -1, -1):
                        if tl[j][1] >= paid_amt:
                            apply_to = tl.pop(j)
                            break
                ch, pi, txn, fee, erp_pay = pay(c, in_id, paid_amt, paid_t, erp_tid, erp_amount, present,
                                                apply_to[0] if apply_to else None)
                if kind and kind.startswith("pay_"):
                    pk = kind[4:]
                    if pk == "missing_in_erp":
                        add_key("payment", pk, [ch], [], object="charge", amount=paid_amt, currency=cur,
                                invoice=in_id)
                        rot["pay"] += 1
                    elif pk == "amount_mismatch" and erp_amount is not None:
                        add_key("payment", pk, [ch], [erp_pay], object="charge", amount=paid_amt - erp_amount,
                                currency=cur, invoice=in_id)
                        rot["pay"] += 1
                    elif pk == "wrong_invoice" and apply_to:
                        add_key("payment", pk, [ch], [erp_pay], object="charge", invoice=in_id,
                                erp_invoice=erp_tid, erp_applied_to=apply_to[0], billing_applied_to=in_id,
                                wrong_invoice_billing_id=apply_to[2])
                        rot["pay"] += 1
                refunded = 0
                if cn_t is not None:
                    # credit part of the first line, refund it on the card
                    il0, net0, tax0, item0, q0 = info[0]
                    camt = max(1, net0 // 4)
                    ctax = (camt * tax_bp + 5000) // 10000
                    ctot = camt + ctax
                    refunded = ctot
                    cn, cnli, re, rtxn = new("cn"), new("cnli"), new("re"), new("txn")
                    cperiod = period_of(cn_t)
                    cplant = None
                    if cperiod == PLANT_PERIOD and rnd() < P_CN_PLANT:
                        cplant = rotate("cn", CN_KINDS)
                        rot["cn"] += 1
                    cn_taxes = ([{"amount": ctax, "tax_behavior": "exclusive",
                                  "tax_rate_details": {"tax_rate": txr[taxk]}, "taxability_reason": "standard_rated",
                                  "taxable_amount": camt, "type": "tax_rate_details"}] if tax_bp else [])
                    emit(S + "credit_note", {
                        "id": cn, "object": "credit_note", "amount": ctot, "amount_shipping": 0, "created": cn_t,
                        "currency": cur, "customer": cid, "customer_balance_transaction": None, "discount_amount": 0,
                        "discount_amounts": [], "effective_at": cn_t, "invoice": in_id,
                        "lines": {"object": "list", "data": [{
                            "id": cnli, "object": "credit_note_line_item", "amount": camt,
                            "description": "Service credit", "discount_amount": 0, "discount_amounts": [],
                            "invoice_line_item": il0, "livemode": False, "metadata": {}, "pretax_credit_amounts": [],
                            "quantity": 1, "tax_rates": [], "taxes": cn_taxes, "type": "invoice_line_item",
                            "unit_amount": None, "unit_amount_decimal": None}],
                            "has_more": False, "url": f"/v1/credit_notes/{cn}/lines"},
                        "livemode": False, "memo": None, "metadata": meta, "number": f"{number}-CN-01",
                        "out_of_band_amount": None, "post_payment_amount": ctot, "pre_payment_amount": 0,
                        "pretax_credit_amounts": [], "reason": "product_unsatisfactory",
                        "refunds": [{"amount_refunded": ctot, "refund": re, "type": "refund"}],
                        "status": "issued", "subtotal": camt, "subtotal_excluding_tax": camt, "total": ctot,
                        "total_excluding_tax": camt, "total_taxes": cn_taxes, "type": "post_payment",
                        "voided_at": None})
                    emit(S + "refund", {"id": re, "object": "refund", "amount": ctot, "balance_transaction": rtxn,
                                        "charge": ch, "created": cn_t, "currency": cur, "metadata": meta,
                                        "payment_intent": pi, "reason": "requested_by_customer", "status": "succeeded"})
                    emit(S + "balance_transaction", {"id": rtxn, "object": "balance_transaction", "amount": -ctot,
                                                     "available_on": (cn_t // DAY + 2) * DAY, "created": cn_t,
                                                     "currency": cur, "description": f"Refund for {cn}",
                                                     "exchange_rate": None, "fee": 0, "fee_details": [],
                                                     "net": -ctot, "reporting_category": "refund", "source": re,
                                                     "status": "available", "type": "refund",
                                                     "balance_type": "payments"})
                    cdate = date_of(cn_t)
                    cm = None
                    if cplant != "missing_in_erp":
                        cm = next_tid()
                        ld = int(rnd() * 2000) + 1 if cplant == "amount_mismatch" else 0
                        td = int(rnd() * 300) + 1 if cplant == "tax_mismatch" else 0
                        ns_txn(cm, f"CM{cm}", "CustCred", cn, nsid, cdate, subid, curc, d(ctot + ld + td), d(ctax + td),
                               "CustCred:A" if cplant == "refund_missing_in_erp" else "CustCred:B", number + "-CN-01",
                               createdfrom=erp_tid)
                        ns_line(cm, 1, item0, 1, d(camt + ld), d(ctax + td), None, None, cnli)
                        if cplant in ("amount_mismatch", "tax_mismatch"):
                            add_key("invoice", cplant, [cn], [cm], object="credit_note", amount=ld or td, currency=cur)
                    else:
                        add_key("invoice", "missing_in_erp", [cn], [], object="credit_note", amount=ctot,
                                currency=cur)
                    if cplant == "missing_in_billing":
                        ph = next_tid()
                        pamt = 100 + int(rnd() * 5000)
                        ns_txn(ph, f"CM{ph}", "CustCred", new("cn"), nsid, cdate, subid, curc, d(pamt), d(0),
                               "CustCred:A", "Manual credit memo", createdfrom=erp_tid)
                        ns_line(ph, 1, item0, 1, d(pamt), d(0), None, None, None)
                        add_key("invoice", "missing_in_billing", [], [ph], object="credit_note", amount=pamt,
                                currency=cur)
                    rf_id = None
                    if cplant != "refund_missing_in_erp":
                        rf_id = next_tid()
                        ns_txn(rf_id, f"RFND{rf_id}", "CustRfnd", re, nsid, cdate, subid, curc, d(ctot), None,
                               None, f"Stripe refund {re}")
                        if cm:
                            emit(N + "transactionlink", {"previousdoc": cm, "nextdoc": rf_id, "linktype": "Refund",
                                                         "foreignamount": d(ctot)})
                    else:
                        add_key("payment", "missing_in_erp", [re], [], object="refund", amount=ctot, currency=cur)
                    payouts.setdefault((cn_t // DAY + 2, ent, cur), []).append(
                        (rtxn, rf_id, -ctot, 0, -ctot, -ctot, "refund"))
                emit(S + "charge", charge_obj(c, ch, pi, txn, paid_amt, paid_t, refunded, in_id))

        # draft invoices (Stripe only; never posted, never in the ERP, never in revenue)
        if plant_month:
            for k in range(0, n_cust, 250):
                c = cust[k]
                in_id = new("in")
                ps = ts(ny, nm, c[9])
                pe = ts(*add_months(ny, nm, 12 if c[5] else 1), c[9])
                lines, info, subtotal, dsum, tsum = build_lines(c, in_id, ps, pe, 1)
                stripe_invoice(c, in_id, None, "draft", ts(2026, 10, 31, 12) + k % 3600, None, lines, subtotal, dsum,
                               tsum, 0, ps, pe)

    # ---- payouts and deposits
    pkeys = sorted(payouts)
    oct_payouts = [i for i, (day, _, _) in enumerate(pkeys) if period_of(day * DAY) == PLANT_PERIOD]
    n_po_plants = max(1, len(oct_payouts) // 30)
    prng = Random(seed * 7919 + 1)
    chosen = prng.sample(oct_payouts, min(len(oct_payouts), 2 * n_po_plants))
    fee_plants = set(chosen[:n_po_plants])
    sum_plants = set(chosen[n_po_plants:])
    for i, pk in enumerate(pkeys):
        day, ent, cur = pk
        entries = payouts[pk]
        d = dec_of[cur]
        po, potxn = new("po"), new("txn")
        amount = sum(e[4] for e in entries)
        fees = sum(e[3] for e in entries)
        arrival = day * DAY
        meta = {"tieout_entity": ent}
        emit(S + "payout", {"id": po, "object": "payout", "amount": amount, "arrival_date": arrival,
                            "automatic": True, "balance_transaction": potxn, "created": arrival - DAY + 3600,
                            "currency": cur, "description": "STRIPE PAYOUT", "destination": f"ba_{ent}{cur.upper()}",
                            "livemode": False, "metadata": meta, "method": "standard",
                            "reconciliation_status": "completed", "source_type": "card", "statement_descriptor": None,
                            "status": "paid" if arrival < SNAPSHOT else "in_transit", "type": "bank_account"})
        emit(S + "balance_transaction", {"id": potxn, "object": "balance_transaction", "amount": -amount,
                                         "available_on": arrival, "created": arrival - DAY + 3600, "currency": cur,
                                         "description": "STRIPE PAYOUT", "exchange_rate": None, "fee": 0,
                                         "fee_details": [], "net": -amount, "reporting_category": "payout",
                                         "source": po, "status": "available", "type": "payout",
                                         "balance_type": "payments"})
        for e in entries:
            emit(S + "payout_balance_transaction", {"payout": po, "balance_transaction": e[0]})
        emit(S + "payout_balance_transaction", {"payout": po, "balance_transaction": potxn})
        dep = next_tid()
        lines_out = []
        for e in entries:
            if e[1] is not None:
                lines_out.append((e[2], "Undeposited Funds", e[1]))
        fee_line = -fees
        fee_delta = 0
        if i in fee_plants:
            fee_delta = 1 + prng.randrange(500 if cur != "jpy" else 50)
            fee_line -= fee_delta
        lines_out.append((fee_line, "Merchant Fees", None))
        clearing = amount - sum(x[0] for x in lines_out)
        if clearing:
            lines_out.append((clearing, "Stripe Clearing", None))
        sum_delta = 0
        if i in sum_plants:
            sum_delta = 1 + prng.randrange(10000 if cur != "jpy" else 1000)
            lines_out.append((sum_delta, "Bank Adjustments", None))
        total = sum(x[0] for x in lines_out)
        subid = ENTITIES[ent]["subsidiary"]
        ns_txn(dep, f"DEP{dep}", "Deposit", po, None, date_of(arrival), subid, cur.upper(), d(total), None, None,
               "STRIPE PAYOUT")
        for n, (a, acct, src) in enumerate(lines_out, 1):
            ns_line(dep, n, None, None, d(a), None, acct, src, None)
        if fee_delta:
            add_key("payment", "fee_mismatch", [po], [dep], object="payout", amount=fee_delta, currency=cur,
                    period=period_of(arrival))
        if sum_delta:
            add_key("payment", "payout_sum_mismatch", [po], [dep], object="payout", amount=sum_delta,
                    currency=cur, period=period_of(arrival))

    # ---- deferred revenue roll-forward (GL balance of "Deferred Revenue" per subsidiary/currency/period)
    combos = sorted({(e, cu) for (e, cu, _, _) in rf})
    rf_plant = combos[prng.randrange(len(combos))] if combos else None
    rid = 0
    for ent, cu in combos:
        opening = 0
        for p in PERIODS:
            billed = rf.get((ent, cu, p, "billed"), 0)
            recog = rf.get((ent, cu, p, "recognized"), 0)
            delta = 0
            if p == PLANT_PERIOD and (ent, cu) == rf_plant:
                delta = 1 + prng.randrange(100000 if cu != "jpy" else 1000)
                recog_erp = recog + delta
            else:
                recog_erp = recog
            closing = opening + billed - recog_erp
            rid += 1
            row_id = str(900 + rid)
            emit(N + "deferredrevenuebalance", {"id": row_id, "subsidiary": ENTITIES[ent]["subsidiary"],
                                                "currency": cu.upper(), "period": p, "postingperiod": PERIOD_IDS[p],
                                                "account": "Deferred Revenue", "opening": dec_of[cu](opening),
                                                "billed": dec_of[cu](billed), "recognized": dec_of[cu](recog_erp),
                                                "closing": dec_of[cu](closing)})
            if delta:
                add_key("revenue", "rollforward_difference", [], [row_id], object="deferred_revenue_balance",
                        entity=ent, currency=cu, amount=delta)
            opening = closing

    w.close()
    key.sort(key=lambda e: (e["domain"], e["kind"], e.get("period", ""), e["billing_ids"], e["erp_ids"]))
    with open(os.path.join(out, "answer_key.json"), "wb") as f:
        f.write(json.dumps(key, indent=1, sort_keys=True).encode() + b"\n")
    files = {w.path(name): w.counts[name] for name in sorted(w.counts)}
    manifest = {"schema_version": SCHEMA_VERSION, "seed": seed, "invoices_per_month": invoices,
                "customers": n_cust, "periods": list(PERIODS), "plant_period": PLANT_PERIOD,
                "stripe_api_version": STRIPE_API_VERSION, "snapshot": SNAPSHOT, "gzip": gz,
                "files": files, "answer_key": {"entries": len(key), "by_kind": _by_kind(key)}}
    with open(os.path.join(out, "manifest.json"), "wb") as f:
        f.write(json.dumps(manifest, indent=1, sort_keys=True).encode() + b"\n")
    manifest["_seconds"] = round(time.time() - t0, 2)
    return manifest


def _by_kind(key):
    out: dict[str, int] = {}
    for e in key:
        k = f"{e['domain']}.{e['kind']}"
        out[k] = out.get(k, 0) + 1
    return dict(sorted(out.items()))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m sample_data.generate", description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--invoices", type=int, default=2000, help="invoices per month (roughly)")
    ap.add_argument("--out", required=True, help="output directory")
    ap.add_argument("--no-gzip", action="store_true", help="write plain .jsonl (faster, larger)")
    a = ap.parse_args(argv)
    m = generate(a.seed, a.invoices, a.out, gz=not a.no_gzip)
    inv = m["files"][("stripe/invoice.jsonl" + ("" if a.no_gzip else ".gz"))]
    print(f"wrote {a.out}: {inv} Stripe invoices, {m['answer_key']['entries']} planted breaks, "
          f"{m['_seconds']} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
