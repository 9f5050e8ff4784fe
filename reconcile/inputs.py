"""Read what a match run needs from the canonical tables, in bulk (ADBC → polars).

Both sides of the invoice domain (invoices and credit notes) come back as
one normalised frame, one row per record, with the column names the rules
speak (``ref``, ``number``, ``customer``, ``amount``, ``date``, ...).

Scope: records posted in the period, plus their counterparts posted in
another period (linked by the ERP externalid), so a period mismatch is seen
as such and not as two missing records.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import polars as pl

from storage.db import read_frame

# canonical table -> object_type of its rows in the invoice domain
INVOICE_TABLES = {"invoice": "invoice", "credit_note": "credit_note"}

_PARAM = re.compile(r":([a-z_]+)")
FRAME_COLUMNS = ["rid", "side", "object_type", "key", "ref", "number", "customer", "currency", "entity",
                 "amount", "tax", "status", "date", "period"]


def _table_sql(table: str, entity: str | None) -> str:
    ent = " AND entity = :entity" if entity else ""
    billing_status = " AND status <> 'draft'"
    return f"""
        SELECT '{INVOICE_TABLES[table]}' AS object_type, side, external_id AS key,
               CASE WHEN side = 'billing' THEN external_id ELSE counterpart_ref END AS ref,
               number, customer_billing_ref AS customer, currency, entity, total AS amount, tax, status,
               posting_date AS date, posting_period AS period
        FROM "{table}"
        WHERE side = 'billing'{billing_status}{ent} AND (posting_period = :period OR external_id IN (
                SELECT counterpart_ref FROM "{table}" WHERE side = 'erp' AND posting_period = :period{ent}))
        UNION ALL
        SELECT '{INVOICE_TABLES[table]}', side, external_id,
               counterpart_ref, number, customer_billing_ref, currency, entity, total, tax, status,
               posting_date, posting_period
        FROM "{table}"
        WHERE side = 'erp'{ent} AND (posting_period = :period OR counterpart_ref IN (
                SELECT external_id FROM "{table}" WHERE side = 'billing' AND posting_period = :period
                AND status <> 'draft'{ent}))
    """


def load_invoice_domain(db_path: Path, period: str, entity: str | None = None) -> pl.DataFrame:
    """Billing and ERP invoices + credit notes in scope, normalised, sorted, with a row id ``rid``."""
    params = {"period": period, **({"entity": entity} if entity else {})}
    frames = []
    for table in INVOICE_TABLES:
        sql, values = _bind(_table_sql(table, entity), params)
        frames.append(read_frame(db_path, sql, values))
    frame = pl.concat([_typed(f) for f in frames], how="vertical")
    return normalise(frame)


def normalise(frame: pl.DataFrame) -> pl.DataFrame:
    """Types, credit-note status folding, a deterministic order and row ids (also used by tests)."""
    frame = frame.with_columns(
        pl.col("amount").cast(pl.Int64),
        pl.col("tax").cast(pl.Int64),
        pl.col("currency").str.to_uppercase(),
        pl.col("date").cast(pl.String).str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False),
        # credit notes only differ in whether they are void (issued/open/applied are one state)
        pl.when((pl.col("object_type") == "credit_note") & (pl.col("status") != "void"))
        .then(pl.lit("issued")).otherwise(pl.col("status")).alias("status"),
    )
    frame = frame.sort(["side", "object_type", "key"])
    return frame.with_row_index("rid").with_columns(pl.col("rid").cast(pl.Int64)).select(FRAME_COLUMNS)


def fingerprint(frame: pl.DataFrame, manual: pl.DataFrame) -> str:
    """SHA-256 over every input value the engine sees (records and active manual matches)."""
    digest = hashlib.sha256()
    for part in (frame.drop("rid"), manual):
        digest.update(part.write_csv().encode("utf-8"))
    return digest.hexdigest()


def load_manual_matches(db_path: Path, domain: str) -> pl.DataFrame:
    """Active manual matches of the domain: their records are taken out of automatic matching."""
    frame = read_frame(
        db_path,
        "SELECT id, billing_ids, erp_ids FROM \"match\" WHERE manual = 1 AND active = 1 AND domain = ? ORDER BY id",
        [domain],
    )
    if frame.height == 0:
        return pl.DataFrame(schema={"id": pl.Int64, "billing_ids": pl.String, "erp_ids": pl.String})
    return frame


def _typed(frame: pl.DataFrame) -> pl.DataFrame:
    """An empty ADBC result has Null-typed columns; give every column its real type."""
    schema = {"object_type": pl.String, "side": pl.String, "key": pl.String, "ref": pl.String,
              "number": pl.String, "customer": pl.String, "currency": pl.String, "entity": pl.String,
              "amount": pl.Int64, "tax": pl.Int64, "status": pl.String, "date": pl.String, "period": pl.String}
    return frame.select(pl.col(name).cast(dtype) for name, dtype in schema.items())


def _bind(sql: str, params: dict[str, str]) -> tuple[str, list[str]]:
    """ADBC binds positionally: turn ``:name`` placeholders into ``?`` with values in order."""
    names = _PARAM.findall(sql)
    return _PARAM.sub("?", sql), [params[n] for n in names]
