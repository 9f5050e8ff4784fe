"""`tieout audit`: inspect and verify the hash-chained audit log."""

from __future__ import annotations

from typing import Annotated

import polars as pl
import typer

from tieout.app.cli.common import FormatOpt, OutFileOpt, OutputFormat, WorkspaceOpt, emit, workspace
from tieout.storage import audit

audit_app = typer.Typer(help="The append-only, hash-chained audit log.", no_args_is_help=True)


def register(cli: typer.Typer) -> None:
    cli.add_typer(audit_app, name="audit")


@audit_app.command("verify")
def verify(workspace_path: WorkspaceOpt = None) -> None:
    """Check every event's hash and link; exit 1 at the first broken event."""
    ws = workspace(workspace_path)
    with ws.session() as session:
        result = audit.verify(session)
    if result.ok:
        typer.echo(f"OK: {result.events} events, chain head {result.head}")
        return
    typer.echo(
        f"BROKEN at audit event {result.broken_id}: {result.problem} "
        f"({result.events - 1} events verified before it, last good hash {result.head})",
        err=True,
    )
    raise typer.Exit(1)


@audit_app.command("log")
def log(
    workspace_path: WorkspaceOpt = None,
    limit: Annotated[int, typer.Option(help="Newest N events (0 = all).")] = 50,
    fmt: FormatOpt = OutputFormat.table,
    out: OutFileOpt = None,
) -> None:
    """List audit events, newest first."""
    ws = workspace(workspace_path)
    frame = audit.events(ws.db_path, newest_first=True, limit=limit if limit > 0 else None)
    if fmt is OutputFormat.table:
        frame = frame.with_columns(pl.col("hash").str.slice(0, 12))
    emit(frame, fmt, out, title="Audit log")
