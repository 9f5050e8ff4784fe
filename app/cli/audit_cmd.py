"""`tieout audit`: inspect, anchor and verify the hash-chained audit log."""

from __future__ import annotations

import json
from typing import Annotated, NoReturn, Optional

import polars as pl
import typer

from tieout.app.cli.common import (FormatOpt, OutFileOpt, OutputFormat, ReportFormat, ReportFormatOpt, WorkspaceOpt,
                                   emit, workspace)
from tieout.storage import audit
from tieout.storage.replay import replay

audit_app = typer.Typer(help="The append-only, hash-chained audit log.", no_args_is_help=True)


def register(cli: typer.Typer) -> None:
    cli.add_typer(audit_app, name="audit")


@audit_app.command("verify")
def verify(
    anchor_head: Annotated[Optional[str], typer.Option(
        "--anchor", help="A chain head written down earlier (`tieout audit anchor`): it must still be in the log.")
    ] = None,
    workspace_path: WorkspaceOpt = None,
) -> None:
    """Check every event's hash and link, the log's end against its anchor file (and --anchor), and that the
    review history replays to the stored state of every break, manual match and period; exit 1 naming what
    does not."""
    ws = workspace(workspace_path)
    anchor = audit.read_anchor(ws.anchor_path)
    with ws.session() as session:
        result = audit.verify(session, anchor, head=anchor_head)
    if not result.ok and result.broken_id is not None:
        _broken(f"BROKEN at audit event {result.broken_id}: {result.problem} "
                f"({result.events - 1} events verified before it, last good hash {result.head})")
    if not result.ok:
        _broken(f"BROKEN: {result.problem}")
    if anchor is None:
        _broken(f"BROKEN: no anchor file {ws.anchor_path}: the end of the log cannot be checked (deleting the "
                "newest events would go unseen); restore the file, or check against a head written elsewhere "
                "with --anchor")
    with ws.db_errors():
        conn = ws.raw()
        try:
            problems = replay(conn)
        finally:
            conn.close()
    if problems:
        typer.echo(f"BROKEN: {len(problems)} object(s) whose stored state has no audited cause:", err=True)
        for problem in problems:
            typer.echo(f"  {problem}", err=True)
        raise typer.Exit(1)
    typer.echo(f"OK: {result.events} events, chain head {result.head}; the anchor matches and the review history "
               "replays to the stored state")


def _broken(message: str) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(1)


@audit_app.command("anchor")
def anchor(
    fmt: ReportFormatOpt = ReportFormat.table,
    workspace_path: WorkspaceOpt = None,
) -> None:
    """Print the chain head, for a workpaper or a ticket; check it later with `tieout audit verify --anchor`."""
    ws = workspace(workspace_path)
    with ws.session() as session:
        position = audit.position(session)
    if fmt is ReportFormat.json:
        typer.echo(json.dumps({"head": position.head, "events": position.events}))
    else:
        typer.echo(position.head)


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
