"""`tieout review` (the app; also what bare `tieout` opens) and `tieout demo`."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Optional

import typer

from app.cli.common import WorkspaceOpt, console

DEMO_PERIOD = "2026-10"
SAMPLE_MONTH = Path(__file__).resolve().parents[2] / "sample_data" / "month"


def register(cli: typer.Typer) -> None:
    cli.command("review")(review)
    cli.command("demo")(demo)


PeriodOpt = Annotated[Optional[str], typer.Option("--period", "-p", help="Period YYYY-MM (default: 2026-10).")]
EntityOpt = Annotated[Optional[str], typer.Option("--entity", "-e", help="Entity code (default: all).")]


def review(workspace: WorkspaceOpt = None, period: PeriodOpt = None, entity: EntityOpt = None) -> None:
    """Open the review app: dashboard, break queue, break detail, sync."""
    from reconcile.service import open_workspace
    from app.tui.app import TieoutApp

    svc = open_workspace(workspace)
    TieoutApp(svc, period=period, entity=entity).run()


def demo(
    workspace: Annotated[Optional[Path], typer.Option("--workspace", "-w",
                                                      help="Workspace folder to create (default: a temp folder).")] = None,
    headless: Annotated[bool, typer.Option("--headless", help="Print the summary and exit instead of opening the app.")] = False,
) -> None:
    """Try tieout on the sample month: sandboxes, sync, match October 2026, then the app. No network, no prompts."""
    from reconcile.service import open_workspace
    from app.tui.app import TieoutApp
    from storage.workspace import init_workspace

    folder = workspace or Path(tempfile.mkdtemp(prefix="tieout-demo-")) / "ws"
    ws = init_workspace(folder, name="demo", user="demo")
    ws.close()
    svc = open_workspace(folder)
    sync = _sample_sync(svc.ws)
    sync(lambda text, fraction=None: console.print(text))
    summary = svc.match(DEMO_PERIOD, user="demo")
    if headless:
        _print_summary(svc, summary)
        console.print(f"workspace: {folder}  (open it with `tieout review -w {folder}`)")
        return
    TieoutApp(svc, period=DEMO_PERIOD, sync=sync).run()


def _sample_sync(ws):  # -> app.tui.app.SyncFn
    """Bring the sample month into ``ws``; reports progress like a real sync."""
    from connectors.sample_load import load_sample

    def sync(progress) -> None:
        progress(f"loading {SAMPLE_MONTH.name} …", 0.0)
        counts = load_sample(ws, SAMPLE_MONTH)
        for source, per_type in counts.items():
            new = sum(c.get("new", 0) for c in per_type.values())
            changed = sum(c.get("changed", 0) for c in per_type.values())
            progress(f"{source}: {new:,} new, {changed:,} changed records", 1.0)

    return sync


def _print_summary(svc, summary) -> None:
    """The match run's figures as tables: per domain and currency, then open breaks by kind."""
    from app.cli.common import OutputFormat, emit

    console.print(f"match run #{summary.run_id} for {summary.period}: "
                  f"{sum(summary.matched.values()):,} matched, "
                  f"{sum(v['count'] for v in summary.breaks_by_kind.values()):,} breaks")
    emit(svc.summary(summary.period), OutputFormat.table, title=f"reconciliation {summary.period}")
