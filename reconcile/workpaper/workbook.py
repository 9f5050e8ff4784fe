"""The Excel workpaper: Cover, Summary (live formulas), a sheet per domain, revenue,
corrections and the audit trail, streamed in openpyxl write-only mode."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from tieout.reconcile.workpaper.cells import DATETIME_FORMAT, major_units, money_format, parse_timestamp
from tieout.reconcile.workpaper.data import WorkpaperData
from tieout.reconcile.workpaper.detail import MATCH_ROWS_LIMIT, MATCHED
from tieout.reconcile.workpaper.sheets import BOLD, EXCEL_MAX_ROWS, TITLE, SheetPart, SheetWriter, split_titles
from tieout.reconcile.workpaper.tables import WorkpaperTables, build_tables

SUMMARY_HEADER = ["domain", "currency", "line", "items", "amount"]
SUMMARY_FIRST_ROW = 5  # title, check, blank, header


@dataclass(frozen=True)
class WorkbookInfo:
    """What was written: every sheet title, and the tables split across sheets."""

    path: Path
    sheets: list[str]
    split: dict[str, list[str]]  # table name -> its sheet titles, for tables past the row limit


def write_workbook(data: WorkpaperData, path: Path, *, max_rows: int = EXCEL_MAX_ROWS,
                   match_rows_limit: int = MATCH_ROWS_LIMIT) -> WorkbookInfo:
    """Write the workpaper of ``data`` to ``path`` (an .xlsx); same data, same cells."""
    tables = build_tables(data, match_rows_limit=match_rows_limit)
    scope = data.entity or "all entities"
    writer = SheetWriter(f"{data.workspace} — {scope} — period {data.period}", max_rows=max_rows)
    planned = {t.name: [title for title, _ in split_titles(t.name, t.frame.height, max_rows)]
               for t in tables.all()}
    split = {name: titles for name, titles in planned.items() if len(titles) > 1}
    cover = writer.sheet("Cover", [34, 70], freeze=None, print_titles=False)
    summary = writer.sheet("Summary", [14, 10, 44, 12, 20], freeze=f"A{SUMMARY_FIRST_ROW}")
    parts = {domain: writer.write_table(table) for domain, table in tables.details.items()}
    for table in (tables.rollforward, tables.waterfall, tables.corrections, tables.carried, tables.audit_trail):
        writer.write_table(table)
    _write_cover(writer, cover, data, split)
    _write_summary(writer, summary, data, tables, parts)
    path = Path(path)
    writer.save(path)
    return WorkbookInfo(path, [ws.title for ws in writer.book.worksheets], split)


def _write_cover(writer: SheetWriter, ws: WriteOnlyWorksheet, data: WorkpaperData,
                 split: dict[str, list[str]]) -> None:
    run = data.run or {}
    signed = data.sign_off

    def when(text: str | None) -> Any:
        return writer.cell(ws, parse_timestamp(text), number_format=DATETIME_FORMAT) if text else None

    rows: list[tuple[str, Any]] = [
        ("Workspace", data.workspace),
        ("Entity", data.entity or "all entities"),
        ("Period", data.period),
        ("Period status", signed.status),
        ("Prepared by", signed.preparer),
        ("Prepared at (UTC)", when(signed.prepared_at)),
        ("Reviewed by", signed.reviewer),
        ("Reviewed at (UTC)", when(signed.reviewed_at)),
        ("Match run id", run.get("id", "no match run for this period")),
        ("Match run finished (UTC)", when(run.get("finished_at"))),
        ("Match run by", run.get("user")),
        ("Ruleset hash", run.get("ruleset_hash")),
        ("Input fingerprint", run.get("input_fingerprint")),
        ("Audit chain head", data.audit_head),
        ("tieout version", data.tieout_version),
        ("Sheets split at Excel's row limit",
         "; ".join(f"{name}: {', '.join(titles)}" for name, titles in split.items()) or "none"),
    ]
    ws.append([writer.cell(ws, "tieout reconciliation workpaper", font=TITLE)])
    ws.append([])
    for label, value in rows:
        ws.append([writer.cell(ws, label, font=BOLD), writer.cell(ws, value) if isinstance(value, str) else value])
    ws.append([])
    ws.append([writer.cell(ws, "Sources (last sync, UTC)", font=BOLD)])
    columns = ["name", "kind", "side", "entity", "last_sync_at", "last_sync_status", "last_sync_error"]
    ws.append(writer.header_row(ws, columns))
    for source in data.sources.sort("name").select(columns).iter_rows(named=True):
        ws.append([when(v) if k == "last_sync_at" else (writer.cell(ws, v) if isinstance(v, str) else v)
                   for k, v in source.items()])


def _sumifs(parts: list[SheetPart], value: str, criteria: list[tuple[str, str]]) -> str:
    """SUMIFS of ``value`` over every sheet part, e.g. ``SUMIFS('Invoices'!$J$2:$J$9, ...)``."""
    terms = []
    for part in parts:
        args = [part.column_range(value)]
        for column, criterion in criteria:
            args += [part.column_range(column), f'"{criterion}"']
        terms.append(f"SUMIFS({', '.join(args)})")
    return "+".join(terms)


def _write_summary(writer: SheetWriter, ws: WriteOnlyWorksheet, data: WorkpaperData, tables: WorkpaperTables,
                   parts: dict[str, list[SheetPart]]) -> None:
    """Per domain and currency: source totals, reconciling items by kind (live SUMIFS), what is unexplained."""
    body: list[list[Any]] = []
    unexplained_cells: list[str] = []
    row = SUMMARY_FIRST_ROW
    totals = {(r["domain"], r["currency"]): r for r in data.summary.iter_rows(named=True)}
    for domain, table in tables.details.items():
        detail = table.frame
        currencies = sorted({c for d, c in totals if d == domain} | set(detail["currency"].drop_nulls()))
        for currency in currencies:
            present = set(detail.filter(pl.col("currency") == currency)["kind"].to_list())
            kinds = [MATCHED] + sorted(present - {MATCHED})
            fmt = money_format(currency)
            source = totals.get((domain, currency), {})

            def line(label: str, items: Any, amount: Any) -> None:
                nonlocal row
                if isinstance(amount, str):
                    amount = writer.formula(ws, amount, number_format=fmt)
                elif amount is not None:
                    amount = writer.cell(ws, amount, number_format=fmt)
                if isinstance(items, str):
                    items = writer.formula(ws, items)
                body.append([writer.cell(ws, domain), writer.cell(ws, currency), writer.cell(ws, label),
                             items, amount])
                row += 1

            billing_row = row
            line("Billing total (per billing source)", source.get("billing_count", 0),
                 major_units(source.get("billing_total") or 0, currency))
            line("ERP total (per ERP source)", source.get("erp_count", 0),
                 major_units(source.get("erp_total") or 0, currency))
            diff_row = row
            line("Difference (billing − ERP)", None, f"=E{billing_row}-E{billing_row + 1}")
            first_item = row
            for kind in kinds:
                crit = [("kind", kind), ("currency", currency)]
                line(f"Reconciling items: {kind}", "=" + _sumifs(parts[domain], "items", crit),
                     "=" + _sumifs(parts[domain], "difference", crit))
            total_row = row
            line("Total reconciling items", None, f"=SUM(E{first_item}:E{total_row - 1})")
            unexplained_cells.append(f"E{row}")
            line("Unexplained difference", None, f"=E{diff_row}-E{total_row}")
    check = "=" + ("+".join(f"ABS({c})" for c in unexplained_cells) or "0")
    ws.append([writer.cell(ws, f"Summary — {data.workspace} — {data.entity or 'all entities'} — {data.period}",
                           font=TITLE)])
    ws.append([writer.cell(ws, "Check: 0 when every domain and currency ties", font=BOLD), None, None, None,
               writer.formula(ws, check, font=BOLD)])
    ws.append([])
    ws.append(writer.header_row(ws, SUMMARY_HEADER))
    for values in body:
        ws.append(values)

