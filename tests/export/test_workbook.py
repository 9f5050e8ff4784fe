"""The workbook read back with openpyxl: sheets, amounts, formulas, safety, determinism."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from reconcile.workpaper import write_workbook
from reconcile.workpaper.data import WorkpaperData
from tests.export.conftest import HYPERLINK, brk, make_data, match


def load(path: Path):
    return openpyxl.load_workbook(path)


def rows(ws) -> list[dict]:
    header = [c.value for c in ws[1]]
    return [dict(zip(header, r)) for r in ws.iter_rows(min_row=2, values_only=True)]


def test_sheets_in_order(tmp_path: Path, data: WorkpaperData) -> None:
    info = write_workbook(data, tmp_path / "wp.xlsx")
    wb = load(info.path)
    assert wb.sheetnames == ["Cover", "Summary", "Invoices", "Revenue roll-forward", "Revenue waterfall",
                             "Corrections", "Audit trail"]
    assert info.split == {}


def test_smoke(tmp_path: Path, data: WorkpaperData) -> None:
    info = write_workbook(data, tmp_path / "wp.xlsx")
    wb = load(info.path)
    for ws in wb:
        print(ws.title)
        for r in ws.iter_rows(values_only=True):
            print(r)
