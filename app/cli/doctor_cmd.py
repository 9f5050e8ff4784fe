"""`tieout doctor`: one line per health check of a workspace, OK or what to do; exit 1 on any failure."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import typer

from tieout.app.cli.common import WorkspaceOpt
from tieout.storage import audit, health, quarantine, sources
from tieout.storage.errors import TieoutError
from tieout.storage.migrate import head_revision, pending_migrations
from tieout.storage.replay import replay
from tieout.storage.workspace import CONFIG_NAME, DB_NAME, Workspace, open_workspace, resolve_path

Finding = tuple[bool, str]  # (ok, "what: how it is, or what to do")


def register(cli: typer.Typer) -> None:
    cli.command("doctor")(doctor)


def doctor(workspace_path: WorkspaceOpt = None) -> None:
    """Check the workspace: schema and pending migrations, database integrity, the audit chain against its
    anchor, the keyring, each source (reachable, last sync), the exception queue, open periods, disk space
    and file modes.  One line each; exit 1 if any check fails."""
    ws = open_workspace(resolve_path(workspace_path), migrate=False)  # unopenable: one line, exit 1
    failed = 0
    for ok, line in _findings(ws):
        typer.echo(f"{'OK  ' if ok else 'FAIL'}  {line}")
        failed += not ok
    if failed:
        typer.echo(f"{failed} check(s) failed", err=True)
        raise typer.Exit(1)


def _findings(ws: Workspace) -> Iterator[Finding]:
    try:
        for check in (_schema, _integrity, _audit, _keyring, _sources, _queue, _periods, _disk, _modes):
            try:
                yield from check(ws)
            except TieoutError as exc:
                yield False, f"{check.__name__.strip('_')}: {exc}"
    finally:
        ws.close()


def _schema(ws: Workspace) -> Iterator[Finding]:
    pending = pending_migrations(ws.engine)
    if pending:
        yield True, (f"schema: {len(pending)} migration(s) pending ({', '.join(pending)}); the next tieout "
                     "command applies them (back up tieout.db first if you like)")
    else:
        yield True, f"schema: revision {head_revision()}, no pending migrations"


def _raw(ws: Workspace, fn: Callable):  # type: ignore[no-untyped-def]
    with ws.db_errors():
        conn = ws.raw()
        try:
            return fn(conn)
        finally:
            conn.close()


def _integrity(ws: Workspace) -> Iterator[Finding]:
    problems = _raw(ws, health.integrity_problems)
    yield (not problems, "integrity: ok" if not problems else
           f"integrity: {ws.db_path} is damaged ({'; '.join(problems)}); restore it from a backup")


def _audit(ws: Workspace) -> Iterator[Finding]:
    anchor = audit.read_anchor(ws.anchor_path)
    with ws.session() as session:
        result = audit.verify(session, anchor)
    if not result.ok:
        where = f" at event {result.broken_id}" if result.broken_id is not None else ""
        yield False, f"audit: chain broken{where}: {result.problem}; run `tieout audit verify` for details"
        return
    if anchor is None:
        yield False, f"audit: no anchor file {ws.anchor_path}; the end of the log cannot be checked"
        return
    problems = _raw(ws, replay)
    if problems:
        yield False, (f"audit: {len(problems)} object(s) whose state has no audited cause (first: {problems[0]}); "
                      "run `tieout audit verify`")
        return
    yield True, f"audit: {result.events} events verify against the anchor, review history replays"


def _keyring(ws: Workspace) -> Iterator[Finding]:
    from tieout.connectors.health import keyring_problem

    yield keyring_problem(ws)


def _sources(ws: Workspace) -> Iterator[Finding]:
    from tieout.connectors.health import source_problem

    last = {row["name"]: row for row in sources.sources_with_last_sync(ws.db_path).iter_rows(named=True)}
    if not ws.config.sources:
        yield True, "sources: none configured (`tieout source add`)"
    for name in sorted(ws.config.sources):
        problem = source_problem(ws, name)
        run = last.get(name)
        if problem:
            yield False, f"source {name}: {problem}"
        elif run is None or run["last_sync_status"] is None:
            yield False, f"source {name}: reachable, never synced; run `tieout sync {name}`"
        elif run["last_sync_status"] != "ok":
            yield False, (f"source {name}: reachable; its last sync ({run['last_sync_at']}) "
                          f"{'did not finish' if run['last_sync_status'] == 'running' else 'failed'}: "
                          f"{run['last_sync_error'] or '-'}; run `tieout sync {name}`")
        else:
            yield True, f"source {name}: reachable; last sync ok, started {run['last_sync_at']}"


def _queue(ws: Workspace) -> Iterator[Finding]:
    waiting = quarantine.count_in(ws.db_path)
    yield (not waiting, "exception queue: empty" if not waiting else
           f"exception queue: {waiting} record(s) could not be mapped; `tieout exceptions list`, fix them at "
           "the source or retry with `tieout exceptions retry`")


def _periods(ws: Workspace) -> Iterator[Finding]:
    periods = _raw(ws, health.open_periods)
    yield True, f"periods: open (matched, not locked): {', '.join(periods)}" if periods else \
        "periods: none open"


def _disk(ws: Workspace) -> Iterator[Finding]:
    free, needed = health.free_space(ws.path, ws.db_path)
    mib = 1 << 20
    yield (free >= needed, f"disk: {free // mib:,} MiB free" if free >= needed else
           f"disk: only {free // mib:,} MiB free beside {ws.db_path} (want {needed // mib:,} MiB); free some space "
           "before syncing or exporting")


def _modes(ws: Workspace) -> Iterator[Finding]:
    loose = health.loose_modes(ws.path, [DB_NAME, CONFIG_NAME, audit.ANCHOR_NAME])
    yield (not loose, "file modes: owner-only" if not loose else f"file modes: {'; '.join(loose)}")
