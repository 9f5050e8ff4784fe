"""The `tieout` command line.

Each command group lives in its own module under ``app.cli`` and exposes
``register(cli)``; :data:`COMMAND_MODULES` lists them in help order.
Expected failures (:class:`storage.errors.TieoutError`) print one line on
stderr and exit 1; usage errors exit 2.  So do the failures of the machine
underneath (a damaged or read-only database, a full disk, a busy port): they
are described in one line naming the file, never as a traceback.
"""

from __future__ import annotations

import importlib
from typing import Annotated, Optional

import typer
from typer.core import TyperGroup

from tieout.app import __version__
from tieout.app.cli.common import last_database, one_line
from tieout.app.cli.help_style import conventional
from tieout.storage.errors import TieoutError, describe_db_error, is_db_error

COMMAND_MODULES = [
    "tieout.app.cli.workspace_cmd",
    "tieout.app.cli.sources_cmd",
    "tieout.app.cli.period_cmd",
    "tieout.app.cli.match_cmd",
    "tieout.app.cli.audit_cmd",
    "tieout.app.cli.export_cmd",
    "tieout.app.cli.review_cmd",
    "tieout.app.cli.correct_cmd",
    "tieout.app.cli.exceptions_cmd",
    "tieout.app.cli.doctor_cmd",
]


class _Group(TyperGroup):
    """The root command: help in click's conventions; an expected failure (a TieoutError, or the machine
    underneath: a damaged or read-only database, a full disk) becomes one line on stderr, exit 1."""

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        conventional(self)

    def invoke(self, ctx):  # type: ignore[no-untyped-def]
        try:
            return super().invoke(ctx)
        except (TieoutError, OSError) as exc:
            typer.echo(f"error: {one_line(exc)}", err=True)
            raise typer.Exit(1) from None
        except Exception as exc:
            if not is_db_error(exc):
                raise
            typer.echo(f"error: {describe_db_error(exc, last_database() or 'the workspace database')}", err=True)
            raise typer.Exit(1) from None


cli = typer.Typer(
    name="tieout",
    cls=_Group,
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
    """Console entry point."""
    cli()
