"""Bulk SELECTs that reconcile reads into polars: canonical records, totals, workpaper inputs.

reconcile shapes and matches what these return; it holds no SQL itself.
Every reader returns typed frames (an empty ADBC result has Null columns, so
each is cast to its schema here), money as Int64 minor units.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import polars as pl

from tieout.storage.db import read_frame
from tieout.storage.rawstore import read_version

ID_LIST = "(SELECT value FROM json_each(?))"
"""The ids as ONE JSON parameter: ADBC converts each bound parameter in Python (~0.1 ms each),
so 40k ids as separate parameters cost seconds; SQLite still probes the id index per value."""

DOCUMENT_COLUMNS = {"key": "external_id", "number": "number", "customer": "customer_billing_ref",
                    "currency": "currency", "entity": "entity", "amount": "total", "tax": "tax", "status": "status",
                    "date": "posting_date"}
"""Engine column -> canonical column, for document tables (invoice, credit_note)."""


def _entity(entity: str | None, column: str = "entity") -> tuple[str, list[Any]]:
    return (f" AND {column} = ?", [entity]) if entity else ("", [])


def _document_select(table: str, side: str, *, lookup: bool) -> str:
    """Columns of one side of a document table; side, object type and in-period period are added in polars.

    Fewer string columns is most of the read time.  For the by-id lookups a
    unary ``+`` keeps SQLite off the period index so it probes the id indexes.
    """
    cols = [f"{src} AS {name}" for name, src in DOCUMENT_COLUMNS.items()]
    if side == "erp":
        cols.append("counterpart_ref AS ref")
    if lookup:
        cols.append("posting_period AS period")
    plus = "+" if lookup else ""
    drafts = " AND status <> 'draft'" if side == "billing" else ""
    return f"SELECT {', '.join(cols)} FROM \"{table}\" WHERE {plus}side = '{side}'{drafts}"


def documents_in_period(db_path: Path, table: str, side: str, period: str, entity: str | None) -> pl.DataFrame:
    """One side's documents posted in ``period`` (billing drafts left out), engine column names."""
    ent, params = _entity(entity)
    return read_frame(db_path, f"{_document_select(table, side, lookup=False)} AND posting_period = ?{ent}",
                      [period, *params])


def billing_documents_by_id(db_path: Path, table: str, ids: list[str], outside: str,
                            entity: str | None) -> pl.DataFrame:
    """Billing documents with these external ids posted outside period ``outside`` (with their period)."""
    ent, params = _entity(entity)
    sql = (f"{_document_select(table, 'billing', lookup=True)} AND source_id IN "
           f"(SELECT id FROM source WHERE side = 'billing') AND +posting_period <> ?{ent} AND external_id IN {ID_LIST}")
    return read_frame(db_path, sql, [outside, *params, json.dumps(ids)])


def erp_documents_by_ref(db_path: Path, table: str, refs: list[str], outside: str,
                         entity: str | None) -> pl.DataFrame:
    """ERP documents whose billing reference is one of ``refs``, posted outside period ``outside``."""
    ent, params = _entity(entity)
    sql = (f"{_document_select(table, 'erp', lookup=True)} AND +posting_period <> ?{ent} "
           f"AND counterpart_ref IN {ID_LIST}")
    return read_frame(db_path, sql, [outside, *params, json.dumps(refs)])


def side_totals(db_path: Path, tables: tuple[str, ...], period: str, entity: str | None) -> pl.DataFrame:
    """side, currency, n, total of the period's documents in ``tables`` (billing drafts left out)."""
    ent, params = _entity(entity)
    union = " UNION ALL ".join(
        f"SELECT side, currency, total FROM \"{t}\" WHERE posting_period = ?{ent} "
        f"AND NOT (side = 'billing' AND status = 'draft')" for t in tables)
    frame = read_frame(db_path, f"SELECT side, currency, COUNT(*) AS n, SUM(total) AS total FROM ({union}) "
                                "GROUP BY side, currency", [v for _ in tables for v in (period, *params)])
    return frame.select(pl.col("side").cast(pl.String), pl.col("currency").cast(pl.String),
                        pl.col("n").cast(pl.Int64), pl.col("total").cast(pl.Int64))


POPULATION_SCHEMA = {"side": pl.String, "external_id": pl.String, "currency": pl.String, "total": pl.Int64,
                     "customer": pl.String}


