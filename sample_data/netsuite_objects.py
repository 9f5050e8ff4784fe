"""Builders of NetSuite SuiteQL-style rows: transactions, their lines and links.

Ids are strings; amounts are decimal text in the transaction currency (see ``amounts``).
"""

from __future__ import annotations

from typing import Callable

from tieout.sample_data.company import Customer
from tieout.sample_data.periods import MONTH_NAMES, PERIOD_IDS
from tieout.sample_data.stripe_objects import LineInfo
from tieout.sample_data.writer import Emit


class NetSuite:
    """Emits ``netsuite/transaction*`` rows; hands out transaction, invoice-number and line-key sequences."""

    def __init__(self, emit: Emit):
        self.emit = emit
        self.last_tid = 1000000
        self.inv_seq = 0
        self.line_uid = 0

    def next_tid(self) -> str:
        """The next transaction internal id."""
        self.last_tid += 1
        return str(self.last_tid)

    def next_invoice_number(self) -> str:
        """``INV00000042``: invoices (Stripe-born or manual) share one numbering."""
        self.inv_seq += 1
        return f"INV{self.inv_seq:08d}"

    def txn(self, tid: str, tranid: str, typ: str, ext: str, entity: str | None, tdate: str, subsidiary: str,
            cur_code: str, total: str, tax: str | None, status: str | None, memo: str,
            createdfrom: str | None = None) -> None:
        """A transaction header; posting period = month of ``tdate``."""
        p = tdate[:7]
        self.emit("netsuite/transaction", {
            "id": tid, "tranid": tranid, "type": typ, "externalid": ext, "entity": entity, "trandate": tdate,
            "postingperiod": PERIOD_IDS[p], "postingperiodname": MONTH_NAMES[p], "subsidiary": subsidiary,
            "currency": cur_code, "foreigntotal": total, "taxtotal": tax, "status": status, "memo": memo,
            "createdfrom": createdfrom})

    def line(self, tid: str, n: int, item: str | None, qty: int | None, amount: str, tax: str | None,
             account: str | None, createdfrom: str | None, stripe_line: str | None) -> None:
        """Line ``n`` (1-based) of transaction ``tid``."""
        self.line_uid += 1
        self.emit("netsuite/transactionline", {
            "transaction": tid, "id": n, "linesequencenumber": n, "uniquekey": str(self.line_uid), "item": item,
            "quantity": qty, "foreignamount": amount, "taxamount": tax, "account": account,
            "createdfrom": createdfrom, "custcol_stripe_line_id": stripe_line})

    def link(self, previous: str, nxt: str, linktype: str, amount: str) -> None:
        """An application: payment -> invoice (``"Payment"``) or refund -> credit memo (``"Refund"``)."""
        self.emit("netsuite/transactionlink", {"previousdoc": previous, "nextdoc": nxt, "linktype": linktype,
                                               "foreignamount": amount})

    def invoice(self, c: Customer, d: Callable[[int], str], in_id: str, info: list[LineInfo], total: int,
                tax: int, status: str, tdate: str, entity: str | None = None, cur_code: str | None = None,
                line_delta: int = 0, tax_delta: int = 0) -> str:
        """The CustInvc of a Stripe invoice; deltas and overrides plant invoice-domain breaks on line 1."""
        tid = self.next_tid()
        self.txn(tid, self.next_invoice_number(), "CustInvc", in_id, entity or c.ns_id, tdate, c.subsidiary,
                 cur_code or c.cur_code, d(total + line_delta + tax_delta), d(tax + tax_delta), status, in_id)
        for n, (il, net, ltax, item, q) in enumerate(info, 1):
            self.line(tid, n, item, q, d(net + (line_delta if n == 1 else 0)),
                      d(ltax + (tax_delta if n == 1 else 0)), None, None, il)
        return tid

    def payment(self, c: Customer, ch: str | None, tdate: str, amount: str, applied_to: str | None, status: str,
                memo: str, applied: str | None = None) -> str:
        """A CustPymt for charge ``ch`` (None: a receipt keyed without the Stripe id) applied to ERP invoice
        ``applied_to`` for ``applied`` (default: its whole amount; ``applied_to`` None: not applied)."""
        tid = self.next_tid()
        self.txn(tid, f"PYMT{tid}", "CustPymt", ch, c.ns_id, tdate, c.subsidiary, c.cur_code, amount, None, status,
                 memo)
        if applied_to is not None:
            self.link(applied_to, tid, "Payment", applied or amount)
        return tid
