"""One month of subscription billing: Stripe invoices, their ERP twins, revenue, payments and credit notes.

Each invoice is drawn from the shared ``random.Random`` stream in a fixed order (the
order *is* the output: reordering draws changes every file), then mirrored into the
ERP with the planted break its pool decided, if any.
"""

from __future__ import annotations

from functools import partial
from random import Random
from typing import NamedTuple

from tieout.sample_data.amounts import DEC
from tieout.sample_data.company import Customer
from tieout.sample_data.ids import NewId
from tieout.sample_data.netsuite_objects import NetSuite
from tieout.sample_data.payouts import Payouts, Settled
from tieout.sample_data.periods import DAY, PLANT_PERIOD, SNAPSHOT, add_months, date_of, period_of, ts
from tieout.sample_data.plants import P_CN_PLANT, P_CREDIT_NOTE, AnswerKey, CashPlants, Plants
from tieout.sample_data.revenue import Revenue, allocate
from tieout.sample_data.stripe_objects import InvoiceLines, Stripe

NS_STATUS = {"paid": "CustInvc:B", "void": "CustInvc:V"}  # anything else -> "CustInvc:A" (open)
WRONG_INVOICE_TARGETS = 64  # recent clean open invoices kept per (subsidiary, currency) for wrong_invoice


class Bill(NamedTuple):
    """One Stripe invoice as the ERP, revenue and payment steps see it."""

    k: int  # customer index
    c: Customer
    in_id: str
    number: str
    status: str  # void | uncollectible | open | partial | paid
    kind: str | None  # planted break (see Plants.invoice_kind), None = clean
    il: InvoiceLines
    total: int
    created: int
    eff: int  # finalized at
    ps: int  # service period [ps, pe)
    pe: int
    period: str
    units: int  # API calls (thousands) on the usage line


