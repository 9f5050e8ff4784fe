"""Plain helpers shared by every test folder: the committed sample month and canonical rows written
through the real ingest path. A plain module, not a conftest, so tests import these by name."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tieout.storage.ingest import Record, ensure_source, finish_sync_run, ingest_page, start_sync_run
from tieout.storage.workspace import Workspace

SAMPLE_MONTH = Path(__file__).resolve().parents[1] / "sample_data" / "month"
SAMPLE_PERIOD = "2026-10"  # the month the committed sample covers


def invoice(key: str, side: str = "billing", *, ref: str | None = None, table: str = "invoice",
            **values: Any) -> dict[str, Any]:
    """A canonical invoice/credit-note row with sensible October defaults (ERP ref = Stripe id)."""
    row = {"external_id": key, "entity": "US", "currency": "USD", "customer_ref": "cus_1",
           "customer_billing_ref": "cus_1", "status": "open", "posting_date": "2026-10-05",
           "posting_period": "2026-10", "subtotal": 10000, "tax": 800, "total": 10800}
    if side == "erp":
        row["counterpart_ref"] = ref
    row.update(values)
    if "posting_date" in values and "posting_period" not in values:
        row["posting_period"] = values["posting_date"][:7]
    return {"_table": table, **row}


@dataclass
class Books:
    """Writes rows into a workspace through storage.ingest, one page per side."""

    ws: Workspace
    pages: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: {"billing": [], "erp": []})

    def add(self, side: str, *rows: dict[str, Any]) -> "Books":
        self.pages[side].extend(rows)
        return self

    def ingest(self) -> "Books":
        conn = self.ws.raw()
        try:
            for side, name in (("billing", "stripe"), ("erp", "netsuite")):
                rows = self.pages[side]
                conn.execute("BEGIN IMMEDIATE")
                source_id = ensure_source(conn, name, name, side)
                run_id = start_sync_run(conn, source_id)
                conn.execute("COMMIT")
                records = []
                for row in rows:
                    table = row["_table"]
                    canonical = {k: v for k, v in row.items() if k != "_table"}
                    records.append(Record(table, canonical["external_id"], payload=canonical,
                                          rows={table: [canonical]}))
                if records:
                    ingest_page(conn, source_id=source_id, side=side, sync_run_id=run_id, records=records)
                finish_sync_run(conn, run_id)
            self.pages = {"billing": [], "erp": []}
        finally:
            conn.close()
        return self
