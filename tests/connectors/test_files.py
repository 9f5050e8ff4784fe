"""CSV/XLSX imports: presets and custom mappings, exact decimals, all-or-nothing with a precise error."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from openpyxl import Workbook

from tieout.connectors.sources import add_source
from tieout.connectors.sync import sync_sources
from tieout.storage.workspace import Workspace

NETSUITE_CSV = """Internal ID,Document Number,External ID,Name,Currency,Status,Date,Amount (Foreign Currency),Tax Amount (Foreign Currency),Memo
1001,INV1,in_1,100000,USD,Open,10/01/2026,"1,234.56",34.56,first
1002,INV2,in_2,100001,JPY,Paid In Full,10/02/2026,5000,0,second
"""


def _rows(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def test_netsuite_saved_search_preset(ws: Workspace, tmp_path: Path) -> None:
    export = tmp_path / "invoices.csv"
    export.write_text(NETSUITE_CSV)
    add_source(ws, "ns-file", kind="file", side="erp", path=str(export), mapping="netsuite-invoices")
    [result] = sync_sources(ws, ["ns-file"])
    assert result.ok, result.error
    assert _rows(ws.db_path, "SELECT external_id, counterpart_ref, currency, total, tax, posting_period FROM invoice "
                             "ORDER BY external_id") == [
        ("1001", "in_1", "USD", 123456, 3456, "2026-10"),
        ("1002", "in_2", "JPY", 5000, 0, "2026-10"),
    ]
    assert sync_sources(ws, ["ns-file"])[0].counts["invoice"]["unchanged"] == 2


def test_bad_row_names_file_row_column_and_nothing_is_stored(ws: Workspace, tmp_path: Path) -> None:
    export = tmp_path / "invoices.csv"
    export.write_text(NETSUITE_CSV + "1003,INV3,in_3,100002,USD,Open,10/03/2026,12.345,0,bad\n")
    add_source(ws, "ns-file", kind="file", side="erp", path=str(export), mapping="netsuite-invoices")
    [result] = sync_sources(ws, ["ns-file"])
    assert not result.ok
    assert result.error.startswith("invoices.csv, row 4, column 'Amount (Foreign Currency)': amount '12.345' has more "
                                   "decimals than USD allows")
    assert _rows(ws.db_path, "SELECT count(*) FROM invoice") == [(0,)]
    assert _rows(ws.db_path, "SELECT count(*) FROM raw_record") == [(0,)]


def test_xlsx_with_custom_mapping_comma_decimals_and_negated_sign(ws: Workspace, tmp_path: Path) -> None:
    mapping = tmp_path / "payments.toml"
    mapping.write_text('object_type = "payment"\ndecimal_sep = ","\nthousands_sep = "."\nsign = "negate"\n'
                       'currency = "EUR"\ndate_format = "%d.%m.%Y"\n'
                       '[columns]\n"Beleg" = "external_id"\n"Betrag" = "amount"\n"Datum" = "posting_date"\n')
    book = Workbook()
    sheet = book.active
    sheet.append(["Beleg", "Betrag", "Datum"])
    sheet.append(["P-1", "-1.234,50", "31.10.2026"])
    sheet.append(["P-2", -7, "01.11.2026"])
    book.save(tmp_path / "payments.xlsx")
    add_source(ws, "bank", kind="file", side="erp", path=str(tmp_path / "payments.xlsx"), mapping=str(mapping))
    [result] = sync_sources(ws, ["bank"])
    assert result.ok, result.error
    assert _rows(ws.db_path, "SELECT external_id, amount, currency, posting_period, kind FROM payment "
                             "ORDER BY external_id") == [
        ("P-1", 123450, "EUR", "2026-10", "payment"),
        ("P-2", 700, "EUR", "2026-11", "payment"),
    ]


def test_xlsx_float_that_is_not_exact_is_refused(ws: Workspace, tmp_path: Path) -> None:
    book = Workbook()
    book.active.append(["Internal ID", "Currency", "Amount (Foreign Currency)"])
    book.active.append(["9", "USD", 12.345])  # a float cell: never rounded to cents
    book.save(tmp_path / "x.xlsx")
    mapping = tmp_path / "m.toml"
    mapping.write_text('object_type = "invoice"\n[columns]\n"Internal ID" = "external_id"\n"Currency" = "currency"\n'
                       '"Amount (Foreign Currency)" = "total"\n')
    add_source(ws, "x", kind="file", side="erp", path=str(tmp_path / "x.xlsx"), mapping=str(mapping))
    [result] = sync_sources(ws, ["x"])
    assert not result.ok and "x.xlsx, row 2, column 'Amount (Foreign Currency)'" in result.error
    assert "refusing to round" in result.error


def test_unknown_mapping_lists_presets(ws: Workspace, tmp_path: Path) -> None:
    (tmp_path / "f.csv").write_text("a\n1\n")
    add_source(ws, "f", kind="file", side="erp", path=str(tmp_path / "f.csv"), mapping="nope")
    [result] = sync_sources(ws, ["f"])
    assert not result.ok and "presets: netsuite-invoices, stripe-invoices" in result.error