class Billing:
    """Bills every customer month by month; owns the running sequences and pools the plants draw from."""

    def __init__(self, new: NewId, rng: Random, customers: list[Customer], stripe: Stripe,
                 ns: NetSuite, revenue: Revenue, payouts: Payouts, key: AnswerKey):
        self.new, self.rnd = new, rng.random
        self.customers = customers
        self.stripe, self.ns, self.revenue, self.payouts, self.key = stripe, ns, revenue, payouts, key
        self.plants = Plants()
        self.cash = CashPlants()
        self.invoice_no = [0] * len(customers)
        # (subsidiary, cur) -> clean open unpaid invoices [(erp_id, total, in_id)]
        self.targets: dict[tuple[str, str], list[tuple[str, int, str]]] = {}

    def next_number(self, k: int) -> str:
        """Customer ``k``'s next invoice number (``PREFIX-0001``)."""
        self.invoice_no[k] += 1
        return f"{self.customers[k].prefix}-{self.invoice_no[k]:04d}"

    def bill_month(self, y: int, m: int) -> None:
        """Invoices of every customer billed in month (y, m); drafts on 31 Oct in the plant month."""
        plant_month = f"{y:04d}-{m:02d}" == PLANT_PERIOD
        for k, c in enumerate(self.customers):
            if c.annual and c.anchor_month != m:
                continue
            self.bill(k, c, y, m, plant_month)
        if plant_month:
            self.drafts(*add_months(y, m, 1))

    def drafts(self, ny: int, nm: int) -> None:
        """Draft invoices for next month (Stripe only; never posted, never in the ERP, never in revenue)."""
        customers = self.customers
        for k in range(0, len(customers), 250):
            c = customers[k]
            in_id = self.new("in")
            ps = ts(ny, nm, c.anchor_day)
            pe = ts(*add_months(ny, nm, 12 if c.annual else 1), c.anchor_day)
            il = self.stripe.invoice_lines(c, in_id, ps, pe, 1)
            self.stripe.invoice(c, in_id, None, "draft", ts(2026, 10, 31, 12) + k % 3600, None, il, 0)

    def bill(self, k: int, c: Customer, y: int, m: int, plant_month: bool) -> None:
        """One invoice of customer ``k`` for month (y, m), and everything that follows from it."""
        rnd, stripe = self.rnd, self.stripe
        ny, nm = add_months(y, m, 1)
        ps = ts(y, m, c.anchor_day)
        pe = ts(y + 1, m, c.anchor_day) if c.annual else ts(ny, nm, c.anchor_day)
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
        in_id = self.new("in")
        number = self.next_number(k)
        il = stripe.invoice_lines(c, in_id, ps, pe, units)
        total = il.subtotal - il.discount + il.tax

        kind = None
        if plant_month:
            kind = self.plants.invoice_kind(rnd(), status, c.cur, lambda: len(allocate(il.info[0].net, ps, pe)))
        b = Bill(k, c, in_id, number, status, kind, il, total, created, eff, ps, pe, f"{y:04d}-{m:02d}", units)

        paid_t = eff + 600
        paid_amt = total if status == "paid" else (total * (30 + int(rnd() * 40)) // 100 if status == "partial"
                                                   else 0)
        if status == "partial" and paid_amt == 0:
            paid_amt = 1

        # credit note decision (paid, unplanted invoices)
        cn_t = None
        if status == "paid" and kind is None and rnd() < P_CREDIT_NOTE:
            cn_t = paid_t + DAY * (1 + int(rnd() * 6)) + int(rnd() * 3600)
            if cn_t >= SNAPSHOT - 3 * DAY:
                cn_t = None

        stripe.invoice(c, in_id, number, "open" if status == "partial" else status, created, eff, il, paid_amt,
                       eff + 2 * DAY if status == "void" else None,
                       eff + 20 * DAY if status == "uncollectible" else None,
                       paid_t if status == "paid" else None)

        erp_tid = self.erp_invoice(b, date_of(eff), f"{ny:04d}-{nm:02d}-01")

        # revenue (void and draft invoices carry no schedule)
        if status in ("open", "paid", "partial", "uncollectible") and kind != "missing_in_erp":
            self.schedule(b, erp_tid)
        elif kind == "missing_in_erp":
            self.revenue.schedule(c, il.info, ps, pe, b.period, None)

        if paid_amt:
            self.payment(b, erp_tid, paid_amt, paid_t, cn_t)

    def erp_invoice(self, b: Bill, tdate: str, next_month_start: str) -> str | None:
        """The CustInvc, with the invoice-domain plant ``b.kind``; returns its id (None if the ERP lacks it)."""
        rnd, ns, key = self.rnd, self.ns, self.key
        k, c, kind, in_id, total, info, tsum = b.k, b.c, b.kind, b.in_id, b.total, b.il.info, b.il.tax
        cur = c.cur
        d = DEC[cur]
        ns_status = NS_STATUS.get(b.status, "CustInvc:A")
        post = partial(ns.invoice, c, d, in_id, info, total, tsum)  # the ERP twin, with a plant's overrides
        erp_tid = None
        if kind == "missing_in_erp":
            key.add("invoice", "missing_in_erp", [in_id], [], object="invoice", amount=total, currency=cur)
            key.cascade_schedule_missing([x.id for x in info], "missing_in_erp", in_id)
        elif kind == "amount_mismatch":
            delta = 1 + int(rnd() * (5000 if cur != "jpy" else 500))
            erp_tid = post(ns_status, tdate, line_delta=delta)
            key.add("invoice", kind, [in_id], [erp_tid], object="invoice", amount=delta, currency=cur)
        elif kind == "tax_mismatch":
            delta = 1 + int(rnd() * (900 if cur != "jpy" else 90))
            erp_tid = post(ns_status, tdate, tax_delta=delta)
            key.add("invoice", kind, [in_id], [erp_tid], object="invoice", amount=delta, currency=cur)
        elif kind == "currency_mismatch":
            wrong = "EUR" if cur == "usd" else "USD"
            erp_tid = post(ns_status, tdate, cur_code=wrong)
            key.add("invoice", kind, [in_id], [erp_tid], object="invoice", currency=cur, erp_currency=wrong)
        elif kind in ("status_mismatch", "status_mismatch_void"):
            billing_status, erp_status = (("open", "CustInvc:V") if kind == "status_mismatch"
                                          else ("void", "CustInvc:A"))
            erp_tid = post(erp_status, tdate)
            key.add("invoice", "status_mismatch", [in_id], [erp_tid], object="invoice",
                    billing_status=billing_status, erp_status=erp_status)
        elif kind == "customer_mismatch":
            n_cust = len(self.customers)
            other = self.customers[(k + 1 + int(rnd() * (n_cust - 1))) % n_cust].ns_id
            erp_tid = post(ns_status, tdate, entity=other)
            key.add("invoice", kind, [in_id], [erp_tid], object="invoice", erp_entity=other)
        elif kind == "period_mismatch":
            erp_tid = post(ns_status, next_month_start)
            key.add("invoice", kind, [in_id], [erp_tid], object="invoice", erp_period=next_month_start[:7])
        elif kind == "duplicate_in_erp":
            erp_tid = post(ns_status, tdate)
            dup = post(ns_status, tdate)
            key.add("invoice", kind, [in_id], [erp_tid, dup], object="invoice")
        elif kind == "duplicate_in_billing":
            erp_tid = post(ns_status, tdate)
            in2 = self.new("in")
            il2 = self.stripe.invoice_lines(c, in2, b.ps, b.pe, b.units)
            self.stripe.invoice(c, in2, self.next_number(k), "open", b.created + 300, b.eff + 300, il2, 0)
            self.revenue.schedule(c, il2.info, b.ps, b.pe, b.period, None)
            key.add("invoice", kind, [in_id, in2], [erp_tid], object="invoice")
            key.cascade_schedule_missing([x.id for x in il2.info], "duplicate_in_billing", in2)
        else:
            erp_tid = post(ns_status, tdate)
            if kind == "missing_in_billing":
                ph = ns.next_tid()
                number = ns.next_invoice_number()
                amt = 1000 + int(rnd() * 100000)
                ns.txn(ph, number, "CustInvc", self.new("in"), c.ns_id, tdate, c.subsidiary, c.cur_code, d(amt),
                       d(0), "CustInvc:A", "Manual invoice")
                ns.line(ph, 1, info[0].item, 1, d(amt), d(0), None, None, None)
                key.add("invoice", kind, [], [ph], object="invoice", amount=amt, currency=cur)
            elif kind == "pay_missing_in_billing":
                amt = max(1, total // 2)
                ph = ns.payment(c, self.new("ch"), date_of(b.eff + DAY), d(amt), erp_tid, "CustPymt:B",
                                "Manual payment")
                key.add("payment", "missing_in_billing", [], [ph], object="charge", amount=amt, currency=cur)
            elif b.status == "open" and kind is None:
                tl = self.targets.setdefault((c.subsidiary, cur), [])
                tl.append((erp_tid, total, in_id))
                if len(tl) > WRONG_INVOICE_TARGETS:
                    del tl[0]
        return erp_tid

    def schedule(self, b: Bill, erp_tid: str | None) -> None:
        """Revenue plan lines of an invoice the ERP has, with the revenue-domain plant on its first line."""
        key, c, info, ps, pe = self.key, b.c, b.il.info, b.ps, b.pe
        plant = b.kind[4:] if b.kind and b.kind.startswith("rev_") else None
        res = self.revenue.schedule(c, info, ps, pe, b.period, erp_tid, plant)
        if plant == "schedule_missing":
            key.add("revenue", plant, [res[0][0]], [], object="invoice_line")
        elif plant == "period_amount_mismatch":
            line_id, ids = res[0]
            for (pl, p, a), (_, ea) in zip(ids, allocate(info[0].net, ps, pe)):
                if a != ea:
                    key.add("revenue", plant, [line_id], [pl], object="invoice_line", revenue_period=p,
                            amount=a - ea, currency=c.cur)
        elif plant == "schedule_total_mismatch":
            line_id, ids = res[0]
            key.add("revenue", plant, [line_id], [x[0] for x in ids], object="invoice_line",
                    amount=max(1, info[0].net // 20), currency=c.cur)

    def payment(self, b: Bill, erp_tid: str | None, paid_amt: int, paid_t: int, cn_t: int | None) -> None:
        """The card payment (Stripe + CustPymt), payment-domain plants, then any credit note and the charge."""
        c, in_id, kind = b.c, b.in_id, b.kind
        cur, key, pay_rot = c.cur, self.key, self.plants.pay
        cash = self.cash.peek(b.status) if b.period == PLANT_PERIOD and kind is None and erp_tid else None
        if cash in ("group_clean", "group_ambiguous") and paid_amt >= 24 and paid_amt % 2 == 0 and cn_t is None:
            self.cash.take(b.status)
            self.grouped_payment(b, erp_tid, paid_amt, paid_t, cash == "group_ambiguous")
            return
        if cash in ("partially_applied", "unapplied") and paid_amt >= 2 and cn_t is None:
            self.cash.take(b.status)
        else:
            cash = None
        erp_amount = None
        apply_to = None
        if kind == "pay_amount_mismatch" and paid_amt > 1:
            erp_amount = paid_amt - 1 - int(self.rnd() * min(paid_amt - 1, 5000))
        elif kind == "pay_wrong_invoice":
            tl = self.targets.get((c.subsidiary, cur), [])
            for j in range(len(tl) - 1, -1, -1):
                if tl[j][1] >= paid_amt:
                    apply_to = tl.pop(j)
                    break
        ch, pi, txn, fee = self.stripe.payment(c, in_id, paid_amt, paid_t)
        ea = paid_amt if erp_amount is None else erp_amount
        erp_pay = None
        short = max(1, ea // 10) if cash == "partially_applied" else 0
        if kind != "pay_missing_in_erp":
            erp_pay = self.ns.payment(c, ch, date_of(paid_t), DEC[cur](ea),
                                      None if cash == "unapplied" else apply_to[0] if apply_to else erp_tid,
                                      "CustPymt:C", f"Stripe charge {ch}", applied=DEC[cur](ea - short))
        self.payouts.add(paid_t, c.entity, cur, Settled(txn, erp_pay, ea, fee, paid_amt - fee))
        if kind == "pay_missing_in_erp":
            key.add("payment", "missing_in_erp", [ch], [], object="charge", amount=paid_amt, currency=cur,
                    invoice=in_id)
            pay_rot.take()
        elif kind == "pay_amount_mismatch" and erp_amount is not None:
            key.add("payment", "amount_mismatch", [ch], [erp_pay], object="charge", amount=paid_amt - erp_amount,
                    currency=cur, invoice=in_id)
            pay_rot.take()
        elif kind == "pay_wrong_invoice" and apply_to:
            key.add("payment", "wrong_invoice", [ch], [erp_pay], object="charge", invoice=in_id,
                    erp_invoice=erp_tid, erp_applied_to=apply_to[0], billing_applied_to=in_id,
                    wrong_invoice_billing_id=apply_to[2])
            pay_rot.take()
        elif cash == "partially_applied":
            key.add("payment", cash, [ch], [erp_pay], object="charge", amount=short, currency=cur, invoice=in_id)
        elif cash == "unapplied":
            key.add("payment", cash, [ch], [erp_pay], object="charge", amount=ea, currency=cur, invoice=in_id)
        refunded = 0
        if cn_t is not None:
            refunded = self.credit_note(b, erp_tid, cn_t, ch, pi)
        self.stripe.charge(c, ch, pi, txn, paid_amt, paid_t, refunded, in_id)

    def grouped_payment(self, b: Bill, erp_tid: str, paid_amt: int, t: int, ambiguous: bool) -> None:
        """An invoice paid by several card charges that the ERP booked as one receipt without the Stripe ids.

        Clean: two charges, one receipt for both (one group adds up: a match).  Ambiguous: four charges
        a + b = c + d, one receipt for half the amount (two groups add up: flagged, never matched).
        """
        c, cur = b.c, b.c.cur
        if ambiguous:
            half = paid_amt // 2
            parts, receipt = [half // 3, half - half // 3, half // 4, half - half // 4], half
        else:
            parts, receipt = [paid_amt * 2 // 5, paid_amt - paid_amt * 2 // 5], paid_amt
        paid = [(part, *self.stripe.payment(c, b.in_id, part, t)) for part in parts]
        charges = [ch for _, ch, _, _, _ in paid]
        erp_pay = self.ns.payment(c, None, date_of(t), DEC[cur](receipt), erp_tid, "CustPymt:C",
                                  f"Card receipts {b.number}")
        for n, (part, ch, pi, txn, fee) in enumerate(paid):
            self.payouts.add(t, c.entity, cur, Settled(txn, erp_pay if n == 0 else None, receipt if n == 0 else 0,
                                                       fee, part - fee))
            self.stripe.charge(c, ch, pi, txn, part, t, 0, b.in_id)
        if ambiguous:
            self.key.add("payment", "ambiguous", charges, [erp_pay], object="charge", amount=receipt, currency=cur,
                         invoice=b.in_id)
        else:  # not a break: the match the engine must make, listed so a test can check it
            self.key.add("payment", "matched", charges, [erp_pay], object="charge", rule="subset_sum",
                         invoice=b.in_id)

    def credit_note(self, b: Bill, erp_tid: str | None, cn_t: int, ch: str, pi: str) -> int:
        """Credit a quarter of the first line and refund it on the card, with credit-note plants; returns the refund."""
        rnd, new, ns, key, c, number = self.rnd, self.new, self.ns, self.key, b.c, b.number
        cur = c.cur
        d = DEC[cur]
        line = b.il.info[0]
        camt = max(1, line.net // 4)
        ctax = (camt * c.tax_bp + 5000) // 10000
        ctot = camt + ctax
        cn, cnli, re, rtxn = new("cn"), new("cnli"), new("re"), new("txn")
        cplant = None
        if period_of(cn_t) == PLANT_PERIOD and rnd() < P_CN_PLANT:
            cplant = self.plants.cn.peek()
            self.plants.cn.take()
        self.stripe.credit_note(c, b.in_id, f"{number}-CN-01", line.id, camt, ctax, cn_t, (cn, cnli, re, rtxn), ch, pi)
        cdate = date_of(cn_t)
        cm = None
        if cplant != "missing_in_erp":
            cm = ns.next_tid()
            ld = int(rnd() * 2000) + 1 if cplant == "amount_mismatch" else 0
            td = int(rnd() * 300) + 1 if cplant == "tax_mismatch" else 0
            ns.txn(cm, f"CM{cm}", "CustCred", cn, c.ns_id, cdate, c.subsidiary, c.cur_code, d(ctot + ld + td),
                   d(ctax + td), "CustCred:A" if cplant == "refund_missing_in_erp" else "CustCred:B",
                   number + "-CN-01", createdfrom=erp_tid)
            ns.line(cm, 1, line.item, 1, d(camt + ld), d(ctax + td), None, None, cnli)
            if cplant in ("amount_mismatch", "tax_mismatch"):
                key.add("invoice", cplant, [cn], [cm], object="credit_note", amount=ld or td, currency=cur)
        else:
            key.add("invoice", "missing_in_erp", [cn], [], object="credit_note", amount=ctot, currency=cur)
        if cplant == "missing_in_billing":
            ph = ns.next_tid()
            pamt = 100 + int(rnd() * 5000)
            ns.txn(ph, f"CM{ph}", "CustCred", new("cn"), c.ns_id, cdate, c.subsidiary, c.cur_code, d(pamt), d(0),
                   "CustCred:A", "Manual credit memo", createdfrom=erp_tid)
            ns.line(ph, 1, line.item, 1, d(pamt), d(0), None, None, None)
            key.add("invoice", "missing_in_billing", [], [ph], object="credit_note", amount=pamt, currency=cur)
        rf_id = None
        if cplant != "refund_missing_in_erp":
            rf_id = ns.next_tid()
            ns.txn(rf_id, f"RFND{rf_id}", "CustRfnd", re, c.ns_id, cdate, c.subsidiary, c.cur_code, d(ctot), None,
                   None, f"Stripe refund {re}")
            if cm:
                ns.link(cm, rf_id, "Refund", d(ctot))
        else:
            key.add("payment", "missing_in_erp", [re], [], object="refund", amount=ctot, currency=cur)
        self.payouts.add(cn_t, c.entity, cur, Settled(rtxn, rf_id, -ctot, 0, -ctot))
        return ctot
