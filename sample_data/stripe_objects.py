"""Builders of Stripe API objects (API 2025-03-31.basil shapes) for invoices, payments, refunds and payouts.

Only fields downstream code relies on are emitted, always with Stripe's names and nesting.
"""

from __future__ import annotations

from typing import NamedTuple

from tieout.sample_data.company import USAGE, Catalogue, Customer
from tieout.sample_data.ids import NewId
from tieout.sample_data.periods import DAY
from tieout.sample_data.writer import Emit

FEE = {"usd": (290, 30), "eur": (150, 25), "jpy": (360, 0)}  # card fee: basis points, fixed minor units


class LineInfo(NamedTuple):
    """What the ERP and revenue side need of one Stripe invoice line."""

    id: str  # il_
    net: int  # amount - discount: the revenue amount and the ERP line amount
    tax: int
    item: str  # NetSuite item id
    qty: int


class InvoiceLines(NamedTuple):
    lines: list[dict]
    info: list[LineInfo]
    subtotal: int
    discount: int
    tax: int


def taxes(tax: int, taxable: int, tax_rate: str) -> list[dict]:
    """Stripe's ``taxes`` / ``total_taxes`` list for one exclusive tax rate."""
    return [{"amount": tax, "tax_behavior": "exclusive", "tax_rate_details": {"tax_rate": tax_rate},
             "taxability_reason": "standard_rated", "taxable_amount": taxable, "type": "tax_rate_details"}]


def card_fee(amount: int, cur: str) -> int:
    """Stripe's processing fee on a card charge, rounded half up."""
    bp, fixed = FEE[cur]
    return (amount * bp + 5000) // 10000 + fixed


