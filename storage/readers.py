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