def population(db_path: Path, tables: tuple[str, ...], period: str, entity: str | None) -> pl.DataFrame:
    """The period's records that the billing and ERP totals count (drafts excluded), with customer names."""
    ent, params = _entity(entity, "r.entity")
    sql = " UNION ALL ".join(
        f'SELECT r.side, r.external_id, r.currency, r.total, c.name AS customer FROM "{t}" r '
        "LEFT JOIN customer c ON c.source_id = r.source_id AND c.external_id = r.customer_ref "
        f"WHERE r.posting_period = ?{ent} AND NOT (r.side = 'billing' AND r.status = 'draft')" for t in tables)
    return read_frame(db_path, sql, [v for _ in tables for v in (period, *params)]).cast(
        POPULATION_SCHEMA)  # type: ignore[arg-type]


def record_with_lineage(conn: sqlite3.Connection, tables: tuple[str, ...], side: str,
                        external_id: str) -> tuple[str, dict[str, Any]] | None:
    """(table, row) of one canonical record with its raw payload (``_payload``, a dict) and lineage columns
    (``_source``, ``_hash`` ...)."""
    conn.row_factory = _dict_row
    try:
        for table in tables:
            row = conn.execute(
                f'SELECT t.*, s.name AS _source, s.kind AS _kind FROM "{table}" t '
                f"LEFT JOIN source s ON s.id = t.source_id WHERE t.side = ? AND t.external_id = ?",
                (side, external_id)).fetchone()
            if row:
                raw = read_version(conn, row["raw_record_id"]) if row["raw_record_id"] is not None else None
                row.update(_payload=raw and raw.payload, _version=raw and raw.version,
                           _hash=raw and raw.payload_hash, _fetched=raw and raw.fetched_at)
                return table, row
        return None
    finally:
        conn.row_factory = None


def _dict_row(cursor: Any, row: tuple[Any, ...]) -> dict[str, Any]:
    return {d[0]: v for d, v in zip(cursor.description, row, strict=True)}


# ------------------------------------------------------------------ payments domain

PAYMENT_SCHEMA = {"key": pl.String, "ref": pl.String, "kind": pl.String, "customer": pl.String,
                  "currency": pl.String, "entity": pl.String, "amount": pl.Int64, "status": pl.String,
                  "date": pl.String, "period": pl.String, "invoice_ref": pl.String}
APPLICATION_SCHEMA = {"key": pl.String, "invoice": pl.String, "amount": pl.Int64}
PAYOUT_SCHEMA = {"key": pl.String, "ref": pl.String, "currency": pl.String, "entity": pl.String,
                 "amount": pl.Int64, "status": pl.String, "date": pl.String, "period": pl.String}
PAYOUT_ITEM_SCHEMA = {"payout": pl.String, "type": pl.String, "source": pl.String, "amount": pl.Int64,
                      "fee": pl.Int64, "net": pl.Int64, "in_erp": pl.Boolean}
DEPOSIT_LINE_SCHEMA = {"deposit": pl.String, "kind": pl.String, "amount": pl.Int64, "billing_ref": pl.String}

_CASH_KINDS = {"billing": "('charge', 'refund')", "erp": "('payment', 'refund')"}


def _cash_scope(alias: str, period: str, entity: str | None, lookup: str | None,
                ids: list[str] | None) -> tuple[str, list[Any]]:
    """WHERE text selecting a cash table's rows in ``period``, or (``lookup`` column) those with these ids
    posted in another period."""
    ent, params = _entity(entity, f"{alias}.entity")
    if lookup is None:
        return f"{alias}.posting_period = ?{ent}", [period, *params]
    return f"+{alias}.posting_period <> ?{ent} AND {alias}.{lookup} IN {ID_LIST}", [period, *params, json.dumps(ids)]


def payments(db_path: Path, side: str, period: str, entity: str | None, *, lookup: str | None = None,
             ids: list[str] | None = None) -> pl.DataFrame:
    """One side's charges and refunds (billing) or customer payments and refunds (ERP) in ``period``, or,
    with ``lookup`` ("external_id" / "counterpart_ref") and ``ids``, those posted in another period.

    A billing refund names no customer: it takes its charge's.  ``ref`` is the ERP's billing id, or on the
    billing side the related object (a charge's payment intent, a refund's charge).
    """
    where, params = _cash_scope("p", period, entity, lookup, ids)
    customer = ("COALESCE(p.customer_billing_ref, (SELECT c.customer_billing_ref FROM payment c "
                "WHERE c.source_id = p.source_id AND c.external_id = p.counterpart_ref))"
                if side == "billing" else "p.customer_billing_ref")
    sql = (f"SELECT p.external_id AS key, p.counterpart_ref AS ref, p.kind, {customer} AS customer, p.currency, "
           "p.entity, p.amount, p.status, p.posting_date AS date, p.posting_period AS period, p.invoice_ref "
           "FROM payment p "
           f"WHERE p.side = '{side}' AND p.kind IN {_CASH_KINDS[side]} AND {where}")
    return read_frame(db_path, sql, params).cast(PAYMENT_SCHEMA)  # type: ignore[arg-type]


