"""`tieout export` on the sample month through the real service: xlsx, csv and parquet."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from typer.testing import CliRunner

from tieout import reconcile
from tieout.app.cli import cli
from tieout.connectors.sample_load import load_sample
from tieout.reconcile.workpaper import ExportError, collect, export_files, export_workbook
from tieout.reconcile.workpaper.tables import build_tables
from tieout.storage.money import exponent
from tieout.storage.workspace import init_workspace
from tests.reconcile.workpaper.reading import evaluate_summary
from tests.support import SAMPLE_MONTH


@pytest.fixture(scope="module")
def svc(tmp_path_factory: pytest.TempPathFactory) -> reconcile.Service:
    """The sample month loaded and matched once for this module (the tests only add notes and exports)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TIEOUT_USER", "tester")
        ws = init_workspace(tmp_path_factory.mktemp("e2e") / "ws")
        load_sample(ws, SAMPLE_MONTH)
        service = reconcile.open_workspace(ws.path)
        service.match("2026-10")
        yield service
        ws.close()


def test_sample_month_ties_and_records_an_audit_event(svc: reconcile.Service, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["export", "--period", "2026-10", "--out", str(tmp_path / "wp.xlsx"),
                                      "--workspace", str(svc.ws.path)])
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(tmp_path / "wp.xlsx")
    summary = evaluate_summary(wb)
    unexplained = {k: v for k, v in summary.items() if len(k) == 3 and k[2] == "Unexplained difference"}
    assert {(d, c) for d, c, _ in unexplained} == {(d, c) for d in ("invoice", "payment") for c in ("USD", "EUR", "JPY")}
    assert all(v == pytest.approx(0, abs=1e-6) for v in unexplained.values())
    assert any(v != 0 for k, v in summary.items() if k[-1].startswith("Reconciling items: missing"))
    run = svc.last_run("2026-10")
    cover = {r[0]: r[1] for r in wb["Cover"].iter_rows(values_only=True) if r[0]}
    assert cover["Match run id"] == run["id"] and cover["Input fingerprint"] == run["input_fingerprint"]
    events = svc.audit_events("2026-10")
    assert events["action"].to_list()[-1] == "workpaper.export"


def test_csv_and_parquet_have_the_workbook_tables_with_minor_units(svc: reconcile.Service, tmp_path: Path) -> None:
    csv_files = export_files(svc, "2026-10", tmp_path / "csv", "csv")
    pq_files = export_files(svc, "2026-10", tmp_path / "pq", "parquet")
    assert [p.stem for p in csv_files] == [p.stem for p in pq_files] == [
        "summary", "invoices", "payments", "revenue_roll_forward", "revenue_waterfall", "corrections",
        "carried_forward", "audit_trail",
        "sources"]
    tables = build_tables(collect(svc, "2026-10"))
    invoices = pl.read_parquet(tmp_path / "pq" / "invoices.parquet")
    assert invoices.columns == tables.details["invoice"].frame.columns
    assert invoices.schema["difference"] == pl.Int64 and invoices.schema["billing_ids"] == pl.List(pl.String)
    csv = pl.read_csv(tmp_path / "csv" / "invoices.csv", infer_schema_length=0)
    assert csv.columns == invoices.columns
    assert csv["billing_amount"].drop_nulls().cast(pl.Int64).sum() == invoices["billing_amount"].sum()


def test_csv_neutralises_formula_like_text(svc: reconcile.Service, tmp_path: Path) -> None:
    brk = svc.breaks("2026-10")["id"][0]
    svc.add_note(brk, '=HYPERLINK("http://x","y")')
    export_files(svc, "2026-10", tmp_path, "csv")
    notes = pl.read_csv(tmp_path / "invoices.csv", infer_schema_length=0)["note"].drop_nulls().to_list()
    assert "'=HYPERLINK(\"http://x\",\"y\")" in notes
    export_workbook(svc, "2026-10", tmp_path / "wp.xlsx")
    cells = [c for row in openpyxl.load_workbook(tmp_path / "wp.xlsx")["Invoices"].iter_rows() for c in row
             if c.value == '=HYPERLINK("http://x","y")']
    assert cells and all(c.data_type == "s" for c in cells)


@pytest.mark.parametrize(("period", "out", "message"), [
    ("2026-13", "wp.xlsx", "period '2026-13'"),
    ("2026-10", "wp.csv", "ending in .xlsx"),
    ("2026-10", "missing/wp.xlsx", "does not exist"),
])
def test_bad_requests_name_the_problem_and_write_nothing(svc: reconcile.Service, tmp_path: Path, period: str,
                                                         out: str, message: str) -> None:
    before = svc.audit_events()["id"].max()
    with pytest.raises(ExportError, match=message):
        export_workbook(svc, period, tmp_path / out)
    assert list(tmp_path.rglob("*")) == []
    assert svc.audit_events()["id"].max() == before


def test_unknown_entity_is_refused_on_the_cli(svc: reconcile.Service, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["export", "--period", "2026-10", "--entity", "XX", "--out",
                                      str(tmp_path / "wp.xlsx"), "--workspace", str(svc.ws.path)])
    assert result.exit_code == 1 and "entity 'XX'" in result.output
    assert not (tmp_path / "wp.xlsx").exists()


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_libreoffice_recomputes_the_summary_to_a_zero_check(svc: reconcile.Service, tmp_path: Path) -> None:
    """A real spreadsheet engine evaluates the live formulas: the check cell is 0 and the sums are right."""
    export_workbook(svc, "2026-10", tmp_path / "wp.xlsx")
    out = tmp_path / "recalc"
    subprocess.run(["soffice", "--headless", "--calc", "--convert-to", "xlsx", "--outdir", str(out),
                    str(tmp_path / "wp.xlsx")], check=True, capture_output=True, timeout=180)
    values = openpyxl.load_workbook(out / "wp.xlsx", data_only=True)["Summary"]
    rows = [r for r in values.iter_rows(values_only=True)]
    check = next(r[4] for r in rows if r[0] and str(r[0]).startswith("Check"))
    assert check == pytest.approx(0, abs=1e-9)
    billed = {r[1]: r[4] for r in rows if r[2] and str(r[2]).startswith("Billing total")}
    expected = svc.summary("2026-10").filter(pl.col("domain") == "invoice")
    for currency, total in zip(expected["currency"], expected["billing_total"]):
        assert round(billed[currency] * 10 ** exponent(currency)) == total


def test_a_customer_named_like_a_formula_reads_back_as_plain_text(svc: reconcile.Service, tmp_path: Path) -> None:
    """The issue's case: a customer called =HYPERLINK(...) in the ledger never becomes a live link."""
    evil = '=HYPERLINK("http://x","y")'
    brk = svc.breaks("2026-10", kind="amount_mismatch", domain="invoice").row(0, named=True)
    with sqlite3.connect(svc.ws.db_path) as conn:
        customer = conn.execute("SELECT customer_ref, source_id FROM invoice WHERE side = 'billing' AND external_id = ?",
                                (brk["billing_ids"][0],)).fetchone()
        conn.execute("UPDATE customer SET name = ? WHERE external_id = ? AND source_id = ?", (evil, *customer))
    export_workbook(svc, "2026-10", tmp_path / "wp.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "wp.xlsx")["Invoices"]
    header = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == brk["id"])
    cell = row[header.index("customer")]
    assert cell.value == evil and cell.data_type == "s" and cell.quotePrefix
    named = [r[header.index("customer")].value for r in sheet.iter_rows(min_row=2, max_row=50)]
    assert sum(1 for v in named if v) > 10  # real names fill the column too