class Stripe:
    """Emits Stripe objects to ``stripe/<object>`` files; ids from ``new``."""

    def __init__(self, emit: Emit, new: NewId, cat: Catalogue):
        self.emit = emit
        self.new = new
        self.cat = cat

    def invoice_lines(self, c: Customer, in_id: str, ps: int, pe: int, units: int) -> InvoiceLines:
        """The subscription's lines for the service period [ps, pe): seats, plus API calls for usage customers."""
        prices, new, tax_bp, cur, sub = self.cat.prices, self.new, c.tax_bp, c.cur, c.sub
        tax_rate = self.cat.tax_rates[c.tax_kind]
        cadence = "annual" if c.annual else "monthly"
        specs = [(prices[(c.tier, cur, "year" if c.annual else "month")], c.qty, c.si,
                  f"{c.qty} seat(s) x {c.tier} ({cadence})", c.discount_pct)]
        if c.usage:
            specs.append((prices[(USAGE, cur, "month")], units, c.si_usage, f"{units},000 API calls", 0))
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
                          "discount_amounts": [{"amount": d, "discount": f"di_{c.coupon}_{sub[4:]}"}] if d else [],
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
                          "taxes": taxes(tax, net, tax_rate) if tax_bp else []})
            info.append(LineInfo(il, net, tax, self.cat.items[prod], q))
        return InvoiceLines(lines, info, subtotal, dsum, tsum)

    def invoice(self, c: Customer, in_id: str, number: str | None, status: str, created: int, eff: int | None,
                il: InvoiceLines, paid: int, voided_at: int | None = None, uncol_at: int | None = None,
                paid_at: int | None = None) -> int:
        """Emit the invoice; returns its total (tax included)."""
        sub = c.sub
        total_ex = il.subtotal - il.discount
        total = total_ex + il.tax
        self.emit("stripe/invoice", {
            "id": in_id, "object": "invoice", "account_country": "US", "amount_due": total, "amount_paid": paid,
            "amount_remaining": (total - paid) if status in ("open", "draft", "uncollectible") else 0,
            "attempt_count": 1 if paid else 0, "attempted": bool(paid),
            "auto_advance": status in ("draft", "open"),
            "billing_reason": "subscription_cycle", "collection_method": "charge_automatically",
            "created": created, "currency": c.cur, "customer": c.id, "description": None, "discounts": [],
            "due_date": None, "effective_at": eff,
            "lines": {"object": "list", "data": il.lines, "has_more": False, "url": f"/v1/invoices/{in_id}/lines"},
            "livemode": False, "metadata": c.meta, "number": number,
            "parent": {"type": "subscription_details", "quote_details": None,
                       "subscription_details": {"metadata": None, "subscription": sub}},
            "period_end": created, "period_start": created - (31 * DAY),
            "status": status,
            "status_transitions": {"finalized_at": eff, "marked_uncollectible_at": uncol_at,
                                   "paid_at": paid_at, "voided_at": voided_at},
            "subtotal": il.subtotal, "subtotal_excluding_tax": il.subtotal,
            "total": total, "total_discount_amounts": ([{"amount": il.discount, "discount": f"di_{c.coupon}_{sub[4:]}"}]
                                                       if il.discount else []),
            "total_excluding_tax": total_ex,
            "total_taxes": taxes(il.tax, total_ex, self.cat.tax_rates[c.tax_kind]) if c.tax_bp else [],
        })
        return total

    def balance_transaction(self, txn: str, amount: int, created: int, available_on: int, cur: str,
                            description: str, fee: int, net: int, kind: str, source: str) -> None:
        """A balance transaction of ``kind`` charge | refund | payout (its reporting category too)."""
        fee_details = ([{"amount": fee, "application": None, "currency": cur,
                         "description": "Stripe processing fees", "type": "stripe_fee"}] if kind == "charge" else [])
        self.emit("stripe/balance_transaction", {
            "id": txn, "object": "balance_transaction", "amount": amount, "available_on": available_on,
            "created": created, "currency": cur, "description": description, "exchange_rate": None, "fee": fee,
            "fee_details": fee_details, "net": net, "reporting_category": kind, "source": source,
            "status": "available", "type": kind, "balance_type": "payments"})

    def payment(self, c: Customer, in_id: str, amount: int, t: int) -> tuple[str, str, str, int]:
        """invoice_payment + payment_intent + the charge's balance transaction; returns (ch, pi, txn, fee).

        The charge object itself is emitted later by :meth:`charge`, once refunds are known.
        """
        new, emit, cur = self.new, self.emit, c.cur
        pi, ch, txn, inpay = new("pi"), new("ch"), new("txn"), new("inpay")
        fee = card_fee(amount, cur)
        emit("stripe/invoice_payment", {"id": inpay, "object": "invoice_payment", "amount_paid": amount,
                                        "amount_requested": amount, "created": t, "currency": cur, "invoice": in_id,
                                        "is_default": True, "livemode": False,
                                        "payment": {"type": "payment_intent", "payment_intent": pi},
                                        "status": "paid", "status_transitions": {"canceled_at": None, "paid_at": t}})
        emit("stripe/payment_intent", {"id": pi, "object": "payment_intent", "amount": amount,
                                       "amount_capturable": 0, "amount_received": amount,
                                       "capture_method": "automatic", "created": t - 5, "currency": cur,
                                       "customer": c.id, "description": f"Invoice {in_id}", "latest_charge": ch,
                                       "livemode": False, "metadata": c.meta, "payment_method_types": ["card"],
                                       "status": "succeeded"})
        self.balance_transaction(txn, amount, t, (t // DAY + 2) * DAY, cur, f"Invoice {in_id}", fee, amount - fee,
                                 "charge", ch)
        return ch, pi, txn, fee

    def charge(self, c: Customer, ch: str, pi: str, txn: str, amount: int, t: int, refunded: int,
               in_id: str) -> None:
        """The card charge of an invoice, with what was refunded of it."""
        self.emit("stripe/charge", {
            "id": ch, "object": "charge", "amount": amount, "amount_captured": amount,
            "amount_refunded": refunded, "balance_transaction": txn, "captured": True, "created": t,
            "currency": c.cur, "customer": c.id, "description": f"Invoice {in_id}", "disputed": False,
            "livemode": False, "metadata": c.meta,
            "outcome": {"type": "authorized", "network_status": "approved_by_network"},
            "paid": True, "payment_intent": pi, "payment_method": f"pm_{ch[3:]}", "refunded": refunded == amount,
            "status": "succeeded"})

    def credit_note(self, c: Customer, in_id: str, number: str, line_id: str, amount: int, tax: int, t: int,
                    ids: tuple[str, str, str, str], ch: str, pi: str) -> None:
        """A post-payment credit note on one invoice line, refunded in full on the card.

        ``ids`` = (cn, cnli, re, refund txn).
        """
        cn, cnli, re, rtxn = ids
        cur, total = c.cur, amount + tax
        cn_taxes = taxes(tax, amount, self.cat.tax_rates[c.tax_kind]) if c.tax_bp else []
        self.emit("stripe/credit_note", {
            "id": cn, "object": "credit_note", "amount": total, "amount_shipping": 0, "created": t,
            "currency": cur, "customer": c.id, "customer_balance_transaction": None, "discount_amount": 0,
            "discount_amounts": [], "effective_at": t, "invoice": in_id,
            "lines": {"object": "list", "data": [{
                "id": cnli, "object": "credit_note_line_item", "amount": amount,
                "description": "Service credit", "discount_amount": 0, "discount_amounts": [],
                "invoice_line_item": line_id, "livemode": False, "metadata": {}, "pretax_credit_amounts": [],
                "quantity": 1, "tax_rates": [], "taxes": cn_taxes, "type": "invoice_line_item",
                "unit_amount": None, "unit_amount_decimal": None}],
                "has_more": False, "url": f"/v1/credit_notes/{cn}/lines"},
            "livemode": False, "memo": None, "metadata": c.meta, "number": number,
            "out_of_band_amount": None, "post_payment_amount": total, "pre_payment_amount": 0,
            "pretax_credit_amounts": [], "reason": "product_unsatisfactory",
            "refunds": [{"amount_refunded": total, "refund": re, "type": "refund"}],
            "status": "issued", "subtotal": amount, "subtotal_excluding_tax": amount, "total": total,
            "total_excluding_tax": amount, "total_taxes": cn_taxes, "type": "post_payment",
            "voided_at": None})
        self.emit("stripe/refund", {"id": re, "object": "refund", "amount": total, "balance_transaction": rtxn,
                                    "charge": ch, "created": t, "currency": cur, "metadata": c.meta,
                                    "payment_intent": pi, "reason": "requested_by_customer", "status": "succeeded"})
        self.balance_transaction(rtxn, -total, t, (t // DAY + 2) * DAY, cur, f"Refund for {cn}", 0, -total,
                                 "refund", re)

    def payout(self, po: str, potxn: str, ent: str, cur: str, amount: int, arrival: int, status: str,
               txns: list[str]) -> None:
        """A payout, its own balance transaction, and the payout -> balance transaction links."""
        created = arrival - DAY + 3600
        self.emit("stripe/payout", {"id": po, "object": "payout", "amount": amount, "arrival_date": arrival,
                                    "automatic": True, "balance_transaction": potxn, "created": created,
                                    "currency": cur, "description": "STRIPE PAYOUT",
                                    "destination": f"ba_{ent}{cur.upper()}", "livemode": False,
                                    "metadata": {"tieout_entity": ent}, "method": "standard",
                                    "reconciliation_status": "completed", "source_type": "card",
                                    "statement_descriptor": None, "status": status, "type": "bank_account"})
        self.balance_transaction(potxn, -amount, created, arrival, cur, "STRIPE PAYOUT", 0, -amount, "payout", po)
        for txn in txns:
            self.emit("stripe/payout_balance_transaction", {"payout": po, "balance_transaction": txn})
        self.emit("stripe/payout_balance_transaction", {"payout": po, "balance_transaction": potxn})
