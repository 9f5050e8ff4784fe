"""`tieout correct`: propose, approve or reject corrections, sign a plan, push it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from tieout.app.cli.common import FormatOpt, OutFileOpt, OutputFormat, WorkspaceOpt, console, emit, workspace
from tieout.reconcile.service import Service

correct_app = typer.Typer(help="Corrections back to the sources: propose → approve (another user) → plan → push.",
                          no_args_is_help=True)

PeriodOpt = Annotated[Optional[str], typer.Option("--period", "-p", help="Calendar month, e.g. 2026-10.")]


def register(cli: typer.Typer) -> None:
    cli.add_typer(correct_app, name="correct")


def _service(path: Path | None) -> Service:
    return Service(workspace(path))


def _say(text: str) -> None:
    console.print(text, soft_wrap=True)  # the console prints with markup off: data prints as written


@correct_app.command("propose")
def propose(
    break_id: Annotated[str, typer.Argument(help="The break to correct (its id or a unique prefix of 8+).",
                                            metavar="BREAK_ID")],
    type_: Annotated[Optional[str], typer.Option("--type", "-t", help="Correction type (default: the break kind's).")] = None,
    note: Annotated[Optional[str], typer.Option("--note", "-n", help="Why (a write-off needs one).")] = None,
    workspace_path: WorkspaceOpt = None,
) -> None:
    """Propose a correction for a break; it stores the exact request it will send."""
    svc = _service(workspace_path)
    row = svc.corrections.propose(svc.resolve_break_id(break_id), type_=type_, note=note)
    request = json.loads(row["payload"])
    what = f"{request['method']} {request['path']}" if request.get("method") else "record only (nothing is sent)"
    _say(f"correction {row['id']} proposed by {row['maker']}: {row['action']} — {what}")


@correct_app.command("list")
def list_(
    status: Annotated[Optional[str], typer.Option("--status", "-s", help="Only corrections in this status.")] = None,
    period: PeriodOpt = None,
    fmt: FormatOpt = OutputFormat.table,
    out: OutFileOpt = None,
    workspace_path: WorkspaceOpt = None,
) -> None:
    """Corrections, oldest first (amounts in minor units)."""
    emit(_service(workspace_path).corrections.list(status=status, period=period), fmt, out, title="Corrections")


@correct_app.command("approve")
def approve(correction_id: Annotated[int, typer.Argument(help="Correction id.")],
            workspace_path: WorkspaceOpt = None) -> None:
    """Approve as the current user (never the proposer; above the threshold, two approvers)."""
    row = _service(workspace_path).corrections.approve(correction_id)
    more = "; a second approver is needed" if row["status"] == "proposed" else ""
    _say(f"correction {row['id']}: approved by {row['checker2'] or row['checker']}; status {row['status']}{more}")


@correct_app.command("reject")
def reject(
    correction_id: Annotated[int, typer.Argument(help="Correction id.")],
    reason: Annotated[str, typer.Option("--reason", "-r", help="Why it must not be pushed.")],
    workspace_path: WorkspaceOpt = None,
) -> None:
    """Reject a correction (it is cancelled, with the reason)."""
    row = _service(workspace_path).corrections.reject(correction_id, reason=reason)
    _say(f"correction {row['id']}: rejected; status {row['status']}")


@correct_app.command("plan")
def plan(
    period: PeriodOpt = None,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Plan file (default: plans/HASH.json in the workspace).")] = None,
    workspace_path: WorkspaceOpt = None,
) -> None:
    """Write the approved corrections as one plan (deterministic JSON) and sign its SHA-256 as the current user."""
    svc = _service(workspace_path)
    signed = svc.corrections.plan(period)
    target = out or svc.ws.path / "plans" / f"{signed.hash}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(signed.text + "\n", encoding="utf-8")
    _say(f"plan {signed.hash}: {len(signed.entries)} correction(s), signed by {signed.signed_by}; written to {target}")
    typer.echo(signed.hash)


@correct_app.command("push")
def push(
    plan_hash: Annotated[str, typer.Option("--plan", help="The signed plan's SHA-256 (or its first 8+ characters).")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the requests; send nothing.")] = False,
    workspace_path: WorkspaceOpt = None,
) -> None:
    """Push exactly the signed plan; refused if anything in it changed after signing.  Exit 1 if any failed."""
    svc = _service(workspace_path)
    if dry_run:
        signed = svc.corrections.signed_plan(plan_hash)
        for entry in signed.entries:
            request = entry["request"]
            if request.get("method"):
                _say(f"#{entry['id']} {entry['type']} → {entry['source']}: {request['method']} {request['path']}")
                _say(json.dumps(request["body"], sort_keys=True, ensure_ascii=False))
            else:
                _say(f"#{entry['id']} {entry['type']}: record only, nothing is sent")
        _say(f"dry run: {len(signed.entries)} correction(s), nothing sent")
        return
    with console.status("pushing…") as status:
        def progress(outcome, done: int, total: int) -> None:  # type: ignore[no-untyped-def]
            status.update(f"pushing… {done}/{total}")
            _say(f"#{outcome.id}: {outcome.status} — {outcome.detail}")

        report = svc.corrections.push(plan_hash, progress=progress)
    pushed = sum(o.status == "pushed" for o in report.outcomes)
    failed = sum(o.status == "failed" for o in report.outcomes)
    _say(f"plan {report.plan_hash[:12]}: {pushed} pushed, {failed} failed")
    if failed:
        raise typer.Exit(1)
