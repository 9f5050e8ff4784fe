"""Invoices and credit notes: billing documents against ERP invoices and credit memos.

The normalised frame has one row per document, both sides, with the column
names the rules speak (``ref``, ``number``, ``customer``, ``amount``, ``date`` ...).
Scope: documents posted in the period, plus their counterparts posted in
another period (linked by the ERP externalid), so a period mismatch is seen as
such and not as two missing records.

Amount at stake: the difference for amount/tax mismatches (amounts compare net
of tax, so an ERP invoice whose tax is off is a tax mismatch only), the billing
total for currency/status/customer/period mismatches, the record's own total
for a missing or duplicate record.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from tieout.reconcile.domains import register
from tieout.reconcile.domains.base import Domain, KindSpec
from tieout.storage import readers

FRAME_COLUMNS = ["rid", "side", "object_type", "key", "ref", "number", "customer", "currency", "entity",
                 "amount", "tax", "status", "date", "period"]
_TYPES = {"object_type": pl.String, "side": pl.String, "key": pl.String, "ref": pl.String, "number": pl.String,
          "customer": pl.String, "currency": pl.String, "entity": pl.String, "amount": pl.Int64, "tax": pl.Int64,
          "status": pl.String, "date": pl.String, "period": pl.String}


class DocumentDomain(Domain):
    """A domain of documents (total, tax, status, customer, posting period) in canonical document tables."""

    def load(self, db_path: Path, period: str, entity: str | None) -> pl.DataFrame:
        """Billing and ERP documents in scope, normalised, with a row id ``rid``."""
        frames = []
        for table, object_type in self.tables.items():
            def typed(frame: pl.DataFrame, side: str, object_type: str = object_type) -> pl.DataFrame:
                return _complete(frame, side, object_type, period)

            billing = typed(readers.documents_in_period(db_path, table, "billing", period, entity), "billing")
            erp = typed(readers.documents_in_period(db_path, table, "erp", period, entity), "erp")
            keys, refs = billing.select(pl.col("key").alias("id")), erp.select(pl.col("ref").alias("id")).drop_nulls()
            lost_billing = refs.join(keys, on="id", how="anti")["id"].unique().sort().to_list()
            lost_erp = keys.join(refs, on="id", how="anti")["id"].sort().to_list()
            frames += [billing, erp]
            if lost_billing:
                frames.append(typed(readers.billing_documents_by_id(db_path, table, lost_billing, period, entity),
                                    "billing"))
            if lost_erp:
                frames.append(typed(readers.erp_documents_by_ref(db_path, table, lost_erp, period, entity), "erp"))
        return normalise(pl.concat(frames, how="vertical"))


def _complete(frame: pl.DataFrame, side: str, object_type: str, period: str) -> pl.DataFrame:
    """Add the constant columns and give every column its type (an empty ADBC result has Null types)."""
    frame = frame.with_columns(pl.lit(side).alias("side"), pl.lit(object_type).alias("object_type"))
    if "ref" not in frame.columns:
        frame = frame.with_columns(pl.col("key").alias("ref"))
    if "period" not in frame.columns:
        frame = frame.with_columns(pl.lit(period).alias("period"))
    return frame.select(pl.col(name).cast(dtype) for name, dtype in _TYPES.items())


def normalise(frame: pl.DataFrame) -> pl.DataFrame:
    """Types, credit-note status folding and row ids (also used by tests and the benchmark).

    No sort: the engine's choices never depend on row order (ties break on
    external ids), so the 2M-string sort a 1M-invoice period would cost is
    not needed for reproducible results.
    """
    frame = frame.with_columns(
        pl.col("amount").cast(pl.Int64),
        pl.col("tax").cast(pl.Int64),
        pl.col("currency").str.to_uppercase(),
        pl.col("date").cast(pl.String).str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False),
        # credit notes only differ in whether they are void (issued/open/applied are one state)
        pl.when((pl.col("object_type") == "credit_note") & (pl.col("status") != "void"))
        .then(pl.lit("issued")).otherwise(pl.col("status")).alias("status"),
    )
    return frame.with_row_index("rid").with_columns(pl.col("rid").cast(pl.Int64)).select(FRAME_COLUMNS)


QUEUE_COLUMNS = ("kind", "status", "currency", "amount", "billing_amount", "erp_amount", "billing_ids", "erp_ids",
                 "entity", "assignee", "period")
WORKPAPER_COLUMNS = (
    "id", "object_type", "kind", "status", "period", "entity", "currency", "billing_amount", "erp_amount",
    "amount", "difference", "items", "billing_ids", "erp_ids", "customer", "rule", "reason", "note", "assignee",
    "opened_at", "updated_at", "resolved_at",
)

INVOICE = register(DocumentDomain(
    name="invoice",
    title="Invoices",
    tables={"invoice": "invoice", "credit_note": "credit_note"},
    # pair kinds in the order they claim a pair's records on the workpaper, then the leftovers
    kinds=(
        KindSpec("currency_mismatch", "billing_total", field="currency"),
        KindSpec("amount_mismatch", "difference", field="amount"),
        KindSpec("tax_mismatch", "difference", field="tax"),
        KindSpec("status_mismatch", "billing_total", field="status", reconciling=False),
        KindSpec("customer_mismatch", "billing_total", field="customer", reconciling=False),
        KindSpec("period_mismatch", "billing_total", field="period"),
        KindSpec("missing_in_erp", "record_total"),
        KindSpec("missing_in_billing", "record_total"),
        KindSpec("duplicate_in_billing", "record_total"),
        KindSpec("duplicate_in_erp", "record_total"),
        KindSpec("ambiguous", "record_total"),
    ),
    key_fields=frozenset({"ref", "number", "customer", "currency", "entity"}),
    compare_fields=("currency", "amount", "tax", "status", "customer", "period"),
    duplicate_fields=frozenset({"ref", "number", "customer", "currency", "entity", "amount", "date"}),
    queue_columns=QUEUE_COLUMNS,
    workpaper_columns=WORKPAPER_COLUMNS,
))
