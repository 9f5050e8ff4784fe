"""The vectorised row writer: exact amounts, openpyxl's date serials, text that survives XML, chunking, bad text."""

from __future__ import annotations

import tempfile
from dataclasses import replace

from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zipfile import ZipFile

import openpyxl
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.utils.datetime import to_excel

from tieout.reconcile.workpaper import ExportError, rowxml, write_workbook
from tieout.reconcile.workpaper.cells import parse_timestamp
from tieout.reconcile.workpaper.data import WorkpaperData
from tests.reconcile.workpaper.builders import brk, make_data, match
from tests.reconcile.workpaper.reading import rows

INT64 = st.integers(-(2**63) + 1, 2**63 - 1)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(INT64, st.sampled_from([0, 2, 3])), min_size=1, max_size=20))
def test_amount_text_is_the_exact_decimal_and_reads_as_the_same_double(values: list[tuple[int, int]]) -> None:
    frame = pl.DataFrame(values, schema={"minor": pl.Int64, "exp": pl.Int64}, orient="row")
    texts = frame.select(rowxml.decimal_text(pl.col("minor"), pl.col("exp"), {0, 2, 3})).to_series().to_list()
    for (minor, exp), text in zip(values, texts):
        assert Decimal(text) == Decimal(minor).scaleb(-exp)
        assert float(text) == minor / 10**exp  # the double the old minor / scale gave


@settings(max_examples=300, deadline=None)
@given(st.lists(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(9999, 12, 31)), min_size=1,
                max_size=20))
def test_timestamp_serial_is_openpyxls_float(stamps: list[datetime]) -> None:
    serials = pl.select(rowxml.excel_serial(pl.lit(pl.Series(stamps, dtype=pl.Datetime("us"))))).to_series()
    assert serials.to_list() == [to_excel(s) for s in stamps]


def test_day_serials_match_openpyxl_including_excels_1900_leap_day() -> None:
    days = [date(1900, 1, 1), date(1900, 2, 28), date(1900, 3, 1), date(2026, 10, 31)]
    got = pl.select(rowxml.excel_days(pl.lit(pl.Series(days)))).to_series().to_list()
    assert got == [to_excel(d) for d in days]


def _break_with(**fields) -> list[dict]:
    row = brk("b1", "missing_in_erp", "USD", 5_005, None)
    row.update(fields)
    return [row]


@pytest.mark.parametrize("note", ["  padded  ", "a\rb\r\nc", "x & <y> ]]> z", "tab\tinside", "é 😀 ü"])
def test_text_reads_back_exactly(tmp_path: Path, note: str) -> None:
    info = write_workbook(make_data(_break_with(note=note), []), tmp_path / "t.xlsx")
    (row,) = rows(openpyxl.load_workbook(info.path)["Invoices"])
    assert row["note"] == note


@pytest.mark.parametrize("stamp", ["2026-10-01T10:00:00.250000+00:00", "2026-10-01T05:00:00-05:00",
                                   "2026-10-01T10:00:00Z", "2026-10-01 10:00:00"])
def test_timestamps_in_any_iso_form_read_back_as_utc(tmp_path: Path, stamp: str) -> None:
    info = write_workbook(make_data(_break_with(opened_at=stamp), []), tmp_path / "t.xlsx")
    (row,) = rows(openpyxl.load_workbook(info.path)["Invoices"])
    assert abs(row["opened_at"] - parse_timestamp(stamp)) < timedelta(milliseconds=1)


def test_rows_across_chunks_are_the_rows_of_one_chunk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = make_data([brk(f"m{i:02d}", "missing_in_erp", "KWD", -100 - i, None) for i in range(7)],
                     [match(i, "JPY", 10 + i, 10 + i) for i in range(5)])
    whole = rows(openpyxl.load_workbook(write_workbook(data, tmp_path / "a.xlsx").path)["Invoices"])
    monkeypatch.setattr(rowxml, "CHUNK_ROWS", 2)
    chunked = rows(openpyxl.load_workbook(write_workbook(data, tmp_path / "b.xlsx").path)["Invoices"])
    assert chunked == whole and len(whole) == 12
    assert [r["id"] for r in whole[:2]] == ["m00", "m01"] and whole[0]["billing_amount"] == -0.1


def test_control_character_is_refused_naming_the_cell_and_nothing_is_written(tmp_path: Path) -> None:
    path = tmp_path / "bad.xlsx"
    with pytest.raises(ExportError, match=r"Invoices: column note, id b1: .*control character"):
        write_workbook(make_data(_break_with(note="bell\x07"), []), path)
    assert not path.exists()


def test_unreadable_timestamp_is_refused_naming_the_column_and_leaves_no_spliced_part(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parts = tmp_path / "parts"
    parts.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(parts))  # where openpyxl keeps its sheet part files
    with pytest.raises(ExportError, match=r"Invoices: column opened_at: 'yesterday' is not an ISO-8601 timestamp"):
        write_workbook(make_data(_break_with(opened_at="yesterday"), []), tmp_path / "bad.xlsx")
    assert not list(parts.glob("*.rows")) and list(parts.iterdir())


def test_all_null_columns_typed_null_write_no_cells(tmp_path: Path, data: WorkpaperData) -> None:
    corrections = data.corrections.with_columns(pl.lit(None).alias("amount"), pl.lit(None).alias("pushed_at"),
                                                pl.lit(None).alias("response"))
    assert corrections.schema["pushed_at"] == pl.Null
    info = write_workbook(replace(data, corrections=corrections), tmp_path / "n.xlsx")
    (row,) = rows(openpyxl.load_workbook(info.path)["Corrections"])
    assert row["amount"] is None and row["pushed_at"] is None and row["response"] is None and row["maker"] == "ann"


def test_same_data_gives_byte_identical_sheets_and_styles(tmp_path: Path, data: WorkpaperData) -> None:
    def parts(path: Path) -> dict[str, bytes]:
        with ZipFile(path) as z:
            return {n: z.read(n) for n in z.namelist() if n.startswith("xl/")}

    a = parts(write_workbook(data, tmp_path / "a.xlsx").path)
    assert a == parts(write_workbook(data, tmp_path / "b.xlsx").path) and "xl/styles.xml" in a
