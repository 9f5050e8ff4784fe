"""`tieout source | connect | sync | sandbox`: configure sources, store secrets, pull data, serve sandboxes."""

from __future__ import annotations

import errno
import time
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from tieout.app.cli.common import FormatOpt, OutFileOpt, OutputFormat, WorkspaceOpt, console, emit, err_console, workspace
from tieout.connectors.credentials import env_var, set_secret
from tieout.connectors.errors import ConnectorError
from tieout.connectors.sources import add_source, list_sources

source_app = typer.Typer(help="Configured sources (Stripe, NetSuite, CSV/XLSX files).", no_args_is_help=True)


class Kind(str, Enum):
    stripe = "stripe"
    netsuite = "netsuite"
    file = "file"


class Side(str, Enum):
    billing = "billing"
    erp = "erp"


class SandboxKind(str, Enum):
    stripe = "stripe"
    netsuite = "netsuite"


def register(cli: typer.Typer) -> None:
    cli.add_typer(source_app, name="source")
    cli.command("connect")(connect)
    cli.command("sync")(sync)
    cli.command("sandbox")(sandbox)


@source_app.command("add")
def source_add(
    name: Annotated[str, typer.Argument(help="Source name, e.g. stripe-us.")],
    kind: Annotated[Kind, typer.Option(help="System kind.")],
    side: Annotated[Side, typer.Option(help="billing (Stripe) or erp (ledger).")],
    url: Annotated[Optional[str], typer.Option(help="API base URL (default: the vendor's).")] = None,
    path: Annotated[Optional[Path], typer.Option(help="File source: the CSV/XLSX export.")] = None,
    mapping: Annotated[Optional[str], typer.Option(help="File source: mapping TOML or preset name.")] = None,
    entity: Annotated[Optional[str], typer.Option(help="Entity the source belongs to (default: per record).")] = None,
    workspace_path: WorkspaceOpt = None,
) -> None:
    """Add or update a source (settings in tieout.toml; the secret goes in with `tieout connect`)."""
    ws = workspace(workspace_path)
    add_source(ws, name, kind=kind.value, side=side.value, url=url, path=str(path) if path else None,
               mapping=mapping, entity=entity)
    console.print(f"Source [bold]{name}[/] ({kind.value}, {side.value}) saved.")
    if kind is not Kind.file:
        console.print(f"Next: `tieout connect {name}` (or set {env_var(name)}), then `tieout sync {name}`.")


@source_app.command("list")
def source_list(workspace_path: WorkspaceOpt = None, fmt: FormatOpt = OutputFormat.table, out: OutFileOpt = None) -> None:
    """Sources with kind, side, last sync and whether a secret is present (never the secret)."""
    emit(list_sources(workspace(workspace_path)), fmt, out, title="Sources")


def connect(
    name: Annotated[str, typer.Argument(help="Source name.")],
    workspace_path: WorkspaceOpt = None,
) -> None:
    """Store the source's secret in the OS keyring (typed without echo).

    Stripe: the secret API key.  NetSuite: JSON, either {"auth": "tba", "account", "consumer_key",
    "consumer_secret", "token_id", "token_secret"} or {"auth": "oauth2", "account", "client_id",
    "certificate_id", "private_key"}.
    """
    ws = workspace(workspace_path)
    if name not in ws.config.sources:
        raise ConnectorError(f"no source named {name!r}; add it first with `tieout source add`")
    secret = typer.prompt(f"Secret for {name}", hide_input=True)
    set_secret(name, secret.strip())
    ws.audit("source.connect", object_type="source", object_id=name, details={"stored_in": "keyring"})
    console.print(f"Secret for [bold]{name}[/] stored in the OS keyring (service 'tieout').")


EXIT_QUARANTINED = 3  # every source synced, but some records wait in the exception queue
QUARANTINE_SHOWN = 10