def payment_applications(db_path: Path, side: str, refs: list[str]) -> pl.DataFrame:
    """key, invoice, amount: the invoices payments are applied to, as billing invoice ids.

    Billing (``refs``: the charges' payment intents or ids, as the Stripe mapping keeps them in
    ``counterpart_ref``): through the invoice payments naming them; ``key`` is that ref.  ERP (``refs``: the
    payments' ids): payment applications, each invoice by its billing id when the ERP invoice has one.
    The id lists are probed through the indexed columns; the planner is kept off the period index (``+``).
    """
    if side == "billing":
        sql = (
            "WITH ip AS MATERIALIZED (SELECT source_id, external_id, counterpart_ref FROM payment "
            f"WHERE counterpart_ref IN {ID_LIST} AND +side = 'billing' AND +kind = 'payment') "
            "SELECT ip.counterpart_ref AS key, a.invoice_ref AS invoice, a.amount FROM payment_application a "
            "JOIN ip ON +a.source_id = ip.source_id AND a.payment_ref = ip.external_id")
    else:
        sql = (
            "SELECT a.payment_ref AS key, COALESCE(i.counterpart_ref, a.invoice_ref) AS invoice, a.amount "
            "FROM payment_application a "
            "LEFT JOIN invoice i ON i.source_id = a.source_id AND i.external_id = a.invoice_ref "
            f"WHERE a.side = 'erp' AND a.payment_ref IN {ID_LIST}")
    return read_frame(db_path, sql, [json.dumps(refs)]).cast(APPLICATION_SCHEMA)  # type: ignore[arg-type]


def payouts(db_path: Path, side: str, period: str, entity: str | None, *, lookup: str | None = None,
            ids: list[str] | None = None) -> pl.DataFrame:
    """Billing payouts (by arrival date) or ERP bank deposits (by posting date) of ``period``, or by ids."""
    table, date = ("payout", "arrival_date") if side == "billing" else ("bank_deposit", "posting_date")
    where, params = _cash_scope("p", period, entity, lookup, ids)
    status = "p.status" if side == "billing" else "NULL"
    sql = (f"SELECT p.external_id AS key, p.counterpart_ref AS ref, p.currency, p.entity, p.amount, "
           f"{status} AS status, p.{date} AS date, p.posting_period AS period FROM {table} p "
           f"WHERE p.side = '{side}' AND {where}")
    return read_frame(db_path, sql, params).cast(PAYOUT_SCHEMA)  # type: ignore[arg-type]


def payout_items(db_path: Path, payout_ids: list[str]) -> pl.DataFrame:
    """The balance transactions of these payouts (the payout's own transaction left out), each with whether
    the ERP has a payment or refund for its source (``in_erp``)."""
    sql = (
        "SELECT t.payout_ref AS payout, t.type, t.source_ref AS source, t.amount, t.fee, t.net, "
        "EXISTS (SELECT 1 FROM payment e WHERE e.counterpart_ref = t.source_ref AND +e.side = 'erp') AS in_erp "
        f"FROM payout_item t WHERE t.side = 'billing' AND t.type <> 'payout' AND t.payout_ref IN {ID_LIST}")
    frame = read_frame(db_path, sql, [json.dumps(payout_ids)])
    return frame.with_columns(pl.col("in_erp").cast(pl.Int64)).cast(PAYOUT_ITEM_SCHEMA)  # type: ignore[arg-type]


def deposit_lines(db_path: Path, deposit_ids: list[str]) -> pl.DataFrame:
    """The lines of these ERP deposits, a payment line with the billing id of the payment it deposits."""
    sql = (
        "SELECT l.deposit_ref AS deposit, l.kind, l.amount, p.counterpart_ref AS billing_ref "
        "FROM bank_deposit_line l LEFT JOIN payment p ON p.source_id = l.source_id AND p.external_id = l.payment_ref "
        f"WHERE l.side = 'erp' AND l.deposit_ref IN {ID_LIST}")
    return read_frame(db_path, sql, [json.dumps(deposit_ids)]).cast(DEPOSIT_LINE_SCHEMA)  # type: ignore[arg-type]


