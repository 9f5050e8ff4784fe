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
from pathlib import Path

import polars as pl

from storage.db import read_frame

# canonical table -> object_type of its rows in the invoice domain
INVOICE_TABLES = {"invoice": "invoice", "credit_note": "credit_note"}

FRAME_COLUMNS = ["rid", "side", "object_type", "key", "ref", "number", "customer", "currency", "entity",
                 "amount", "tax", "status", "date", "period"]


_SELECT = """
    SELECT '{object_type}' AS object_type, side, external_id AS key,
           CASE WHEN side = 'billing' THEN external_id ELSE counterpart_ref END AS ref,
           number, customer_billing_ref AS customer, currency, entity, total AS amount, tax, status,
           posting_date AS date, posting_period AS period
    FROM "{table}" WHERE NOT (side = 'billing' AND status = 'draft')"""
_CHUNK = 900  # SQLite's default limit on bound parameters is 999


def load_invoice_domain(db_path: Path, period: str, entity: str | None = None) -> pl.DataFrame:
    """Billing and ERP invoices + credit notes in scope, normalised, sorted, with a row id ``rid``."""
    frames = []
    for table, object_type in INVOICE_TABLES.items():
        select = _SELECT.format(table=table, object_type=object_type)
        ent, ent_params = (" AND entity = ?", [entity]) if entity else ("", [])
        in_period = _typed(read_frame(
            db_path, f"{select} AND side IN ('billing', 'erp') AND posting_period = ?{ent}", [period, *ent_params]))
        billing_keys = in_period.filter(pl.col("side") == "billing").select(pl.col("key").alias("id"))
        erp_refs = in_period.filter(pl.col("side") == "erp").select(pl.col("ref").alias("id")).drop_nulls()
        # counterparts posted in another period: looked up by id, through the indexes
        lost_billing = erp_refs.join(billing_keys, on="id", how="anti")["id"].unique().sort().to_list()
        lost_erp = billing_keys.join(erp_refs, on="id", how="anti")["id"].sort().to_list()
        frames.append(in_period)
        # (unary + keeps SQLite off the period index, so it probes the id indexes instead)
        frames.extend(_by_ids(db_path, f"{select} AND +side = 'billing' AND source_id IN "
                                       f"(SELECT id FROM source WHERE side = 'billing') AND +posting_period <> ?{ent} "
                                       "AND external_id IN ({marks})", [period, *ent_params], lost_billing))
        frames.extend(_by_ids(db_path, f"{select} AND +side = 'erp' AND +posting_period <> ?{ent} "
                                       "AND counterpart_ref IN ({marks})", [period, *ent_params], lost_erp))
    return normalise(pl.concat(frames, how="vertical"))


def _by_ids(db_path: Path, sql: str, params: list[str], ids: list[str]) -> list[pl.DataFrame]:
    out = []
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start:start + _CHUNK]
        out.append(_typed(read_frame(db_path, sql.replace("{marks}", ",".join("?" * len(chunk))),
                                     [*params, *chunk])))
    return out


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
    """SHA-256 over every input value the engine sees (records and active manual matches).

    Row hashes come from polars' fixed-seed ``hash_rows`` (stable for a polars
    version, whose number is part of the digest); the frame is already sorted.
    """
    digest = hashlib.sha256(f"polars {pl.__version__}|{frame.height}|".encode())
    digest.update(frame.drop("rid").hash_rows(seed=0).to_arrow().buffers()[1])
    digest.update(manual.write_csv().encode("utf-8"))
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
