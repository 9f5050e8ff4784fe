"""The `tieout` command line.

Each command group lives in its own module under ``app.cli`` and exposes
``register(cli)``; :data:`COMMAND_MODULES` lists them in help order.
Expected failures (:class:`storage.errors.TieoutError`) print one line and
exit 1; usage errors exit 2.
"""

from __future__ import annotations

import importlib
import sys
from typing import Annotated, Optional

import typer

from app import __version__
from app.cli.common import err_console
from storage.errors import TieoutError

COMMAND_MODULES = [
    "app.cli.workspace_cmd",
    "app.cli.audit_cmd",
]

cli = typer.Typer(
    name="tieout",
    help="Reconcile billing (Stripe) with the ledger (NetSuite, CSV/XLSX) for month-end close.",
    no_args_is_help=False,
    add_completion=False,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"tieout {__version__}")
        raise typer.Exit()


@cli.callback(invoke_without_command=True)
def root(
    ctx: typer.Context,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """With no command, open the review app on the current workspace."""
    if ctx.invoked_subcommand is None:
        review = cli_command("review")
        if review is None:
            typer.echo(ctx.get_help())
            raise typer.Exit()
        ctx.invoke(review)


def cli_command(name: str):  # -> Callable | None
    """The callback of a registered top-level command, if any."""
    for info in cli.registered_commands:
        if (info.name or info.callback.__name__) == name:  # type: ignore[union-attr]
            return info.callback
    return None


for _module in COMMAND_MODULES:
    importlib.import_module(_module).register(cli)


def main() -> None:
    """Console entry point: run the CLI, turning tieout errors into one clear line."""
    try:
        cli(standalone_mode=True)
    except TieoutError as exc:
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False)
        sys.exit(1)
