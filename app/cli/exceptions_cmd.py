"""`tieout exceptions list | show | retry`: the queue of source records that could not be mapped."""

from __future__ import annotations

import json
from typing import Annotated, Optional

import typer

from tieout.app.cli.common import FormatOpt, OutFileOpt, OutputFormat, WorkspaceOpt, emit, workspace
from tieout.storage.errors import TieoutError

exceptions_app = typer.Typer(help="Records a sync could not map: kept here, retried on every sync.",
                             no_args_is_help=True)


def register(cli: typer.Typer) -> None:
    cli.add_typer(exceptions_app, name="exceptions")


@exceptions_app.command("list")
def list_(workspace_path: WorkspaceOpt = None, fmt: FormatOpt = OutputFormat.table, out: OutFileOpt = None) -> None:
    """Queued records: source, object type, id, raw version held, error, attempts."""
    from tieout.storage.quarantine import queue_frame

    frame = queue_frame(workspace(workspace_path).db_path)
    emit(frame, fmt, out, title=f"Exception queue ({frame.height})")


@exceptions_app.command("show")
def show(
    entry_id: Annotated[int, typer.Argument(help="Queue id (from `tieout exceptions list`).")],
    workspace_path: WorkspaceOpt = None,
) -> None:
    """One queued record with its error and the payload the source sent (JSON)."""
    from tieout.storage.quarantine import entries

    ws = workspace(workspace_path)
    conn = ws.raw()
    try:
        found = entries(conn, ids=[entry_id])
    finally:
        conn.close()
    if not found:
        raise TieoutError(f"exception {entry_id}: no such record in the queue (`tieout exceptions list`)")
    entry = found[0]
    data = {k: v for k, v in entry.__dict__.items() if k != "source_id"}
    typer.echo(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, default=str))


@exceptions_app.command("retry")
def retry(
    entry_ids: Annotated[Optional[list[int]], typer.Argument(help="Queue ids (default: all).")] = None,
    workspace_path: WorkspaceOpt = None,
) -> None:
    """Map queued records again now (a sync does this too); exit 3 while some still do not map."""
    from tieout.connectors.quarantine import retry_workspace

    outcome = retry_workspace(workspace(workspace_path), entry_ids or None)
    for name in outcome.mapped:
        typer.echo(f"mapped, left the queue: {name}")
    for name in outcome.still:
        typer.echo(f"still refused: {name}", err=True)
    if outcome.still:
        raise typer.Exit(3)
