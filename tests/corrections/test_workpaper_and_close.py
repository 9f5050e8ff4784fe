"""The workpaper shows corrections (maker, checker, plan, request, response, break) and carried-forward breaks;
a period is prepared only when every break is dealt with."""

from __future__ import annotations

import json

import openpyxl
import pytest

from tieout.reconcile.workpaper import export_workbook
from tieout.storage import periods
from tests.corrections.books import CHECKER, MAKER, PERIOD, Books


def _rows(ws) -> list[dict]:  # type: ignore[no-untyped-def]
    header = [c.value for c in ws[1]]
    return [dict(zip(header, r)) for r in ws.iter_rows(min_row=2, values_only=True)]


def test_workpaper_corrections_and_carried_forward_breaks(books: Books, tmp_path) -> None:
    path = export_workbook(books.svc, PERIOD, tmp_path / "before.xlsx").path
    (empty,) = _rows(openpyxl.load_workbook(path)["Corrections"])
    assert empty["type"] == "No corrections this period"

    brk = books.brk("missing_in_erp")
    correction = books.svc.corrections.propose(brk["id"], user=MAKER)
    report = books.approve_and_push(correction["id"])
    with books.ws.session() as s:
        with pytest.raises(periods.PeriodError, match="still open"):
            periods.prepare(s, PERIOD, None, MAKER)
    with books.ws.session() as s:
        periods.prepare(s, PERIOD, None, MAKER, all_open=True, reason="next month's work")
    path = export_workbook(books.svc, PERIOD, tmp_path / "after.xlsx").path
    book = openpyxl.load_workbook(path)
    (row,) = _rows(book["Corrections"])
    assert row["maker"] == MAKER and row["checker"] == CHECKER and row["plan_hash"] == report.plan_hash
    assert json.loads(row["request"])["method"] == "PUT" and json.loads(row["response"])["read_back"]["id"]
    assert row["break_id"] == brk["id"] and row["break_status"] == "resolved" and row["status"] == "pushed"
    carried = _rows(book["Carried forward"])
    assert carried and {r["direction"] for r in carried} == {"out"} and brk["id"] not in {r["break_id"] for r in carried}
    assert {r["reason"] for r in carried} == {"next month's work"}
    books.svc.match("2026-11", domain="invoice")  # a workpaper needs the period matched
    nov = _rows(openpyxl.load_workbook(export_workbook(books.svc, "2026-11", tmp_path / "nov.xlsx").path)
                ["Carried forward"])
    assert {r["break_id"] for r in nov} == {r["break_id"] for r in carried} and {r["direction"] for r in nov} == {"in"}
