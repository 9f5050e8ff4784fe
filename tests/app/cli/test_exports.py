"""Exports for analysts: what `polars.read_csv` / `pandas.read_csv` / `read_parquet` give back with defaults."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import polars as pl
import pytest

from tieout.reconcile.service import Service
from tieout.storage.money import format_amount

PERIOD = "2026-10"


@pytest.fixture
def numeric_erp_ids(svc: Service) -> Service:
    """NetSuite internal ids are digits: every break's ERP ids look like one integer, the last one's like two."""
    with svc.ws.session() as s:
        from sqlalchemy import text

        rows = s.execute(text('SELECT id FROM "break" ORDER BY id')).scalars().all()
        for n, break_id in enumerate(rows):
            ids = [str(1005885 + 2 * n)] + ([str(1005886 + 2 * n)] if n == len(rows) - 1 else [])
            s.execute(text('UPDATE "break" SET erp_ids = :ids WHERE id = :id'), {"ids": json.dumps(ids), "id": break_id})
    return svc


def test_breaks_csv_ids_read_back_as_text_in_polars_and_pandas(numeric_erp_ids: Service, tieout) -> None:  # type: ignore[no-untyped-def]
    out = tieout("breaks", "-p", PERIOD, "--all", "--format", "csv")
    assert out.exit_code == 0, out.output
    frame = pl.read_csv(io.StringIO(out.stdout))
    assert frame.schema["erp_ids"] == pl.String and frame.schema["billing_ids"] == pl.String
    assert frame.schema["amount"] == pl.Int64
    lists = [json.loads(v) for v in frame["erp_ids"]]
    assert ["1005885"] in lists and any(len(ids) == 2 for ids in lists)
    pandas = pd.read_csv(io.StringIO(out.stdout))
    assert all(isinstance(v, str) for v in pandas["erp_ids"])
    assert json.loads(pandas["erp_ids"][0]) == json.loads(frame["erp_ids"][0])


def test_breaks_parquet_has_typed_timestamps(svc: Service, tieout, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "breaks.parquet"
    assert tieout("breaks", "-p", PERIOD, "--format", "parquet", "--out", str(out)).exit_code == 0
    frame = pl.read_parquet(out)
    assert frame.schema["opened_at"] == pl.Datetime("us", "UTC") and frame.schema["resolved_at"] == pl.Datetime("us", "UTC")
    assert frame.schema["billing_ids"] == pl.List(pl.String) and frame.schema["amount"] == pl.Int64
    assert frame["opened_at"].null_count() == 0
    assert pd.read_parquet(out)["opened_at"].dtype.kind == "M"


def test_export_files_csv_and_parquet_for_analysts(svc: Service, tieout, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert tieout("export", "-p", PERIOD, "--format", "parquet", "--out", str(tmp_path / "pq")).exit_code == 0
    audit = pl.read_parquet(tmp_path / "pq" / "audit_trail.parquet")
    assert audit.schema["at"] == pl.Datetime("us", "UTC")
    assert tieout("export", "-p", PERIOD, "--format", "csv", "--out", str(tmp_path / "csv")).exit_code == 0
    detail = pd.read_csv(tmp_path / "csv" / "invoices.csv")
    assert all(isinstance(json.loads(v), list) for v in detail["erp_ids"])


def test_breaks_table_shows_amounts_with_their_currency(svc: Service, tieout) -> None:  # type: ignore[no-untyped-def]
    jpy = svc.breaks(PERIOD, status="open").filter(pl.col("currency") == "JPY").row(0, named=True)
    usd = svc.breaks(PERIOD, status="open").filter(pl.col("currency") == "USD").row(0, named=True)
    table = tieout("breaks", "-p", PERIOD).stdout
    for brk in (jpy, usd):
        line = next(row for row in table.splitlines() if brk["id"] in row)
        assert format_amount(brk["amount"], brk["currency"], code=True) in line, line
    assert format_amount(usd["amount"], "USD", code=True).endswith(" USD") and "." in format_amount(usd["amount"], "USD")


def test_breaks_lists_open_and_explained_unless_asked(svc: Service, tieout) -> None:  # type: ignore[no-untyped-def]
    ids = svc.breaks(PERIOD, status="open")["id"].to_list()
    svc.set_status(ids[0], "explained", reason="timing")
    svc.set_status(ids[1], "resolved", reason="fixed_in_source")
    svc.set_status(ids[2], "investigating")
    with svc.ws.session() as s:
        from sqlalchemy import text

        s.execute(text("UPDATE \"break\" SET status = 'auto_resolved' WHERE id = :id"), {"id": ids[3]})

    def listed(*args: str) -> dict[str, str]:
        out = tieout("breaks", "-p", PERIOD, "-f", "json", *args)
        assert out.exit_code == 0, out.output
        return {r["id"]: r["status"] for r in json.loads(out.stdout)}

    default = listed()
    assert set(default.values()) == {"open", "investigating", "explained"}
    assert ids[0] in default and ids[1] not in default and ids[3] not in default
    assert listed("--status", "auto_resolved") == {ids[3]: "auto_resolved"}
    assert set(listed("--status", "resolved", "--status", "auto_resolved")) == {ids[1], ids[3]}
    assert len(listed("--all")) == svc.breaks(PERIOD).height
