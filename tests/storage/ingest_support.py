"""Plain helpers for the ingest tests: records shaped as connectors hand them over, and a sync run to
ingest them into."""

from __future__ import annotations

import sqlite3
from typing import Any

from tieout.storage.ingest import LINEAGE_SET, Record, ensure_source, ingest_page, start_sync_run
from tieout.storage.models import CANONICAL_TABLES
from tieout.storage.workspace import Workspace


def invoice_record(inv_id: str, total: int, lines: list[tuple[str, int]], status: str = "open") -> Record:
    """A Stripe-like invoice with its lines, as a connector would hand it to ingest."""
    payload = {"id": inv_id, "object": "invoice", "total": total, "status": status,
               "lines": {"data": [{"id": lid, "amount": amt} for lid, amt in lines]}}
    return Record(
        object_type="invoice",
        external_id=inv_id,
        payload=payload,
        rows={
            "invoice": [{"external_id": inv_id, "currency": "USD", "entity": "US", "status": status,
                         "subtotal": total, "total": total, "posting_period": "2026-10"}],
            "invoice_line": [{"external_id": lid, "invoice_ref": inv_id, "currency": "USD", "amount": amt}
                             for lid, amt in lines],
        },
    )


def open_billing_run(ws: Workspace) -> tuple[sqlite3.Connection, int, int]:
    """A raw connection, a billing source 'stripe' and a started sync run on it."""
    conn = ws.raw()
    source_id = ensure_source(conn, "stripe", "stripe", "billing")
    return conn, source_id, start_sync_run(conn, source_id)


def ingest_billing(conn: sqlite3.Connection, source_id: int, run: int, records: list[Record], **kw: Any):
    """One page of billing records through :func:`ingest_page`."""
    return ingest_page(conn, source_id=source_id, side="billing", sync_run_id=run, records=records, **kw)


def every_column(table: str, row: dict[str, Any]) -> dict[str, Any]:
    """``row`` extended to name every mapped column of ``table``: optional ones at their model default,
    required ones absent from ``row`` as None (the shape ingest reads on its single-itemgetter path)."""
    fields = CANONICAL_TABLES[table].model_fields
    full = {name: None if f.is_required() else f.default for name, f in fields.items()
            if name != "id" and name not in LINEAGE_SET}
    return {**full, **row}
