"""Planted discrepancies: which invoices get which break, and the answer key that lists them.

Kinds rotate within each pool (open, partially paid, paid invoices, credit notes) so every
kind appears at about the same rate; every plant is in ``PLANT_PERIOD``.
"""

from __future__ import annotations

from typing import Any, Callable

from tieout.sample_data.periods import PLANT_PERIOD

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


class Rotation:
    """Round-robin over a pool's kinds; a kind is only consumed (``take``) once it was really planted."""

    def __init__(self, kinds: list[str]):
        self.kinds = kinds
        self.n = 0

    def peek(self) -> str:
        return self.kinds[self.n % len(self.kinds)]

    def take(self) -> None:
        self.n += 1


class Plants:
    """One rotation per pool; decides the plant of an October invoice from one draw of the stream."""

    def __init__(self) -> None:
        self.inv = Rotation(INV_KINDS)
        self.pay = Rotation(PAY_KINDS)
        self.rev = Rotation(REV_KINDS)
        self.cn = Rotation(CN_KINDS)

    def invoice_kind(self, r: float, status: str, cur: str, first_line_months: Callable[[], int]) -> str | None:
        """The plant for an invoice with pool ``status`` given the draw ``r``; None = clean.

        Payment kinds come back prefixed ``pay_``, revenue kinds ``rev_``; a void invoice's plant is
        ``status_mismatch_void``. ``first_line_months`` is asked only when a period move needs two months.
        """
        if status == "open" and r < P_OPEN_PLANT:
            kind = self.inv.peek()
            if kind == "currency_mismatch" and cur == "jpy":  # no same-digits JPY twin
                return None
            self.inv.take()
            return kind
        if status == "void" and r < P_VOID_PLANT:
            return "status_mismatch_void"
        if status == "partial" and r < P_PARTIAL_PLANT:
            return "pay_" + self.pay.peek()
        if status == "paid" and r < P_REV_PLANT:
            kind = self.rev.peek()
            if kind == "period_amount_mismatch" and first_line_months() < 2:
                return None
            self.rev.take()
            return "rev_" + kind
        return None


CASH_PLANTS = {"partial": ["group_clean", "group_ambiguous"], "paid": ["partially_applied", "unapplied"]}
"""Payment plants taken by the first clean October invoices of each pool, in order (no draw of the stream)."""


class CashPlants:
    """Hands out each cash plant once: receipts for several charges, and ERP payments applied short or not at all."""

    def __init__(self) -> None:
        self.left = {pool: list(kinds) for pool, kinds in CASH_PLANTS.items()}

    def peek(self, status: str) -> str | None:
        """The next cash plant for a clean plant-month invoice of pool ``status``, if any is left."""
        pool = self.left.get(status)
        return pool[0] if pool else None

    def take(self, status: str) -> None:
        self.left[status].pop(0)


class AnswerKey:
    """The list of planted breaks written to ``answer_key.json``."""

    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []

    def add(self, domain: str, kind: str, billing_ids: list[str], erp_ids: list[str], **extra: Any) -> None:
        """One break; ``extra`` (amount, currency, cause, period override, …) is merged in."""
        e = {"domain": domain, "kind": kind, "period": PLANT_PERIOD, "billing_ids": billing_ids, "erp_ids": erp_ids}
        e.update(extra)
        self.entries.append(e)

    def cascade_schedule_missing(self, line_ids: list[str], cause_kind: str, in_id: str) -> None:
        """Every line of an invoice the ERP lacks also lacks its revenue schedule: list them, with the cause."""
        for il in line_ids:
            self.add("revenue", "schedule_missing", [il], [], object="invoice_line",
                     cause={"domain": "invoice", "kind": cause_kind, "billing_id": in_id})

    def sorted(self) -> list[dict[str, Any]]:
        """Entries in a stable order (domain, kind, period, ids)."""
        return sorted(self.entries, key=lambda e: (e["domain"], e["kind"], e.get("period", ""), e["billing_ids"],
                                                   e["erp_ids"]))

    def by_kind(self) -> dict[str, int]:
        """Counts per ``domain.kind`` for the manifest."""
        out: dict[str, int] = {}
        for e in self.entries:
            k = f"{e['domain']}.{e['kind']}"
            out[k] = out.get(k, 0) + 1
        return dict(sorted(out.items()))
