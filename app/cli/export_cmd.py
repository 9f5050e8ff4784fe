"""`tieout export`: the Excel workpaper for auditors, CSV/Parquet tables for analysts."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from tieout import reconcile
from tieout.app.cli.common import WorkspaceOpt, console
from tieout.reconcile.workpaper import export_files, export_workbook


class ExportFormat(str, Enum):
    xlsx = "xlsx"
    csv = "csv"
    parquet = "parquet"


def register(cli: typer.Typer) -> None:
    cli.command("export")(export)


def export(
    period: Annotated[str, typer.Option("--period", "-p", help="Period to export, YYYY-MM.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="The .xlsx file, or the folder for csv/parquet files.")],
    entity: Annotated[Optional[str], typer.Option("--entity", "-e", help="One entity (default: all).")] = None,
    fmt: Annotated[ExportFormat, typer.Option("--format", "-f", help="xlsx workpaper, or one csv/parquet file per table.")] = ExportFormat.xlsx,
    workspace_path: WorkspaceOpt = None,
) -> None:
    """Write the period's workpaper (.xlsx) or its tables (csv/parquet); records an audit event."""
    svc = reconcile.open_workspace(workspace_path)
    if svc.ws.read_only:
        typer.echo("note: the workspace is read-only, so this export is not recorded in its audit log", err=True)
    if fmt is ExportFormat.xlsx:
        info = export_workbook(svc, period, out, entity=entity)
        console.print(f"Wrote {info.path} ({len(info.sheets)} sheets)")
        for name, titles in info.split.items():
            console.print(f"  {name} split at Excel's row limit across: {', '.join(titles)}")
        return
    written = export_files(svc, period, out, fmt.value, entity=entity)
    console.print(f"Wrote {len(written)} {fmt.value} files to {out}")
