"""`tieout period`: sign-off of a close period (prepare, review, lock, unlock)."""

from __future__ import annotations

from typing import Annotated, Callable, Optional

import polars as pl
import typer

from tieout.app.cli.common import FormatOpt, OutFileOpt, OutputFormat, WorkspaceOpt, emit, workspace
from tieout.reconcile.service import Service
from tieout.storage import periods

period_app = typer.Typer(help="Sign off a close period: prepare → review (another user) → lock.", no_args_is_help=True)

PeriodOpt = Annotated[str, typer.Option("--period", "-p", help="Calendar month, e.g. 2026-10.")]
EntityOpt = Annotated[Optional[str], typer.Option("--entity", "-e", help="One entity (default: the whole workspace).")]


def register(cli: typer.Typer) -> None:
    cli.add_typer(period_app, name="period")


@period_app.command("list")
def list_(workspace_path: WorkspaceOpt = None, fmt: FormatOpt = OutputFormat.table, out: OutFileOpt = None) -> None:
    """Every period that has been signed off or locked."""
    ws = workspace(workspace_path)
    with ws.session() as session:
        rows = [p.as_dict() for p in periods.list_periods(session)]
    schema = {name: pl.String for name in periods.PeriodState.__dataclass_fields__}
    emit(pl.DataFrame(rows, schema=schema), fmt, out, title="Periods")


def _step(action: Callable[..., periods.PeriodState], verb: str):
    def command(period: PeriodOpt, entity: EntityOpt = None, workspace_path: WorkspaceOpt = None) -> None:
        ws = workspace(workspace_path)
        with ws.session() as session:
            state = action(session, periods.check_period(period), entity, ws.user)
        typer.echo(f"{state.period} {state.entity or 'all entities'}: {verb} by {ws.user}; status {state.status}")

    command.__doc__ = f"Record that the current user {verb} the period."
    return command


@period_app.command("prepare")
def prepare(
    period: PeriodOpt,
    entity: EntityOpt = None,
    carry: Annotated[Optional[list[str]], typer.Option(
        "--carry-forward", help="An open break to carry into the next period (repeat for more).")] = None,
    all_open: Annotated[bool, typer.Option("--all-open", help="Carry every open break into the next period.")] = False,
    reason: Annotated[Optional[str], typer.Option("--reason", "-r", help="Why the carried breaks wait.")] = None,
    workspace_path: WorkspaceOpt = None,
) -> None:
    """Sign as preparer: every break resolved or explained, or carried forward explicitly with a reason."""
    ws = workspace(workspace_path)
    with ws.session() as session:
        state = periods.prepare(session, periods.check_period(period), entity, ws.user, carry=carry,
                                all_open=all_open, reason=reason)
        carried = len(periods.carried(session, period, entity, out_only=True))
    note = f"; {carried} break(s) carried into {periods.next_period(period)}" if carried else ""
    typer.echo(f"{state.period} {state.entity or 'all entities'}: prepared by {ws.user}; status {state.status}{note}")


period_app.command("review")(_step(periods.review, "reviewed"))
period_app.command("lock")(_step(periods.lock, "locked"))


@period_app.command("carried")
def carried(period: PeriodOpt, entity: EntityOpt = None, workspace_path: WorkspaceOpt = None,
            fmt: FormatOpt = OutputFormat.table, out: OutFileOpt = None) -> None:
    """Breaks carried out of the period when it was prepared (out) and into it from the one before (in)."""
    svc = Service(workspace(workspace_path))
    emit(svc.carried_forward(periods.check_period(period), entity), fmt, out, title=f"Carried forward · {period}")


@period_app.command("unlock")
def unlock(
    period: PeriodOpt,
    reason: Annotated[str, typer.Option("--reason", "-r", help="Why the signed-off period must change.")],
    entity: EntityOpt = None,
    workspace_path: WorkspaceOpt = None,
) -> None:
    """Reopen a locked period (clears the review sign-off; the reason is audited)."""
    ws = workspace(workspace_path)
    with ws.session() as session:
        state = periods.unlock(session, periods.check_period(period), entity, ws.user, reason)
    typer.echo(f"{state.period} {state.entity or 'all entities'}: unlocked by {ws.user}")
