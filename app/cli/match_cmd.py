"""`tieout match | breaks | break | rules`: run the engine and work breaks headless."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Annotated, Optional

import polars as pl
import typer
from rich.table import Table
from rich.text import Text

from tieout.app.cli.break_report import break_report
from tieout.app.cli.common import (FormatOpt, OutFileOpt, OutputFormat, ReportFormat, ReportFormatOpt, WorkspaceOpt,
                                   console, emit, formatted_money, workspace)
from tieout.reconcile.rules import load_ruleset
from tieout.reconcile.service import Service
from tieout.storage.errors import TieoutError
from tieout.storage.vocabulary import REASON_CODES, REVIEW_STATUSES, STATUSES, UNSETTLED_STATUSES
from tieout.storage.money import format_amount

PeriodOpt = Annotated[str, typer.Option("--period", "-p", metavar="YYYY-MM", help="Period (posting month).")]
EntityOpt = Annotated[Optional[str], typer.Option("--entity", "-e", metavar="ENTITY",
                                                  help="Only this entity (e.g. US).")]
DomainOpt = Annotated[Optional[str], typer.Option("--domain", "-d", metavar="DOMAIN",
                                                  help="Only this domain (e.g. invoice).")]
BreakIdArg = Annotated[str, typer.Argument(metavar="BREAK_ID",
                                           help="Break id, or a unique prefix of at least 8 characters.")]
BREAKS_TABLE = ("id", "kind", "status", "period", "entity", "amount", "billing_ids", "erp_ids", "assignee")
BREAK_TIMESTAMPS = ("opened_at", "updated_at", "resolved_at")

break_app = typer.Typer(help="Look at and work one break.", no_args_is_help=True)
rules_app = typer.Typer(help="The matching ruleset (default, or [workspace] ruleset in tieout.toml).",
                        no_args_is_help=True)


def register(cli: typer.Typer) -> None:
    cli.command("match")(match)
    cli.command("breaks")(breaks)
    cli.add_typer(break_app, name="break")
    cli.add_typer(rules_app, name="rules")


def _service(path) -> Service:
    return Service(workspace(path))


def match(
    period: PeriodOpt,
    entity: EntityOpt = None,
    domain: DomainOpt = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Match and report, store nothing.")] = False,
    fmt: ReportFormatOpt = ReportFormat.table,
    require_fresh: Annotated[bool, typer.Option(
        "--require-fresh", help="Refuse to match while a source's latest sync failed or did not finish.")] = False,
    workspace_path: WorkspaceOpt = None,
) -> None:
    """Match a period: prints matched counts and breaks by kind with the amounts at stake.

    Warns (or with --require-fresh refuses) when a source's latest sync failed or did not finish: its
    stored data may be partial, and breaks found on it may be spurious."""
    svc = _service(workspace_path)
    stale = svc.stale_sources()
    if stale and require_fresh:
        raise TieoutError(f"{stale[0].describe()}; sync it again before matching (--require-fresh)"
                          + (f" (and {len(stale) - 1} more source(s))" if len(stale) > 1 else ""))
    for source in stale:
        typer.echo(f"warning: {source.describe()}: matching on partial data may report spurious breaks", err=True)
    summary = svc.match(period, entity=entity, domain=domain, dry_run=dry_run)
    if fmt is ReportFormat.json:
        typer.echo(json.dumps(summary.as_dict(), sort_keys=True))
        return
    title = f"Match {period}" + (f" {entity}" if entity else "") + (" (dry run, nothing stored)" if dry_run else
                                                                     f" (run {summary.run_id})")
    table = Table(title=Text(title))
    for col in ("domain", "kind", "count", "amount at stake"):
        table.add_column(col, justify="right" if col == "count" else "left")
    for dom, n in summary.matched.items():
        table.add_row(Text(dom), Text("matched", style="green"), str(n), "")
    for (dom, kind), entry in sorted(summary.breaks_by_kind.items()):
        amounts = ", ".join(format_amount(v, c, code=True) for c, v in sorted(entry["amounts"].items()) if c)
        table.add_row(Text(dom), Text(kind), str(entry["count"]), Text(amounts))
    console.print(table)
    console.print(f"ruleset {summary.ruleset_hash[:12]}  inputs {summary.input_fingerprint[:12]}")


def breaks(
    period: Annotated[Optional[str], typer.Option("--period", "-p", metavar="YYYY-MM", help="Period.")] = None,
    domain: DomainOpt = None,
    kind: Annotated[Optional[str], typer.Option("--kind", "-k", metavar="KIND", help="e.g. amount_mismatch.")] = None,
    status: Annotated[Optional[list[str]], typer.Option(
        "--status", "-s", metavar="STATUS",
        help=f"Only this status (repeatable): {', '.join(STATUSES)}. "
             f"Default: {', '.join(UNSETTLED_STATUSES)}.")] = None,
    all_: Annotated[bool, typer.Option("--all", "-a", help="Every status, resolved and auto_resolved too.")] = False,
    entity: EntityOpt = None,
    assignee: Annotated[Optional[str], typer.Option("--assignee", metavar="USER",
                                                    help="Assigned to this user.")] = None,
    fmt: FormatOpt = OutputFormat.table,
    out: OutFileOpt = None,
    workspace_path: WorkspaceOpt = None,
) -> None:
    """List breaks, largest amount first: open, investigating and explained ones unless --status or --all.

    The table shows amounts with their currency; json, csv and parquet keep integer minor units with a currency column.
    """
    if status and all_:
        raise typer.BadParameter("give --status or --all, not both", param_hint="--all")
    wanted = status or (None if all_ else UNSETTLED_STATUSES)
    frame = _service(workspace_path).breaks(period, domain=domain, kind=kind, status=wanted, entity=entity,
                                            assignee=assignee)
    if fmt is OutputFormat.table:
        frame = formatted_money(frame, ["amount"]).select(BREAKS_TABLE)
    emit(frame, fmt, out, title=f"Breaks ({frame.height})", timestamps=BREAK_TIMESTAMPS, right=("amount",))


@break_app.command("show")
def show(
    break_id: BreakIdArg,
    raw: Annotated[bool, typer.Option("--raw", help="Also print each record's raw payload as the source sent it.")] = False,
    fmt: ReportFormatOpt = ReportFormat.table,
    workspace_path: WorkspaceOpt = None,
) -> None:
    """One break: status, both sides' records (amounts formatted), lineage and history; raw payloads with --raw."""
    svc = _service(workspace_path)
    detail = svc.break_detail(svc.resolve_break_id(break_id))
    if fmt is ReportFormat.json:
        data = asdict(detail)
        if not raw:
            for record in (*data["billing"], *data["erp"]):
                del record["raw_payload"]
        typer.echo(json.dumps(data, default=str, sort_keys=True))
        return
    for line in break_report(detail, raw=raw):
        console.print(line)


