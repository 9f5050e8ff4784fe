"""The workbook read back with openpyxl: sheets, amounts, formats, formulas, safety, determinism, splitting."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl
from openpyxl.utils import get_column_letter
import pytest

from tieout.reconcile.workpaper import write_workbook
from tieout.reconcile.workpaper.data import WorkpaperData
from tieout.reconcile.domains.invoice import WORKPAPER_COLUMNS
from tests.reconcile.workpaper.builders import HYPERLINK, brk, make_data, match
from tests.reconcile.workpaper.reading import evaluate_summary, rows

DETAIL_COLUMNS = list(WORKPAPER_COLUMNS)


@pytest.fixture
def book(tmp_path: Path, data: WorkpaperData):
    info = write_workbook(data, tmp_path / "wp.xlsx")
    return openpyxl.load_workbook(info.path)


def test_sheets_in_order_with_header_filter_freeze_and_print_setup(book) -> None:
    assert book.sheetnames == ["Cover", "Summary", "Invoices", "Revenue roll-forward", "Revenue waterfall",
                               "Corrections", "Carried forward", "Audit trail"]
    inv = book["Invoices"]
    assert [c.value for c in inv[1]] == DETAIL_COLUMNS
    assert inv.freeze_panes == "A2" and inv.auto_filter.ref == f"A1:V{inv.max_row}"
    assert inv.page_setup.orientation == "landscape" and inv.page_setup.fitToWidth == 1
    assert inv.sheet_properties.pageSetUpPr.fitToPage
    assert "2026-10" in inv.oddHeader.left.text and "&P" in inv.oddFooter.right.text
    assert inv.column_dimensions["A"].width >= 8 and inv[1][0].font.b


def test_amount_cells_are_numbers_that_round_trip_to_minor_units(book, data: WorkpaperData) -> None:
    expected = {"USD": (2, "#,##0.00;[Red]-#,##0.00"), "JPY": (0, "#,##0;[Red]-#,##0"),
                "KWD": (3, "#,##0.000;[Red]-#,##0.000")}
    by_id = {r["id"]: r for r in data.breaks.iter_rows(named=True)}
    seen = set()
    inv = book["Invoices"]
    header = [c.value for c in inv[1]]
    for row in inv.iter_rows(min_row=2):
        cells = dict(zip(header, row))
        currency = cells["currency"].value
        exp, fmt = expected[currency]
        for name in ("billing_amount", "erp_amount", "amount", "difference"):
            cell = cells[name]
            if cell.value is None:
                continue
            assert cell.data_type == "n" and cell.number_format == fmt, (name, cell.value)
            seen.add(currency)
        source = by_id.get(cells["id"].value)
        if source:
            for name in ("billing_amount", "erp_amount", "amount"):
                value = cells[name].value
                assert (value is None) == (source[name] is None)
                if value is not None:
                    assert round(value * 10**exp) == source[name]
    assert seen == {"USD", "JPY", "KWD"}
    negatives = [r for r in rows(inv) if r["id"] == "match-2"][0]
    assert negatives["billing_amount"] == -43.21 and round(negatives["billing_amount"] * 100) == -4321


def test_timestamps_are_dates(book) -> None:
    first = rows(book["Invoices"])[0]
    assert isinstance(first["opened_at"], datetime) and first["opened_at"].year == 2026
    opened = get_column_letter(DETAIL_COLUMNS.index("opened_at") + 1)
    assert book["Invoices"][f"{opened}2"].number_format == "yyyy-mm-dd hh:mm:ss"


def test_formula_like_text_is_stored_as_plain_text(book) -> None:
    note = [r for r in book["Invoices"].iter_rows(min_row=2) if r[0].value == "b1"][0][DETAIL_COLUMNS.index("note")]
    assert note.value == HYPERLINK and note.data_type == "s" and note.quotePrefix
    user = book["Audit trail"]["C3"]
    assert user.value == HYPERLINK and user.data_type == "s"
    formulas = [c.coordinate for ws in book for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert formulas and all(c.startswith(("D", "E")) for c in formulas)
    assert {ws.title for ws in book for row in ws.iter_rows() for c in row if c.data_type == "f"} == {"Summary"}


def test_summary_formulas_cover_the_detail_ranges(book) -> None:
    summary = book["Summary"]
    lines = {(r[1].value, r[2].value): r for r in summary.iter_rows(min_row=5)}
    n = book["Invoices"].max_row
    item = lines[("USD", "Reconciling items: amount_mismatch")][4].value
    assert item == (f"=SUMIFS('Invoices'!$K$2:$K${n}, 'Invoices'!$C$2:$C${n}, \"amount_mismatch\", "
                    f"'Invoices'!$G$2:$G${n}, \"USD\")")
    assert [c.value for c in book["Invoices"][1]][10] == "difference"
    assert [c.value for c in book["Invoices"][1]][2] == "kind" and book["Invoices"]["G1"].value == "currency"
    unexplained = lines[("USD", "Unexplained difference")]
    diff, total = lines[("USD", "Difference (billing − ERP)")], lines[("USD", "Total reconciling items")]
    assert unexplained[4].value == f"=E{diff[4].row}-E{total[4].row}"
    assert summary["E2"].value.startswith("=ABS(") and f"ABS(E{unexplained[4].row})" in summary["E2"].value
    assert lines[("KWD", "Billing total (per billing source)")][4].number_format == "#,##0.000;[Red]-#,##0.000"


def test_summary_ties_when_recomputed(book) -> None:
    result = evaluate_summary(book)
    for currency in ("USD", "JPY", "KWD"):
        assert result[(currency, "Unexplained difference")] == pytest.approx(0, abs=1e-9)
    assert result[("USD", "Reconciling items: amount_mismatch")] == pytest.approx(-12.5)
    assert result[("USD", "Reconciling items: status_mismatch")] == 0  # same pair: counted once


def test_unexplained_difference_shows_when_a_record_is_unaccounted(tmp_path: Path, data: WorkpaperData) -> None:
    import dataclasses
    import polars as pl
    summary = data.summary.with_columns(
        pl.when(pl.col("currency") == "USD").then(pl.col("billing_total") + 1).otherwise(pl.col("billing_total"))
        .alias("billing_total"))
    info = write_workbook(dataclasses.replace(data, summary=summary), tmp_path / "off.xlsx")
    result = evaluate_summary(openpyxl.load_workbook(info.path))
    assert result[("USD", "Unexplained difference")] == pytest.approx(0.01)


def test_cover_names_run_signoff_sources_and_version(book) -> None:
    cover = {r[0]: r[1] for r in book["Cover"].iter_rows(values_only=True) if r[0]}
    assert cover["Period"] == "2026-10" and cover["Entity"] == "US" and cover["Workspace"] == "acme"
    assert cover["Prepared by"] == "pat" and isinstance(cover["Prepared at (UTC)"], datetime)
    assert cover["Reviewed by"] is None and cover["Reviewed at (UTC)"] is None
    assert cover["Match run id"] == 7 and cover["Ruleset hash"] == "r" * 64 and cover["Input fingerprint"] == "f" * 64
    assert cover["Audit chain head"] == "a" * 64 and cover["tieout version"] == "0.1.0"
    assert cover["Sheets split at Excel's row limit"] == "none"
    assert "stripe" in cover and "netsuite" in cover


def test_corrections_show_maker_checker_and_result(book) -> None:
    (row,) = rows(book["Corrections"])
    assert row["maker"] == "ann" and row["checker"] == "bob" and isinstance(row["approved_at"], datetime)
    assert row["status"] == "pushed" and row["response"] == '{"status": 200}' and row["amount"] == -12.5
    assert row["plan_hash"] == "p" * 64 and row["request"] == '{"method": "PUT"}' and row["break_status"] == "resolved"


def test_no_corrections_says_so(tmp_path: Path, data: WorkpaperData) -> None:
    from dataclasses import replace

    info = write_workbook(replace(data, corrections=data.corrections.clear()), tmp_path / "none.xlsx")
    (row,) = rows(openpyxl.load_workbook(info.path)["Corrections"])
    assert row["type"] == "No corrections this period" and row["maker"] is None


def test_same_data_gives_the_same_cells(tmp_path: Path, data: WorkpaperData) -> None:
    def cells(path: Path) -> list:
        wb = openpyxl.load_workbook(path)
        return [(ws.title, [tuple(c.value for c in r) for r in ws.iter_rows()]) for ws in wb]

    a = write_workbook(data, tmp_path / "a.xlsx")
    b = write_workbook(data, tmp_path / "b.xlsx")
    assert cells(a.path) == cells(b.path)


def test_sheet_past_the_row_limit_is_split_and_summed_over_every_part(tmp_path: Path) -> None:
    breaks = [brk(f"m{i:02d}", "missing_in_erp", "USD", 100 + i, None) for i in range(7)]
    info = write_workbook(make_data(breaks, [match(1, "USD", 5, 5)]), tmp_path / "s.xlsx", max_rows=4)
    assert info.split["Invoices"] == ["Invoices", "Invoices (2)", "Invoices (3)"]
    wb = openpyxl.load_workbook(info.path)
    assert [wb[t].max_row for t in info.split["Invoices"]] == [4, 4, 3]
    assert all(wb[t]["A1"].value == "id" for t in info.split["Invoices"])
    cover = {r[0]: r[1] for r in wb["Cover"].iter_rows(values_only=True) if r[0]}
    assert "Invoices (3)" in cover["Sheets split at Excel's row limit"]
    formula = [r[4].value for r in wb["Summary"].iter_rows(min_row=5) if r[2].value.endswith("missing_in_erp")][0]
    assert formula.count("SUMIFS(") == 3 and "'Invoices (3)'!$K$2:$K$3" in formula


def test_matched_items_past_the_limit_are_summarised(tmp_path: Path) -> None:
    matches = [match(i, "USD", 1000 + i, 1000 + i) for i in range(5)]
    info = write_workbook(make_data([], matches), tmp_path / "m.xlsx", match_rows_limit=3)
    (row,) = rows(openpyxl.load_workbook(info.path)["Invoices"])
    assert row["id"] == "matched-summary" and row["items"] == 5
    assert round(row["billing_amount"] * 100) == sum(1000 + i for i in range(5))
