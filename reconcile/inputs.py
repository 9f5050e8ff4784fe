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
import json
from pathlib import Path

import polars as pl

from tieout.storage.db import read_frame

# canonical table -> object_type of its rows in the invoice domain
INVOICE_TABLES = {"invoice": "invoice", "credit_note": "credit_note"}

_TYPES = {"object_type": pl.String, "side": pl.String, "key": pl.String, "ref": pl.String, "number": pl.String,
          "customer": pl.String, "currency": pl.String, "entity": pl.String, "amount": pl.Int64, "tax": pl.Int64,
          "status": pl.String, "date": pl.String, "period": pl.String}
FRAME_COLUMNS = ["rid", "side", "object_type", "key", "ref", "number", "customer", "currency", "entity",
                 "amount", "tax", "status", "date", "period"]


_ID_LIST = "(SELECT value FROM json_each(?))"
"""The ids as ONE JSON parameter: ADBC converts each bound parameter in Python (~0.1 ms each),
so 40k ids as separate parameters cost seconds; SQLite still probes the id index per value."""
_SOURCE_COLUMNS = {"key": "external_id", "number": "number", "customer": "customer_billing_ref",
                   "currency": "currency", "entity": "entity", "amount": "total", "tax": "tax", "status": "status",
                   "date": "posting_date"}


def _select(table: str, side: str, *, lookup: bool) -> str:
    """Columns of one side; side, object type and (in-period) period are constants added in polars.

    Fewer string columns is most of the read time.  For the by-id lookups a
    unary ``+`` keeps SQLite off the period index so it probes the id indexes.
    """
    cols = [f"{src} AS {name}" for name, src in _SOURCE_COLUMNS.items()]
    if side == "erp":
        cols.append("counterpart_ref AS ref")
    if lookup:
        cols.append("posting_period AS period")
    plus = "+" if lookup else ""
    drafts = " AND status <> 'draft'" if side == "billing" else ""
    return f"SELECT {', '.join(cols)} FROM \"{table}\" WHERE {plus}side = '{side}'{drafts}"


def load_invoice_domain(db_path: Path, period: str, entity: str | None = None) -> pl.DataFrame:
    """Billing and ERP invoices + credit notes in scope, normalised, sorted, with a row id ``rid``.

    Scope: everything posted in the period, plus the counterparts of those
    records that were posted in another period (looked up by id).
    """
    ent, ent_params = (" AND entity = ?", [entity]) if entity else ("", [])
    frames = []
    for table, object_type in INVOICE_TABLES.items():
        def read(side: str, sql: str, params: list[str]) -> pl.DataFrame:
            return _complete(read_frame(db_path, sql, params), side, object_type, period)

        billing = read("billing", f"{_select(table, 'billing', lookup=False)} AND posting_period = ?{ent}",
                       [period, *ent_params])
        erp = read("erp", f"{_select(table, 'erp', lookup=False)} AND posting_period = ?{ent}", [period, *ent_params])
        keys, refs = billing.select(pl.col("key").alias("id")), erp.select(pl.col("ref").alias("id")).drop_nulls()
        lost_billing = refs.join(keys, on="id", how="anti")["id"].unique().sort().to_list()
        lost_erp = keys.join(refs, on="id", how="anti")["id"].sort().to_list()
        frames += [billing, erp]
        lookups = (
            ("billing", f"{_select(table, 'billing', lookup=True)} AND source_id IN "
                        "(SELECT id FROM source WHERE side = 'billing') AND +posting_period <> ?"
                        f"{ent} AND external_id IN {_ID_LIST}", lost_billing),
            ("erp", f"{_select(table, 'erp', lookup=True)} AND +posting_period <> ?{ent} AND counterpart_ref IN "
                    f"{_ID_LIST}", lost_erp),
        )
        for side, sql, ids in lookups:
            if ids:
                frames.append(read(side, sql, [period, *ent_params, json.dumps(ids)]))
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
    """Types, credit-note status folding and row ids (also used by tests).

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


def fingerprint(frame: pl.DataFrame, manual: pl.DataFrame) -> str:
    """SHA-256 over every input value the engine sees (records and active manual matches).

    Row hashes come from polars' fixed-seed ``hash_rows`` (stable for a polars
    version, whose number is part of the digest), sorted so row order does not count.
    """
    digest = hashlib.sha256(f"polars {pl.__version__}|{frame.height}|".encode())
    digest.update(frame.drop("rid").hash_rows(seed=0).sort().to_arrow().buffers()[1])
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
