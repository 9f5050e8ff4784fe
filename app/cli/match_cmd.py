"""`tieout match | breaks | break | rules`: run the engine and work breaks headless."""

from __future__ import annotations

import json
from typing import Annotated, Optional

import polars as pl
import typer
from rich.table import Table

from tieout.app.cli.common import FormatOpt, OutFileOpt, OutputFormat, WorkspaceOpt, console, emit, workspace
from tieout.reconcile.rules import load_ruleset
from tieout.reconcile.service import Service
from tieout.storage.vocabulary import REASON_CODES
from tieout.storage.money import format_amount

PeriodOpt = Annotated[str, typer.Option("--period", "-p", help="Period YYYY-MM (posting month).")]
EntityOpt = Annotated[Optional[str], typer.Option("--entity", "-e", help="Only this entity (e.g. US).")]
DomainOpt = Annotated[Optional[str], typer.Option("--domain", "-d", help="Only this domain (e.g. invoice).")]

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
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help="table or json.")] = OutputFormat.table,
    workspace_path: WorkspaceOpt = None,
) -> None:
    """Match a period: prints matched counts and breaks by kind with the amounts at stake."""
    summary = _service(workspace_path).match(period, entity=entity, domain=domain, dry_run=dry_run)
    if fmt is OutputFormat.json:
        typer.echo(json.dumps(summary.as_dict(), sort_keys=True))
        return
    title = f"Match {period}" + (f" {entity}" if entity else "") + (" (dry run, nothing stored)" if dry_run else
                                                                     f" (run {summary.run_id})")
    table = Table(title=title)
    for col in ("domain", "kind", "count", "amount at stake"):
        table.add_column(col, justify="right" if col == "count" else "left")
    for dom, n in summary.matched.items():
        table.add_row(dom, "[green]matched[/]", str(n), "")
    for (dom, kind), entry in sorted(summary.breaks_by_kind.items()):
        amounts = ", ".join(format_amount(v, c, code=True) for c, v in sorted(entry["amounts"].items()) if c)
        table.add_row(dom, kind, str(entry["count"]), amounts)
    console.print(table)
    console.print(f"ruleset {summary.ruleset_hash[:12]}  inputs {summary.input_fingerprint[:12]}", highlight=False)


def breaks(
    period: Annotated[Optional[str], typer.Option("--period", "-p", help="Period YYYY-MM.")] = None,
    domain: DomainOpt = None,
    kind: Annotated[Optional[str], typer.Option("--kind", "-k", help="e.g. amount_mismatch.")] = None,
    status: Annotated[Optional[str], typer.Option("--status", "-s", help="open, investigating, ...")] = None,
    entity: EntityOpt = None,
    assignee: Annotated[Optional[str], typer.Option("--assignee", help="Assigned to this user.")] = None,
    fmt: FormatOpt = OutputFormat.table,
    out: OutFileOpt = None,
    workspace_path: WorkspaceOpt = None,
) -> None:
    """List breaks (amounts in minor units), largest first."""
    frame = _service(workspace_path).breaks(period, domain=domain, kind=kind, status=status, entity=entity,
                                            assignee=assignee)
    if fmt is OutputFormat.table:
        frame = frame.select("id", "kind", "status", "period", "entity", "currency", "amount", "billing_ids",
                             "erp_ids", "assignee")
    emit(frame, fmt, out, title=f"Breaks ({frame.height})")


@break_app.command("show")
def show(
    break_id: Annotated[str, typer.Argument(help="Break id (from `tieout breaks`).")],
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help="table or json.")] = OutputFormat.table,
    workspace_path: WorkspaceOpt = None,
) -> None:
    """One break: both sides' records, raw payloads, lineage and history."""
    detail = _service(workspace_path).break_detail(break_id)
    if fmt is OutputFormat.json:
        from dataclasses import asdict

        typer.echo(json.dumps(asdict(detail), default=str, sort_keys=True))
        return
    b = detail.brk
    console.print(f"[bold]{b['id']}[/]  {b['kind']}  [{b['status']}]  {b['period']} {b['entity'] or ''}  "
                  f"at stake {format_amount(b['amount'], b['currency'], code=True) if b['currency'] else b['amount']}",
                  highlight=False)
    console.print(f"rule: {b['rule'] or '-'}  details: {json.dumps(b['details'])}", highlight=False)
    for side, views in (("billing", detail.billing), ("erp", detail.erp)):
        for v in views:
            table = Table(title=f"{side}: {v.table} {v.external_id}  (source {v.lineage['source']}, "
                                f"sync run {v.lineage['sync_run_id']}, payload v{v.lineage['version']})")
            table.add_column("field")
            table.add_column("value")
            for k, val in v.fields.items():
                table.add_row(k, "" if val is None else str(val))
            console.print(table)
    for e in detail.events:
        console.print(f"{e['at']}  {e['user']}  {e['action']}  {e['from_status'] or ''}→{e['to_status'] or ''}  "
                      f"{e['reason'] or ''} {e['note'] or ''}".rstrip(), highlight=False)


@break_app.command("set")
def set_status(
    break_id: Annotated[str, typer.Argument(help="Break id.")],
    status: Annotated[str, typer.Option("--status", "-s", help="open | investigating | explained | resolved")],
    reason: Annotated[Optional[str], typer.Option("--reason", "-r",
                                                  help=f"Reason code: {', '.join(REASON_CODES)}")] = None,
    note: Annotated[Optional[str], typer.Option("--note", "-n", help="Free-text note.")] = None,
    assignee: Annotated[Optional[str], typer.Option("--assign", help="Also assign it to this user.")] = None,
    workspace_path: WorkspaceOpt = None,
) -> None:
    """Change a break's status (with a reason code and note); recorded in the audit log."""
    svc = _service(workspace_path)
    svc.set_status(break_id, status, reason=reason, note=note)
    if assignee is not None:
        svc.assign(break_id, assignee or None)
    typer.echo(f"{break_id}: {status}")


@rules_app.command("check")
def rules_check(
    path: Annotated[Optional[str], typer.Argument(help="A ruleset file (default: the workspace's).")] = None,
    workspace_path: WorkspaceOpt = None,
) -> None:
    """Validate a ruleset; exit 1 with the problem named."""
    ruleset = load_ruleset(path) if path else _service(workspace_path).ruleset()
    passes = sum(len(d.passes) for d in ruleset.domains.values())
    typer.echo(f"OK: {ruleset.source}: {len(ruleset.domains)} domain(s), {passes} pass(es), "
               f"hash {ruleset.hash[:12]}")


@rules_app.command("show")
def rules_show(
    path: Annotated[Optional[str], typer.Argument(help="A ruleset file (default: the workspace's).")] = None,
    fmt: FormatOpt = OutputFormat.table,
    out: OutFileOpt = None,
    workspace_path: WorkspaceOpt = None,
) -> None:
    """The passes in order, with keys, tolerances and cardinality."""
    ruleset = load_ruleset(path) if path else _service(workspace_path).ruleset()
    emit(pl.DataFrame(ruleset.describe()), fmt, out, title=f"Ruleset {ruleset.source} ({ruleset.hash[:12]})")
