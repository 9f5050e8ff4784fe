"""`tieout review` (the app; also what bare `tieout` opens) and `tieout demo`."""

from __future__ import annotations

import os
import tempfile
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Optional

import typer

from tieout.app.cli.common import WorkspaceOpt, console

DEMO_PERIOD = "2026-10"
SAMPLE_MONTH = Path(str(files("tieout.sample_data") / "month"))
"""The committed sample month (Stripe- and NetSuite-shaped files) the demo serves."""


def register(cli: typer.Typer) -> None:
    cli.command("review")(review)
    cli.command("demo")(demo)


PeriodOpt = Annotated[Optional[str], typer.Option("--period", "-p", metavar="YYYY-MM",
                                                  help="Period (default: the latest matched, else last month).")]
EntityOpt = Annotated[Optional[str], typer.Option("--entity", "-e", metavar="ENTITY", help="Entity code (default: all).")]


def review(workspace: WorkspaceOpt = None, period: PeriodOpt = None, entity: EntityOpt = None) -> None:
    """Open the review app: dashboard, break queue, break detail, sync."""
    from tieout.app.tui.app import TieoutApp
    from tieout.reconcile.service import open_workspace

    svc = open_workspace(workspace)
    TieoutApp(svc, period=period, entity=entity).run()


def demo(
    workspace: Annotated[Optional[Path], typer.Option("--workspace", "-w", metavar="DIR",
                                                      help="Workspace folder to create (default: a temp folder).")] = None,
    headless: Annotated[bool, typer.Option("--headless/--no-headless",
                                           help="Print the summary and exit instead of opening the app.")] = False,
    data: Annotated[Path, typer.Option("--data", metavar="DIR", show_default=False,
                                       help="A sample_data folder to serve (default: the committed month).",
                                       exists=True, file_okay=False)] = SAMPLE_MONTH,
) -> None:
    """Try tieout on the sample month: sandboxes, sync, match October 2026, then the app. No network, no prompts."""
    from tieout.app.tui.app import TieoutApp
    from tieout.connectors.credentials import env_var
    from tieout.connectors.sandbox import NetSuiteSandbox, StripeSandbox
    from tieout.connectors.sandbox.netsuite import default_secret
    from tieout.connectors.sources import add_source
    from tieout.reconcile.service import open_workspace
    from tieout.storage.workspace import init_workspace

    folder = workspace or Path(tempfile.mkdtemp(prefix="tieout-demo-")) / "ws"
    ws = init_workspace(folder, name="demo", user="demo")
    ws.close()
    svc = open_workspace(folder)
    # sandbox credentials, not secrets: handed to this process only (never keyring, config or disk)
    credentials = {"stripe": "sk_test_tieout_demo", "netsuite": default_secret()}
    os.environ.update({env_var(name): secret for name, secret in credentials.items()})
    stripe = StripeSandbox(data, secret=credentials["stripe"])
    netsuite = NetSuiteSandbox(data, secret=credentials["netsuite"])
    with stripe.serving() as stripe_url, netsuite.serving() as netsuite_url:
        add_source(svc.ws, "stripe", kind="stripe", side="billing", url=stripe_url)
        add_source(svc.ws, "netsuite", kind="netsuite", side="erp", url=netsuite_url)
        last: dict[str, str] = {}

        def report(text: str, fraction: float | None = None) -> None:
            source = text.split(":", 1)[0]
            if fraction == 1.0 or last.get(source) is None:
                console.print(text)
            last[source] = text

        summary = svc.sync_and_match(DEMO_PERIOD, report, user="demo")
        if headless:
            _print_summary(svc, summary)
            console.print(f"workspace: {folder}  (sandboxes stop now; browse it with `tieout review -w {folder}`)")
            return
        TieoutApp(svc, period=DEMO_PERIOD).run()


def _print_summary(svc, summary) -> None:
    """The match run's figures: per domain and currency, then open breaks by kind (amounts formatted)."""
    from rich.table import Table

    from tieout.storage.money import format_amount

    matched = sum(summary.matched.values())
    breaks = sum(v["count"] for v in summary.breaks_by_kind.values())
    console.print(f"match runs {summary.runs} for {summary.period}: {matched:,} matched, {breaks:,} breaks")
    table = Table(title=f"reconciliation {summary.period}")
    for col in ("domain", "cur", "billing", "billing total", "ERP", "ERP total", "matched", "open breaks",
                "open amount"):
        table.add_column(col, justify="left" if col in ("domain", "cur") else "right")
    for r in svc.summary(summary.period).iter_rows(named=True):
        cur = r["currency"]
        table.add_row(r["domain"], cur, f"{r['billing_count']:,}", format_amount(r["billing_total"], cur),
                      f"{r['erp_count']:,}", format_amount(r["erp_total"], cur), f"{r['matched_count']:,}",
                      f"{r['open_breaks']:,}", format_amount(r["open_amount"], cur))
    console.print(table, width=max(console.width, 110))
    kinds = Table(title="breaks by kind")
    for col in ("domain", "kind", "count", "amounts"):
        kinds.add_column(col, justify="right" if col == "count" else "left")
    for (domain, kind), v in sorted(summary.breaks_by_kind.items()):
        amounts = ", ".join(f"{c} {format_amount(a, c)}" for c, a in sorted(v["amounts"].items()))
        kinds.add_row(domain, kind, f"{v['count']:,}", amounts)
    console.print(kinds, width=max(console.width, 110))
