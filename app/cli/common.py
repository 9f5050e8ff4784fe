"""Options and output shared by every CLI command."""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional

import polars as pl
import typer
from rich.console import Console
from rich.table import Table

from tieout.reconcile.workpaper.files import csv_frame
from tieout.storage.workspace import ENV_WORKSPACE, Workspace, open_workspace

console = Console()
err_console = Console(stderr=True)

WorkspaceOpt = Annotated[
    Optional[Path],
    typer.Option(
        "--workspace",
        "-w",
        help="Workspace folder (default: $TIEOUT_WORKSPACE, else the current folder).",
        envvar=ENV_WORKSPACE,
        show_envvar=True,
    ),
]


class OutputFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    parquet = "parquet"


FormatOpt = Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")]
OutFileOpt = Annotated[Optional[Path], typer.Option("--out", "-o", help="Write to this file instead of stdout.")]


def workspace(path: Path | None) -> Workspace:
    """Open the workspace chosen by --workspace / $TIEOUT_WORKSPACE / the current folder."""
    return open_workspace(path)


def emit(frame: pl.DataFrame, fmt: OutputFormat, out: Path | None = None, *, title: str | None = None) -> None:
    """Print or write ``frame`` as a table (people) or JSON/CSV/Parquet (programs).

    JSON is a list of objects, one per row; list columns stay lists; money
    stays integer minor units.
    """
    if fmt is OutputFormat.parquet:
        if out is None:
            if sys.stdout.isatty():
                raise typer.BadParameter("parquet is binary: give --out FILE or redirect stdout")
            frame.write_parquet(sys.stdout.buffer)
        else:
            frame.write_parquet(out)
        return
    if fmt is OutputFormat.table:
        table = Table(title=title, show_lines=False)
        for name in frame.columns:
            table.add_column(name, overflow="fold")
        for row in frame.iter_rows():
            table.add_row(*(_cell(v) for v in row))
        if out is None:
            console.print(table)
            return
        with out.open("w", encoding="utf-8") as fh:
            Console(file=fh, width=200).print(table)
        return
    if fmt is OutputFormat.json:
        text = json.dumps(frame.to_dicts(), ensure_ascii=False, default=str, indent=None) + "\n"
    else:
        text = csv_frame(frame).write_csv()
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)
