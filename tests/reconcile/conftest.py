"""Fixtures for the matching engine: canonical rows written through the real ingest path."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tieout import reconcile
from tieout.storage.ingest import Record, ensure_source, finish_sync_run, ingest_page, start_sync_run
from tieout.storage.workspace import Workspace, init_workspace

SAMPLE_MONTH = Path(__file__).resolve().parents[2] / "sample_data" / "month"


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


@pytest.fixture(name="invoice")
def invoice_fixture():
    """The :func:`invoice` row builder (fixtures, because test modules are imported without a package)."""
    return invoice


@pytest.fixture
def books(ws: Workspace) -> Books:
    return Books(ws)


@pytest.fixture
def svc(ws: Workspace) -> reconcile.Service:
    return reconcile.Service(ws)


@pytest.fixture
def sample_month() -> Path:
    return SAMPLE_MONTH


@pytest.fixture(scope="session")
def _sample_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The committed sample month loaded once per session (then copied per test)."""
    from tieout.connectors.sample_load import load_sample

    folder = tmp_path_factory.mktemp("sample") / "ws"
    workspace = init_workspace(folder, user="loader")
    load_sample(workspace, SAMPLE_MONTH)
    workspace.close()
    return folder


@pytest.fixture
def sample_svc(_sample_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> reconcile.Service:
    """A private copy of the loaded sample month."""
    monkeypatch.setenv("TIEOUT_USER", "tester")
    folder = tmp_path / "sample-ws"
    shutil.copytree(_sample_template, folder)
    service = reconcile.open_workspace(folder)
    yield service
    service.ws.close()
