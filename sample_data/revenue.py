"""Ratable revenue: the allocation rule both sides use, NetSuite revenue plan lines, the deferred roll-forward."""

from __future__ import annotations

from random import Random

from tieout.sample_data.amounts import DEC
from tieout.sample_data.company import ENTITIES, Customer
from tieout.sample_data.periods import DAY, MONTHS, PERIOD_IDS, PERIODS, PLANT_PERIOD
from tieout.sample_data.plants import AnswerKey
from tieout.sample_data.stripe_objects import LineInfo
from tieout.sample_data.writer import Emit

PlanLine = tuple[str, str, int]  # (revenueplanline id, period, amount)


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


def plant_amounts(alloc: list[tuple[str, int]], net: int, plant: str | None) -> list[int]:
    """The ERP plan amounts of a line: the allocation, or a planted revenue break on it."""
    amounts = [a for _, a in alloc]
    if plant == "period_amount_mismatch":  # move 10% of October to an adjacent month
        io = [p for p, _ in alloc].index(PLANT_PERIOD)
        other = io + 1 if io + 1 < len(alloc) else io - 1
        delta = max(1, amounts[io] // 10)
        amounts[io] -= delta
        amounts[other] += delta
    elif plant == "schedule_total_mismatch":  # October inflated by 5% of net
        io = [p for p, _ in alloc].index(PLANT_PERIOD)
        amounts[io] += max(1, net // 20)
    return amounts


class Revenue:
    """Accumulates the billing-side roll-forward and emits NetSuite revenue plan lines."""

    def __init__(self, emit: Emit):
        self.emit = emit
        self.rf: dict[tuple[str, str, str, str], int] = {}  # (ent, cur, period, "billed"|"recognized") -> minor
        self.plan_seq = 0
        self.planline_seq = 0

    def schedule(self, c: Customer, info: list[LineInfo], ps: int, pe: int, period: str, erp_tid: str | None,
                 plant: str | None = None) -> list[tuple[str, list[PlanLine]]]:
        """Add the lines to the roll-forward; emit their plan lines unless the ERP has no invoice.

        ``plant`` (a revenue kind) applies to the first line. Returns (il, plan lines) per line.
        """
        ent, cur, rf, emit = c.entity, c.cur, self.rf, self.emit
        d = DEC[cur]
        planline_seq = self.planline_seq  # a local in the hot loop; stored back below
        res: list[tuple[str, list[PlanLine]]] = []
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
            amounts = plant_amounts(alloc, net, plant if j == 0 else None)
            self.plan_seq += 1
            plan = str(self.plan_seq + 40000)
            ids = []
            for (p, _), a in zip(alloc, amounts):
                planline_seq += 1
                pl = str(planline_seq + 7000000)
                ids.append((pl, p, a))
                emit("netsuite/revenueplanline", {"id": pl, "revenueplan": plan, "custcol_stripe_line_id": il,
                                                  "sourcetransaction": erp_tid, "item": item, "period": p,
                                                  "postingperiod": PERIOD_IDS[p], "amount": d(a),
                                                  "currency": c.cur_code, "subsidiary": c.subsidiary})
            res.append((il, ids))
        self.planline_seq = planline_seq
        return res

    def write_rollforward(self, prng: Random, key: AnswerKey) -> None:
        """GL balance of "Deferred Revenue" per subsidiary, currency and period; one October row is off."""
        rf = self.rf
        combos = sorted({(e, cu) for (e, cu, _, _) in rf})
        rf_plant = combos[prng.randrange(len(combos))] if combos else None
        rid = 0
        for ent, cu in combos:
            d = DEC[cu]
            opening = 0
            for p in PERIODS:
                billed = rf.get((ent, cu, p, "billed"), 0)
                recog = rf.get((ent, cu, p, "recognized"), 0)
                delta = 0
                if p == PLANT_PERIOD and (ent, cu) == rf_plant:
                    delta = 1 + prng.randrange(100000 if cu != "jpy" else 1000)
                recog_erp = recog + delta
                closing = opening + billed - recog_erp
                rid += 1
                row_id = str(900 + rid)
                self.emit("netsuite/deferredrevenuebalance", {
                    "id": row_id, "subsidiary": ENTITIES[ent]["subsidiary"], "currency": cu.upper(), "period": p,
                    "postingperiod": PERIOD_IDS[p], "account": "Deferred Revenue", "opening": d(opening),
                    "billed": d(billed), "recognized": d(recog_erp), "closing": d(closing)})
                if delta:
                    key.add("revenue", "rollforward_difference", [], [row_id], object="deferred_revenue_balance",
                            entity=ent, currency=cu, amount=delta)
                opening = closing
