"""Payments: billing charges and refunds against ERP customer payments and refunds, payouts against deposits.

One normalised frame holds both record families (``object_type`` charge,
refund, payout).  Charges and refunds pair through the ruleset's
``[[payment.passes]]`` (external id, then customer + currency + amount +
date window), then each pair is compared: currency, amount, customer, date
and the invoices it is applied to (billing from invoice payments, ERP from
payment applications), and an ERP payment is checked against its own
applications (un-, partially or over-applied).  Charges and receipts
left over are grouped without ids in :mod:`.payment_groups` (one receipt
for several charges, or the reverse).  Payouts pair with bank deposits in
:mod:`.payout` and are proven there line by line.

Amount at stake: the difference for amount, application and fee kinds, the
billing amount for currency/customer/date/wrong-invoice kinds, the lone
record's amount for a missing one.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from tieout.reconcile.domains import register
from tieout.reconcile.domains.base import Domain, KindSpec, Outcome
from tieout.reconcile.domains import payout
from tieout.reconcile.domains.pairs import BreakRows, breaks_frame, leftover_rows, match_rows, pair_columns, unpaired
from tieout.reconcile.domains.payment_groups import GroupRules, group_matches, group_records
from tieout.reconcile.engine import pair_records, within
from tieout.reconcile.rules import DomainRules
from tieout.storage import readers

CASH_TYPES = ("charge", "refund")
FRAME_SCHEMA: dict[str, pl.DataType] = {
    "rid": pl.Int64, "side": pl.String, "object_type": pl.String, "key": pl.String, "ref": pl.String,
    "customer": pl.String, "currency": pl.String, "entity": pl.String, "amount": pl.Int64, "date": pl.Date,
    "period": pl.String, "status": pl.String,
    "invoices": pl.List(pl.String), "applied": pl.Int64,  # payments: invoices applied to, and how much
    **payout.PAYOUT_COLUMNS,
}
_OBJECT_TYPE = {"charge": "charge", "payment": "charge", "refund": "refund"}


class PaymentDomain(Domain):
    """Cash: payments and refunds, payouts and deposits (see the module docstring)."""

    def load(self, db_path: Path, period: str, entity: str | None) -> pl.DataFrame:
        """Payments and payouts of the period on both sides, plus their counterparts posted in another period."""
        cash = _with_counterparts(readers.payments, db_path, period, entity)
        cash = _applied(db_path, cash)
        payouts = payout.load(db_path, _with_counterparts(readers.payouts, db_path, period, entity))
        return normalise(pl.concat([cash, payouts], how="diagonal_relaxed"))

    def reconcile(self, frame: pl.DataFrame, rules: DomainRules) -> Outcome:
        """Pair and compare payments, then payouts (whose item check needs nothing from the payment pairs)."""
        cash = _subframe(frame, pl.col("object_type").is_in(CASH_TYPES))
        outcomes = [reconcile_payments(cash, rules, self.name),
                    payout.reconcile(_subframe(frame, pl.col("object_type") == "payout"), rules, self.name)]
        return Outcome(matches=pl.concat([o.matches for o in outcomes]),
                       breaks=pl.concat([o.breaks for o in outcomes]))

    def totals(self, db_path: Path, period: str, entity: str | None) -> pl.DataFrame:
        """side, currency, n, total: payments (refunds negative), payouts and deposits of the period."""
        return (self.population(db_path, period, entity).group_by("side", "currency")
                .agg(pl.len().cast(pl.Int64).alias("n"), pl.col("total").sum().cast(pl.Int64)))

    def population(self, db_path: Path, period: str, entity: str | None) -> pl.DataFrame:
        return readers.cash_population(db_path, period, entity)


def _with_counterparts(read, db_path: Path, period: str, entity: str | None) -> pl.DataFrame:
    """Both sides' records of ``period`` (``read`` is a reader of one side), then the other side's records
    they name that were posted in another period, so a period difference is not two missing records."""
    billing = read(db_path, "billing", period, entity).with_columns(pl.lit("billing").alias("side"))
    erp = read(db_path, "erp", period, entity).with_columns(pl.lit("erp").alias("side"))
    refs = erp["ref"].drop_nulls()
    lost_billing = refs.filter(~refs.is_in(billing["key"].implode())).unique().sort().to_list()
    lost_erp = billing["key"].filter(~billing["key"].is_in(refs.implode())).sort().to_list()
    frames = [billing, erp]
    if lost_billing:
        frames.append(read(db_path, "billing", period, entity, lookup="external_id", ids=lost_billing)
                      .with_columns(pl.lit("billing").alias("side")))
    if lost_erp:
        frames.append(read(db_path, "erp", period, entity, lookup="counterpart_ref", ids=lost_erp)
                      .with_columns(pl.lit("erp").alias("side")))
    return pl.concat(frames)


def _applied(db_path: Path, cash: pl.DataFrame) -> pl.DataFrame:
    """Add ``invoices`` (billing invoice ids applied to, sorted) and ``applied`` (their total) per payment.

    A billing charge finds its invoice payments through ``ref`` (its payment intent) or its own id, else
    uses its own ``invoice_ref`` (a file source); an ERP payment through its payment applications.
    """
    is_b, paying = pl.col("side") == "billing", pl.col("kind") != "refund"
    cash = cash.with_columns(pl.when(is_b).then(pl.coalesce("ref", "key")).otherwise(pl.col("key")).alias("link"))
    parts = []
    for side in ("billing", "erp"):
        links = cash.filter((pl.col("side") == side) & paying)["link"].unique().sort().to_list()
        apps = readers.payment_applications(db_path, side, links) if links else pl.DataFrame(
            schema=readers.APPLICATION_SCHEMA)
        parts.append(apps.rename({"key": "link"}).with_columns(pl.lit(side).alias("side")))
    own = cash.filter(is_b & paying & pl.col("invoice_ref").is_not_null()).select(
        "side", "link", pl.col("invoice_ref").alias("invoice"), pl.col("amount"))
    apps = pl.concat([*parts, own.join(parts[0], on=["side", "link"], how="anti")], how="diagonal_relaxed")
    by_link = apps.group_by("side", "link").agg(pl.col("invoice").unique().sort().alias("invoices"),
                                                pl.col("amount").sum().alias("applied"))
    return (cash.join(by_link, on=["side", "link"], how="left")
            .with_columns(pl.col("kind").replace_strict(_OBJECT_TYPE, default=pl.col("kind")).alias("object_type"))
            .drop("kind", "link", "invoice_ref"))


def normalise(frame: pl.DataFrame) -> pl.DataFrame:
    """Every column typed, billing refs filled with the billing id, row ids (also used by tests and the bench)."""
    missing = [pl.lit(None, dtype).alias(name) for name, dtype in FRAME_SCHEMA.items()
               if name not in frame.columns and name != "rid"]
    frame = frame.with_columns(missing).with_columns(
        pl.when(pl.col("side") == "billing").then(pl.col("key")).otherwise(pl.col("ref")).alias("ref"),
        pl.col("currency").str.to_uppercase(),
        pl.col("date").cast(pl.String).str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False),
    )
    frame = frame.with_row_index("rid").with_columns(pl.col("rid").cast(pl.Int64))
    return frame.select(pl.col(name).cast(dtype) for name, dtype in FRAME_SCHEMA.items())


def _subframe(frame: pl.DataFrame, which: pl.Expr) -> pl.DataFrame:
    """Some rows with fresh row ids (the engine's ``rid`` is the row position)."""
    return frame.filter(which).drop("rid").with_row_index("rid").with_columns(pl.col("rid").cast(pl.Int64))


# ------------------------------------------------------------------ payments and refunds


def reconcile_payments(cash: pl.DataFrame, rules: DomainRules, domain: str) -> Outcome:
    """Pair charges and refunds by the rules' passes, then compare each pair and name what is left."""
    pairing = pair_records(cash, rules)
    grouping = GroupRules.parse(rules.options)
    if grouping is not None:
        pairing = group_records(cash, pairing, unpaired(cash, pairing), grouping)
    j = pair_columns(cash, pairing.pairs)
    window = int(rules.options.get("dates", {}).get("window_days", 3))
    tol = rules.compare_tolerance
    compared = set(rules.compare_fields)
    same_cur = pl.col("currency") == pl.col("currency_e")
    diff = pl.col("amount") - pl.col("amount_e")
    is_charge = pl.col("object_type") == "charge"
    applied = pl.col("applied_e").fill_null(0)
    found = BreakRows(domain)
    checks: list[tuple[str, pl.Expr, pl.Expr, dict[str, pl.Expr]]] = [
        ("currency_mismatch", ~same_cur, pl.col("amount"), {"currency": pl.concat_list("currency", "currency_e")}),
        ("amount_mismatch", same_cur & ~within(diff, pl.col("amount"), tol), diff.abs(),
         {"amount": pl.concat_list("amount", "amount_e")}),
        ("customer_mismatch", pl.col("customer") != pl.col("customer_e"), pl.col("amount"),
         {"customer": pl.concat_list("customer", "customer_e")}),
        ("date_mismatch", (pl.col("date") - pl.col("date_e")).dt.total_days().abs() > window, pl.col("amount"),
         {"date": pl.concat_list(pl.col("date").cast(pl.String), pl.col("date_e").cast(pl.String))}),
        ("wrong_invoice", is_charge & (pl.col("invoices").list.len() > 0) & (pl.col("invoices_e").list.len() > 0)
         & (pl.col("invoices").list.join(",") != pl.col("invoices_e").list.join(",")), pl.col("amount"),
         {"billing_invoices": pl.col("invoices"), "erp_invoices": pl.col("invoices_e")}),
    ]
    field_of = {"currency_mismatch": "currency", "amount_mismatch": "amount", "customer_mismatch": "customer",
                "date_mismatch": "date", "wrong_invoice": "invoices"}
    for kind, hit, stake, details in checks:
        if field_of[kind] in compared:
            found.add(j.filter(hit.fill_null(False)), kind, stake, details)
    if "applications" in compared:
        app_details = {"erp_amount": pl.col("amount_e"), "applied": applied}
        found.add(j.filter(is_charge & (applied == 0)), "unapplied", pl.col("amount_e"), app_details)
        found.add(j.filter(is_charge & (applied > 0) & (applied < pl.col("amount_e"))), "partially_applied",
                  pl.col("amount_e") - applied, app_details)
        found.add(j.filter(is_charge & (applied > pl.col("amount_e"))), "over_applied",
                  applied - pl.col("amount_e"), app_details)
    found.extend(leftover_rows(cash, pairing, domain))
    return Outcome(matches=pl.concat([match_rows(j, domain), group_matches(cash, pairing.groups, domain)]),
                   breaks=breaks_frame(found.rows, domain))


KINDS = (
    KindSpec("currency_mismatch", "billing_total", field="currency"),
    KindSpec("amount_mismatch", "difference", field="amount"),
    KindSpec("wrong_invoice", "billing_total", field="invoices", reconciling=False),
    KindSpec("customer_mismatch", "billing_total", field="customer", reconciling=False),
    KindSpec("date_mismatch", "billing_total", field="date", reconciling=False),
    KindSpec("unapplied", "record_total", reconciling=False),
    KindSpec("partially_applied", "difference", reconciling=False),
    KindSpec("over_applied", "difference", reconciling=False),
    KindSpec("fee_mismatch", "difference"),
    KindSpec("payout_sum_mismatch", "difference"),
    KindSpec("payout_item_missing", "difference"),
    KindSpec("payout_failed", "record_total"),
    KindSpec("in_transit", "record_total"),
    KindSpec("missing_in_erp", "record_total"),
    KindSpec("missing_in_billing", "record_total"),
    KindSpec("payout_missing_in_erp", "record_total"),
    KindSpec("deposit_missing_in_billing", "record_total"),
    KindSpec("ambiguous", "record_total"),
)
QUEUE_COLUMNS = ("kind", "object_type", "status", "currency", "amount", "billing_amount", "erp_amount",
                 "billing_ids", "erp_ids", "entity", "assignee", "period")
WORKPAPER_COLUMNS = (
    "id", "object_type", "kind", "status", "period", "entity", "currency", "billing_amount", "erp_amount",
    "amount", "difference", "items", "billing_ids", "erp_ids", "customer", "rule", "reason", "note", "assignee",
    "opened_at", "updated_at", "resolved_at",
)

PAYMENT = register(PaymentDomain(
    name="payment",
    title="Payments",
    tables={"payment": "payment", "payout": "payout", "bank_deposit": "bank_deposit"},
    kinds=KINDS,
    key_fields=frozenset({"ref", "customer", "currency", "entity"}),
    compare_fields=("currency", "amount", "customer", "date", "invoices", "applications"),
    duplicate_fields=frozenset(),
    queue_columns=QUEUE_COLUMNS,
    workpaper_columns=WORKPAPER_COLUMNS,
    rule_sections=frozenset({"dates", "payouts", "grouping"}),
    amount_field="amount",
))
