"""Payouts against ERP bank deposits, proven line by line.

A payout is paired with one deposit by external id, else by entity +
currency + exact amount within an arrival-date window (``[payment.payouts]
arrival_days``).  Each payout row carries the terms of its proof, summed
from its balance transactions::

    gross − refunds − disputes − fees ± adjustments = net = payout = deposit

and each deposit row the same terms from its lines (payment lines, the fee
line, other lines), so the checks are plain column comparisons:

- ``payout_sum_mismatch``: the deposit total is not the payout amount, or
  the payout's transactions do not add up to it;
- ``fee_mismatch``: the deposit's fee line is not the payout's fees;
- ``payout_item_missing``: a transaction the ERP has a payment for is not on
  the deposit, or the deposit holds a payment of a transaction not in the payout;
- ``payout_failed``: the payout failed but the ERP deposited it;
- ``in_transit``: paid out in the period, deposited in a later one (or not yet);
- ``payout_missing_in_erp`` / ``deposit_missing_in_billing``.

A manual or instant payout lists no transactions: only its total is checked.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl

from tieout.reconcile.domains.base import Outcome
from tieout.reconcile.domains.pairs import (BreakRows, breaks_frame, flagged_rows, lone_rows, match_rows,
                                            pair_columns, unpaired)
from tieout.reconcile.engine import pair_records
from tieout.reconcile.rules import DomainRules, Pass, Tolerance
from tieout.storage import readers
from tieout.storage.money import format_amount

PAYOUT_COLUMNS: dict[str, pl.DataType] = {
    "fee": pl.Int64, "gross": pl.Int64, "refunds": pl.Int64, "disputes": pl.Int64, "adjustments": pl.Int64,
    "items_net": pl.Int64, "n_items": pl.Int64, "items": pl.List(pl.String), "item_amounts": pl.List(pl.Int64),
}
"""Proof terms of a payout (from its balance transactions) or a deposit (from its lines), and the billing
ids of the transactions it should hold on the other side, with their amounts."""
PROOF_TERMS = ("gross", "refunds", "disputes", "fees", "adjustments", "net", "payout", "deposit", "deposit_fee")
GROSS_TYPES = ("charge", "payment")
REFUND_TYPES = ("refund", "payment_refund", "refund_failure")
DISPUTE_TYPES = ("dispute", "dispute_reversal")
IN_TRANSIT = ("in_transit", "pending")


def load(db_path: Path, records: pl.DataFrame) -> pl.DataFrame:
    """Payout and deposit rows with their proof terms (``records``: both sides from :func:`readers.payouts`)."""
    billing = records.filter(pl.col("side") == "billing")
    erp = records.filter(pl.col("side") == "erp")
    items = readers.payout_items(db_path, billing["key"].to_list()) if billing.height else pl.DataFrame(
        schema=readers.PAYOUT_ITEM_SCHEMA)
    lines = readers.deposit_lines(db_path, erp["key"].to_list()) if erp.height else pl.DataFrame(
        schema=readers.DEPOSIT_LINE_SCHEMA)
    return pl.concat([billing.join(payout_terms(items), on="key", how="left"),
                      erp.join(deposit_terms(lines), on="key", how="left")], how="diagonal_relaxed"
                     ).with_columns(pl.lit("payout").alias("object_type"))


def payout_terms(items: pl.DataFrame) -> pl.DataFrame:
    """Per payout (``key``): the proof terms summed from its balance transactions."""
    t = pl.col("type")
    dispute = t.is_in(DISPUTE_TYPES) | ((t == "adjustment") & pl.col("source").str.starts_with("d"))
    settled = t.is_in(GROSS_TYPES + REFUND_TYPES) & pl.col("in_erp")
    return items.group_by(pl.col("payout").alias("key")).agg(
        pl.col("amount").filter(t.is_in(GROSS_TYPES)).sum().alias("gross"),
        (-pl.col("amount").filter(t.is_in(REFUND_TYPES))).sum().alias("refunds"),
        (-pl.col("amount").filter(dispute)).sum().alias("disputes"),
        pl.col("amount").filter(~t.is_in(GROSS_TYPES + REFUND_TYPES) & ~dispute).sum().alias("adjustments"),
        pl.col("fee").sum().alias("fee"),
        pl.col("net").sum().alias("items_net"),
        pl.len().cast(pl.Int64).alias("n_items"),
        pl.col("source").filter(settled).alias("items"),
        pl.col("amount").filter(settled).alias("item_amounts"),
    )


def deposit_terms(lines: pl.DataFrame) -> pl.DataFrame:
    """Per deposit (``key``): the proof terms from its lines (fees as the positive fee-line amount)."""
    k, a = pl.col("kind"), pl.col("amount")
    paid = k == "payment"
    return lines.group_by(pl.col("deposit").alias("key")).agg(
        a.filter(paid & (a > 0)).sum().alias("gross"),
        (-a.filter(paid & (a < 0))).sum().alias("refunds"),
        pl.lit(0, pl.Int64).alias("disputes"),
        a.filter(~paid & (k != "fee")).sum().alias("adjustments"),
        (-a.filter(k == "fee")).sum().alias("fee"),
        a.sum().alias("items_net"),
        pl.len().cast(pl.Int64).alias("n_items"),
        pl.col("billing_ref").filter(paid & pl.col("billing_ref").is_not_null()).alias("items"),
        a.filter(paid & pl.col("billing_ref").is_not_null()).alias("item_amounts"),
    )


def _rules(rules: DomainRules) -> DomainRules:
    """Payout passes: external id, then entity + currency + exact amount within the arrival window."""
    days = int(rules.options.get("payouts", {}).get("arrival_days", 3))
    return DomainRules(passes=(Pass("payout_id", ("ref",)),
                               Pass("payout_amount_arrival", ("entity", "currency"), Tolerance(), date_days=days)),
                       compare_fields=())


def _proof(suffix_payout: str = "", deposit: str | None = "_e") -> pl.Expr:
    """The proof terms as a struct (JSON in a break's details under ``proof``)."""
    p = suffix_payout
    return pl.struct(
        gross=pl.col(f"gross{p}"), refunds=pl.col(f"refunds{p}"), disputes=pl.col(f"disputes{p}"),
        fees=pl.col(f"fee{p}"), adjustments=pl.col(f"adjustments{p}"), net=pl.col(f"items_net{p}"),
        payout=pl.col(f"amount{p}"),
        deposit=pl.col(f"amount{deposit}") if deposit is not None else pl.lit(None, pl.Int64),
        deposit_fee=pl.col(f"fee{deposit}") if deposit is not None else pl.lit(None, pl.Int64),
    )


def reconcile(frame: pl.DataFrame, rules: DomainRules, domain: str) -> Outcome:
    """Pair payouts with deposits, then prove each pair and name what is left."""
    pairing = pair_records(frame, _rules(rules))
    j = pair_columns(frame, pairing.pairs)
    found = BreakRows(domain)
    failed = (pl.col("status") == "failed").fill_null(False)
    listed = pl.col("n_items").fill_null(0) > 0
    proof = {"proof": _proof()}
    found.add(j.filter(failed), "payout_failed", pl.col("amount_e"), proof)
    live = j.filter(~failed)
    found.add(live.filter(pl.col("period_e") > pl.col("period")), "in_transit", pl.col("amount"), proof)
    total_off = pl.col("amount_e") != pl.col("amount")
    items_off = listed & (pl.col("items_net") != pl.col("amount"))
    found.add(live.filter(total_off | items_off), "payout_sum_mismatch",
              pl.when(total_off).then(pl.col("amount_e") - pl.col("amount"))
              .otherwise(pl.col("items_net") - pl.col("amount")).abs(), proof)
    found.add(live.filter(listed & (pl.col("fee_e").fill_null(0) != pl.col("fee"))), "fee_mismatch",
              (pl.col("fee_e").fill_null(0) - pl.col("fee")).abs(), proof)
    found.extend([_items_missing(live.filter(listed & (pl.col("n_items_e").fill_null(0) > 0)))])

    left = unpaired(frame, pairing)
    payouts, deposits = left.filter(pl.col("side") == "billing"), left.filter(pl.col("side") == "erp")
    alone = _proof("", None).struct.json_encode()
    status = pl.col("status").fill_null("")
    found.extend([
        *flagged_rows(frame, pairing),
        lone_rows(payouts.filter(status.is_in(IN_TRANSIT)), "in_transit", details=pl.format('{{"proof": {}}}', alone)),
        lone_rows(payouts.filter(~status.is_in(IN_TRANSIT) & (status != "failed")), "payout_missing_in_erp",
                  details=pl.format('{{"proof": {}}}', alone)),
        lone_rows(payouts.filter(listed & (pl.col("items_net") != pl.col("amount"))), "payout_sum_mismatch",
                  stake=(pl.col("items_net") - pl.col("amount")).abs(), details=pl.format('{{"proof": {}}}', alone)),
        lone_rows(deposits, "deposit_missing_in_billing"),
    ])
    return Outcome(matches=match_rows(j, domain), breaks=breaks_frame(found.rows, domain))


def _items_missing(j: pl.DataFrame) -> pl.DataFrame:
    """payout_item_missing per pair whose deposit lines and payout transactions hold different payments."""
    rows: list[dict[str, Any]] = []
    for r in j.iter_rows(named=True):
        on_payout = dict(zip(r["items"] or [], r["item_amounts"] or []))
        on_deposit = dict(zip(r["items_e"] or [], r["item_amounts_e"] or []))
        absent = sorted(set(on_payout) - set(on_deposit))
        extra = sorted(set(on_deposit) - set(on_payout))
        if not (absent or extra):
            continue
        stake = sum(abs(on_payout[i]) for i in absent) + sum(abs(on_deposit[i]) for i in extra)
        rows.append({"kind": "payout_item_missing", "object_type": "payout", "period": r["period"],
                     "entity": r["entity"], "currency": r["currency"], "amount": stake,
                     "billing_amount": r["amount"], "erp_amount": r["amount_e"], "billing_ids": [r["key"]],
                     "erp_ids": [r["key_e"]], "rule": r["rule"],
                     "details": json.dumps({"not_on_deposit": absent, "not_in_payout": extra})})
    return pl.DataFrame(rows) if rows else pl.DataFrame()


def proof_line(proof: dict[str, Any], currency: str | None) -> str:
    """``gross − refunds − disputes − fees ± adjustments = net = payout = deposit``, each term from the data,
    and what is left over between net, payout and deposit named."""
    def money(value: Any) -> str:
        return "—" if value is None else (format_amount(int(value), currency) if currency else str(value))

    adj = proof.get("adjustments") or 0
    line = (f"gross {money(proof.get('gross'))} − refunds {money(proof.get('refunds'))} − disputes "
            f"{money(proof.get('disputes'))} − fees {money(proof.get('fees'))} {'+' if adj >= 0 else '−'} "
            f"adjustments {money(abs(adj))} = net {money(proof.get('net'))} = payout {money(proof.get('payout'))}"
            f" = deposit {money(proof.get('deposit'))}")
    left = []
    net, payout, deposit = proof.get("net"), proof.get("payout"), proof.get("deposit")
    if net is not None and payout is not None and net != payout:
        left.append(f"net − payout {money(net - payout)}")
    if deposit is not None and payout is not None and deposit != payout:
        left.append(f"deposit − payout {money(deposit - payout)}")
    if proof.get("deposit_fee") is not None and proof.get("fees") is not None and proof["deposit_fee"] != proof["fees"]:
        left.append(f"deposit fee line {money(proof['deposit_fee'])} vs fees {money(proof['fees'])}")
    return line + (f"  (left over: {'; '.join(left)})" if left else "  (ties)")