@break_app.command("set")
def set_status(
    break_id: BreakIdArg,
    status: Annotated[str, typer.Option("--status", "-s", metavar="STATUS",
                                        help=f"One of {', '.join(REVIEW_STATUSES)}.")],
    reason: Annotated[Optional[str], typer.Option("--reason", "-r", metavar="CODE",
                                                  help=f"Reason code: {', '.join(REASON_CODES)}")] = None,
    note: Annotated[Optional[str], typer.Option("--note", "-n", metavar="TEXT", help="Free-text note.")] = None,
    assignee: Annotated[Optional[str], typer.Option("--assign", metavar="USER",
                                                    help="Also assign it to this user.")] = None,
    workspace_path: WorkspaceOpt = None,
) -> None:
    """Change a break's status (with a reason code and note); recorded in the audit log."""
    svc = _service(workspace_path)
    break_id = svc.resolve_break_id(break_id)
    svc.set_status(break_id, status, reason=reason, note=note)
    if assignee is not None:
        svc.assign(break_id, assignee or None)
    typer.echo(f"{break_id}: {status}")


@rules_app.command("check")
def rules_check(
    path: Annotated[Optional[str], typer.Argument(metavar="RULES_TOML",
                                                  help="A ruleset file (default: the workspace's).")] = None,
    workspace_path: WorkspaceOpt = None,
) -> None:
    """Validate a ruleset; exit 1 with the problem named."""
    ruleset = load_ruleset(path) if path else _service(workspace_path).ruleset()
    passes = sum(len(d.passes) for d in ruleset.domains.values())
    typer.echo(f"OK: {ruleset.source}: {len(ruleset.domains)} domain(s), {passes} pass(es), "
               f"hash {ruleset.hash[:12]}")


@rules_app.command("show")
def rules_show(
    path: Annotated[Optional[str], typer.Argument(metavar="RULES_TOML",
                                                  help="A ruleset file (default: the workspace's).")] = None,
    fmt: FormatOpt = OutputFormat.table,
    out: OutFileOpt = None,
    workspace_path: WorkspaceOpt = None,
) -> None:
    """The passes in order, with keys, tolerances and cardinality."""
    ruleset = load_ruleset(path) if path else _service(workspace_path).ruleset()
    emit(pl.DataFrame(ruleset.describe()), fmt, out, title=f"Ruleset {ruleset.source} ({ruleset.hash[:12]})")