CASH_TOTAL_SQL = (
    "SELECT side, currency, CASE WHEN kind = 'refund' THEN -amount ELSE amount END AS total, external_id, "
    "customer_billing_ref AS customer FROM payment WHERE posting_period = ?{ent} AND kind IN ('charge', 'refund') "
    "AND side = 'billing' "
    "UNION ALL SELECT side, currency, CASE WHEN kind = 'refund' THEN -amount ELSE amount END, external_id, "
    "customer_billing_ref FROM payment WHERE posting_period = ?{ent} AND kind IN ('payment', 'refund') "
    "AND side = 'erp' "
    "UNION ALL SELECT side, currency, amount, external_id, NULL FROM payout WHERE posting_period = ?{ent} "
    "UNION ALL SELECT side, currency, amount, external_id, NULL FROM bank_deposit WHERE posting_period = ?{ent}"
)


def cash_population(db_path: Path, period: str, entity: str | None) -> pl.DataFrame:
    """side, external_id, currency, total, customer of the period's payments (refunds negative), payouts and
    deposits: what the payment domain's billing and ERP totals count."""
    ent, params = _entity(entity)
    sql = f"SELECT side, external_id, currency, total, customer FROM ({CASH_TOTAL_SQL.format(ent=ent)})"
    return read_frame(db_path, sql, [v for _ in range(4) for v in (period, *params)]).cast(
        POPULATION_SCHEMA)  # type: ignore[arg-type]


# ------------------------------------------------------------------ workpaper inputs

CARRIED_SCHEMA = {"direction": pl.String, "break_id": pl.String, "from_period": pl.String, "to_period": pl.String,
                  "reason": pl.String, "user": pl.String, "at": pl.String, "kind": pl.String, "status": pl.String,
                  "currency": pl.String, "amount": pl.Int64}
"""Columns of :func:`storage.periods.carried` as a frame (the workpaper's Carried forward sheet)."""

def sign_off(db_path: Path, period: str, entity: str | None) -> dict[str, Any] | None:
    """status, preparer, prepared_at, reviewer, reviewed_at of the period (None if never touched)."""
    frame = read_frame(db_path, "SELECT status, preparer, prepared_at, reviewer, reviewed_at FROM period "
                                "WHERE period = ? AND entity = ?", [period, entity or ""])
    return frame.row(0, named=True) if frame.height else None


BILLED_SCHEMA = {"side": pl.String, "entity": pl.String, "currency": pl.String, "period": pl.String,
                 "billed": pl.Int64}
SCHEDULE_SCHEMA = {"side": pl.String, "entity": pl.String, "currency": pl.String, "period": pl.String,
                   "amount": pl.Int64, "billed_period": pl.String}


def billed_by_period(db_path: Path, entity: str | None) -> pl.DataFrame:
    """side, entity, currency, period, billed (minor units): invoice subtotals minus credit notes, void/draft out."""
    ent, params = _entity(entity)
    sql = (
        "SELECT side, entity, currency, posting_period AS period, subtotal AS billed FROM invoice "
        f"WHERE status NOT IN ('void', 'draft') AND posting_period IS NOT NULL{ent} "
        "UNION ALL SELECT side, entity, currency, posting_period, -subtotal FROM credit_note "
        f"WHERE status <> 'void' AND posting_period IS NOT NULL{ent}"
    )
    return read_frame(db_path, sql, params + params).cast(BILLED_SCHEMA)  # type: ignore[arg-type]


def schedule_lines(db_path: Path, entity: str | None) -> pl.DataFrame:
    """Revenue schedule lines with the posting period of the invoice they belong to (same source)."""
    ent, params = _entity(entity, "r.entity")
    sql = (
        "SELECT r.side, r.entity, r.currency, r.period, r.amount, i.posting_period AS billed_period "
        "FROM revenue_schedule_line r LEFT JOIN invoice i "
        f"ON i.source_id = r.source_id AND i.external_id = r.invoice_ref WHERE 1 = 1{ent}"
    )
    return read_frame(db_path, sql, params).cast(SCHEDULE_SCHEMA)  # type: ignore[arg-type]
