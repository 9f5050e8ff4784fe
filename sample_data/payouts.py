"""Payouts (Stripe) and the bank deposits that record them (NetSuite), with the payout-level plants."""

from __future__ import annotations

from random import Random
from typing import NamedTuple

from tieout.sample_data.amounts import DEC
from tieout.sample_data.company import ENTITIES
from tieout.sample_data.ids import NewId
from tieout.sample_data.netsuite_objects import NetSuite
from tieout.sample_data.periods import DAY, PLANT_PERIOD, SNAPSHOT, date_of, period_of
from tieout.sample_data.plants import AnswerKey
from tieout.sample_data.stripe_objects import Stripe


class Settled(NamedTuple):
    """A charge or refund waiting for its payout."""

    txn: str  # Stripe balance transaction
    erp_id: str | None  # CustPymt / CustRfnd id, None when the ERP lacks it
    erp_amount: int  # what the ERP recorded (signed; refunds negative)
    fee: int
    net: int  # what Stripe pays out for it (signed)


class Payouts:
    """Groups settled charges and refunds into one payout per (arrival day, entity, currency)."""

    def __init__(self) -> None:
        self.pending: dict[tuple[int, str, str], list[Settled]] = {}

    def add(self, t: int, ent: str, cur: str, entry: Settled) -> None:
        """Settle ``entry`` (created at ``t``) in the payout that arrives two days later."""
        self.pending.setdefault((t // DAY + 2, ent, cur), []).append(entry)

    def write(self, stripe: Stripe, ns: NetSuite, new: NewId, prng: Random, key: AnswerKey) -> None:
        """Emit payouts and deposits; ~3% of October payouts get a fee plant, ~3% a sum plant (>= 1 each)."""
        pkeys = sorted(self.pending)
        oct_payouts = [i for i, (day, _, _) in enumerate(pkeys) if period_of(day * DAY) == PLANT_PERIOD]
        n_po_plants = max(1, len(oct_payouts) // 30)
        chosen = prng.sample(oct_payouts, min(len(oct_payouts), 2 * n_po_plants))
        fee_plants = set(chosen[:n_po_plants])
        sum_plants = set(chosen[n_po_plants:])
        # no draw of the stream (the roll-forward plants come next): the first unplanted October payout fails,
        # the last one is deposited in the next month (in transit at month end)
        clean = [i for i in oct_payouts if i not in fee_plants | sum_plants]
        failed, late = (clean[0], clean[-1]) if len(clean) >= 2 else (None, None)
        for i, pk in enumerate(pkeys):
            day, ent, cur = pk
            entries = self.pending[pk]
            d = DEC[cur]
            po, potxn = new("po"), new("txn")
            amount = sum(e.net for e in entries)
            arrival = day * DAY
            status = "failed" if i == failed else "paid" if arrival < SNAPSHOT else "in_transit"
            stripe.payout(po, potxn, ent, cur, amount, arrival, status, [e.txn for e in entries])
            dep = ns.next_tid()
            lines = [(e.erp_amount, "Undeposited Funds", e.erp_id) for e in entries if e.erp_id is not None]
            fee_line = -sum(e.fee for e in entries)
            fee_delta = 0
            if i in fee_plants:
                fee_delta = 1 + prng.randrange(500 if cur != "jpy" else 50)
                fee_line -= fee_delta
            lines.append((fee_line, "Merchant Fees", None))
            clearing = amount - sum(x[0] for x in lines)
            if clearing:  # a payment/refund the ERP lacks or has at another amount
                lines.append((clearing, "Stripe Clearing", None))
            sum_delta = 0
            if i in sum_plants:
                sum_delta = 1 + prng.randrange(10000 if cur != "jpy" else 1000)
                lines.append((sum_delta, "Bank Adjustments", None))
            total = sum(x[0] for x in lines)
            deposited = arrival + 3 * DAY if i == late else arrival
            ns.txn(dep, f"DEP{dep}", "Deposit", po, None, date_of(deposited), ENTITIES[ent]["subsidiary"],
                   cur.upper(), d(total), None, None, "STRIPE PAYOUT")
            for n, (a, acct, src) in enumerate(lines, 1):
                ns.line(dep, n, None, None, d(a), None, acct, src, None)
            if fee_delta:
                key.add("payment", "fee_mismatch", [po], [dep], object="payout", amount=fee_delta, currency=cur,
                        period=period_of(arrival))
            if i == failed:
                key.add("payment", "payout_failed", [po], [dep], object="payout", amount=total, currency=cur,
                        period=period_of(arrival))
            if i == late:
                key.add("payment", "in_transit", [po], [dep], object="payout", amount=amount, currency=cur,
                        period=period_of(arrival))
            if sum_delta:
                key.add("payment", "payout_sum_mismatch", [po], [dep], object="payout", amount=sum_delta,
                        currency=cur, period=period_of(arrival))