def sync(
    names: Annotated[Optional[list[str]], typer.Argument(metavar="SOURCE...",
                                                         help="Sources to sync (default: all).")] = None,
    domain: Annotated[Optional[list[str]], typer.Option(
        "--domain", "-d", metavar="DOMAIN", help="Only what this reconciliation needs: invoice, payment or revenue (repeatable; "
                               "default: all). Customers come with every domain.")] = None,
    workspace_path: WorkspaceOpt = None,
    fmt: FormatOpt = OutputFormat.table,
) -> None:
    """Pull sources into the store; exit 0 if every source synced, 3 if some records were set aside in the
    exception queue (named; see `tieout exceptions`), 1 if a source failed."""
    from tieout.connectors.sync import sync_sources

    ws = workspace(workspace_path)
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[stats]}"),
                  TimeElapsedColumn(), console=err_console, transient=False) as bar:
        tasks: dict[str, int] = {}

        def on_page(p) -> None:  # type: ignore[no-untyped-def]
            if p.source not in tasks:
                tasks[p.source] = bar.add_task(p.source, total=None, stats="")
            rate = p.records / p.seconds if p.seconds else 0.0
            bar.update(tasks[p.source], stats=f"{p.object_type}: {p.pages} pages, {p.records} records, {rate:,.0f}/s")

        results = sync_sources(ws, names, progress=on_page, domains=domain)
    import polars as pl

    rows = [
        {"source": r.source, "object_type": t, "new": c["new"], "changed": c["changed"], "unchanged": c["unchanged"]}
        for r in results for t, c in r.counts.items()
    ]
    emit(pl.DataFrame(rows, schema={"source": pl.String, "object_type": pl.String, "new": pl.Int64,
                                    "changed": pl.Int64, "unchanged": pl.Int64}), fmt, title="Sync")
    for r in results:
        line = f"{r.source}: {'ok' if r.ok else 'FAILED'} ({r.pages} pages, {r.records} records, {r.seconds:.1f} s)"
        err_console.print(line + (f" — {r.error}" if r.error else ""), highlight=False)
        if r.quarantined:
            err_console.print(f"{r.source}: {len(r.quarantined)} record(s) in the exception queue "
                              "(`tieout exceptions list`):", highlight=False)
            for entry in r.quarantined[:QUARANTINE_SHOWN]:
                err_console.print(f"  {entry}", highlight=False)
            if len(r.quarantined) > QUARANTINE_SHOWN:
                err_console.print(f"  … and {len(r.quarantined) - QUARANTINE_SHOWN} more", highlight=False)
    if not all(r.ok for r in results):
        raise typer.Exit(1)
    if any(r.quarantined for r in results):
        raise typer.Exit(EXIT_QUARANTINED)


def sandbox(
    kind: Annotated[SandboxKind, typer.Argument(help="Which API to imitate.")],
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1 (0 = any free port).")] = 0,
    secret: Annotated[Optional[str], typer.Option(help="Credential to accept (default: a fresh one).")] = None,
    data: Annotated[Optional[Path], typer.Option(help="sample_data folder to serve.")] = None,
    fault: Annotated[Optional[list[str]], typer.Option(help="KIND[:RATE], KIND one of 429, 500, slow, malformed, drop.")] = None,
) -> None:
    """Serve a local imitation of Stripe or NetSuite until stopped (Ctrl-C)."""
    import secrets as _secrets

    from tieout.connectors.sandbox import Faults, NetSuiteSandbox, StripeSandbox
    from tieout.connectors.sandbox.netsuite import default_secret

    folder = data or Path(__file__).resolve().parents[2] / "sample_data" / "month"
    faults = Faults.parse(fault)
    if kind is SandboxKind.stripe:
        server: StripeSandbox | NetSuiteSandbox = StripeSandbox(
            folder, secret=secret or f"sk_test_{_secrets.token_hex(12)}", faults=faults)
    else:
        server = NetSuiteSandbox(folder, secret=secret or default_secret(), faults=faults)
    try:
        url = server.start(port)
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise
        raise ConnectorError(f"port {port} on 127.0.0.1 is already in use; choose another --port, "
                             "or --port 0 for any free one") from None
    typer.echo(f"{kind.value} sandbox serving {folder} at {url}")
    typer.echo(f"credential: {server.secret}")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()
