"""Options and output shared by every CLI command.

Both consoles print with markup off: data (a note, a path, a status) and
config text often hold square brackets, which Rich would read as tags and
drop.  Styled output is built from :class:`rich.text.Text`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional

import polars as pl
import typer
from rich.console import Console, ConsoleDimensions
from rich.table import Table
from rich.text import Text

from tieout.reconcile.workpaper.files import csv_frame, parquet_frame
from tieout.storage.errors import TieoutError, describe_os_error
from tieout.storage.money import format_amount
from tieout.storage.workspace import ENV_WORKSPACE, Workspace, open_workspace

PIPED_WIDTH = 100_000
"""Width of output that goes to a pipe or a file: wide enough that no value is cut or folded."""


class PipeAwareConsole(Console):
    """A console that prints full values when its output is not a terminal.

    Rich otherwise takes the width of whichever standard stream is a
    terminal (or 80), so ``tieout breaks | cat`` would cut ids and amounts.
    """

    @property
    def size(self) -> ConsoleDimensions:
        size = super().size
        return size if self.is_terminal else ConsoleDimensions(PIPED_WIDTH, size.height)

    @size.setter
    def size(self, new_size: tuple[int, int]) -> None:
        self._width, self._height = new_size


console = PipeAwareConsole(markup=False, highlight=False)
err_console = PipeAwareConsole(stderr=True, markup=False, highlight=False)

WorkspaceOpt = Annotated[
    Optional[Path],
    typer.Option(
        "--workspace",
        "-w",
        metavar="DIR",
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


class ReportFormat(str, Enum):
    """For commands that print one report rather than a list: a table for people, JSON for programs."""

    table = "table"
    json = "json"


FormatOpt = Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")]
ReportFormatOpt = Annotated[ReportFormat, typer.Option("--format", "-f", help="Output format.")]
OutFileOpt = Annotated[Optional[Path], typer.Option("--out", "-o", metavar="FILE",
                                                    help="Write to this file instead of stdout.")]


_opened: list[Path] = []  # databases this command opened, newest last (named by errors raised outside storage)


def workspace(path: Path | None) -> Workspace:
    """Open the workspace chosen by --workspace / $TIEOUT_WORKSPACE / the current folder."""
    ws = open_workspace(path)
    _opened.append(ws.db_path)
    return ws


def last_database() -> Path | None:
    return _opened[-1] if _opened else None


def one_line(exc: BaseException) -> str:
    """An expected error as one line: a TieoutError's message, or an OS error with its file and cause."""
    if isinstance(exc, OSError) and not isinstance(exc, TieoutError):
        where = exc.filename or last_database() or "tieout"
        return f"{where}: {describe_os_error(exc)}"
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def emit(frame: pl.DataFrame, fmt: OutputFormat, out: Path | None = None, *, title: str | None = None,
         timestamps: Sequence[str] = (), right: Sequence[str] = ()) -> None:
    """Print or write ``frame`` as a table (people) or JSON/CSV/Parquet (programs).

    JSON is a list of objects, one per row; list columns stay lists; money
    stays integer minor units.  ``timestamps`` (ISO-8601 text columns) become
    typed datetimes in Parquet.  ``right``: table columns to right-align
    besides the numeric ones (e.g. formatted amounts).
    """
    try:
        _emit(frame, fmt, out, title, timestamps, right)
    except OSError as exc:  # a full disk or a folder that cannot be written: name the file, no traceback
        raise TieoutError(f"{out or 'standard output'}: cannot write: {describe_os_error(exc)}") from exc


def _emit(frame: pl.DataFrame, fmt: OutputFormat, out: Path | None, title: str | None, timestamps: Sequence[str],
          right: Sequence[str]) -> None:
    if fmt is OutputFormat.parquet:
        frame = parquet_frame(frame, timestamps=timestamps)
        if out is None:
            if sys.stdout.isatty():
                raise typer.BadParameter("parquet is binary: give --out FILE or redirect stdout")
            frame.write_parquet(sys.stdout.buffer)
        else:
            frame.write_parquet(out)
        return
    if fmt is OutputFormat.table:
        table = Table(title=Text(title) if title else None, show_lines=False)
        for name, dtype in frame.schema.items():
            numeric = dtype.is_numeric() and dtype != pl.Boolean
            table.add_column(Text(name), overflow="fold", justify="right" if numeric or name in right else "left")
        for row in frame.iter_rows():
            table.add_row(*(Text(_cell(v)) for v in row))
        if out is None:
            console.print(table)
            return
        with out.open("w", encoding="utf-8") as fh:
            PipeAwareConsole(file=fh, markup=False, highlight=False).print(table)
        return
    if fmt is OutputFormat.json:
        text = json.dumps(frame.to_dicts(), ensure_ascii=False, default=str, indent=None) + "\n"
    else:
        text = csv_frame(frame).write_csv()
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")


def formatted_money(frame: pl.DataFrame, columns: Sequence[str], currency: str = "currency") -> pl.DataFrame:
    """``columns`` (minor units) as text with their currency, e.g. 4529 USD -> ``"45.29 USD"``, for tables."""
    def fmt(row: dict[str, Any], name: str) -> str:
        value, code = row[name], row[currency]
        if value is None:
            return ""
        return format_amount(value, code, code=True) if code else str(value)

    rows = frame.select(*columns, currency).to_dicts()
    return frame.with_columns(pl.Series(name, [fmt(r, name) for r in rows], dtype=pl.String) for name in columns)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)
