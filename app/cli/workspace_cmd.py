"""`tieout init`: create a workspace; `tieout compact`: rewrite its database without free space."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from rich.markup import escape

from tieout.app.cli.common import WorkspaceOpt, console
from tieout.storage.workspace import init_workspace, open_workspace


def register(cli: typer.Typer) -> None:
    cli.command("init")(init)
    cli.command("compact")(compact)


def init(
    path: Annotated[Optional[Path], typer.Argument(help="Folder to create (default: the current folder).")] = None,
    name: Annotated[Optional[str], typer.Option(help="Workspace name (default: the folder name).")] = None,
    user: Annotated[Optional[str], typer.Option(help="Default user recorded in the audit log.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Use an existing folder others can read, making it "
                                                        "owner-only (0700).")] = False,
    workspace_path: WorkspaceOpt = None,
) -> None:
    """Create a workspace: tieout.toml (settings) and tieout.db (data), both owner-only."""
    ws = init_workspace(path or workspace_path, name=name, user=user, force=force)
    if ws.previous_mode is not None:
        typer.echo(f"note: changed the mode of {ws.path} from {ws.previous_mode:04o} to 0700", err=True)
    console.print(f"Created workspace [bold]{ws.config.name}[/] in {ws.path}")
    console.print("Next: `tieout source add ...` then `tieout sync`, or `tieout demo` to try the sample month.")
    ws.close()


def compact(workspace_path: WorkspaceOpt = None) -> None:
    """Rewrite the database without free pages (after big syncs or an upgrade); refuses while the workspace is open
    elsewhere. The old file is kept as tieout.db.bak until the new one is in place."""
    from tieout.storage.compact import compact as compact_db

    ws = open_workspace(workspace_path)
    try:
        result = compact_db(ws)
        ws.audit("workspace.compact", object_type="workspace", object_id=ws.config.name,
                 details={"bytes_before": result.bytes_before, "bytes_after": result.bytes_after})
    finally:
        ws.close()
    console.print(f"Compacted {escape(str(ws.db_path))}: {result.bytes_before:,} bytes before, "
                  f"{result.bytes_after:,} after", soft_wrap=True)
