"""`tieout init`: create a workspace."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from tieout.app.cli.common import WorkspaceOpt, console
from tieout.storage.workspace import init_workspace


def register(cli: typer.Typer) -> None:
    cli.command("init")(init)


def init(
    path: Annotated[Optional[Path], typer.Argument(help="Folder to create (default: the current folder).")] = None,
    name: Annotated[Optional[str], typer.Option(help="Workspace name (default: the folder name).")] = None,
    user: Annotated[Optional[str], typer.Option(help="Default user recorded in the audit log.")] = None,
    workspace_path: WorkspaceOpt = None,
) -> None:
    """Create a workspace: tieout.toml (settings) and tieout.db (data, owner-only)."""
    ws = init_workspace(path or workspace_path, name=name, user=user)
    console.print(f"Created workspace [bold]{ws.config.name}[/] in {ws.path}")
    console.print("Next: `tieout source add ...` then `tieout sync`, or `tieout demo` to try the sample month.")
    ws.close()
