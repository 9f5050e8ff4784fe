"""Sync sources into the store: the one code path the CLI, the app and the demo call.

Each source gets a ``sync_run`` row.  Pages are fetched (and mapped) in a
background thread a few pages ahead (:mod:`connectors.prefetch`); the pages
fetched so far are stored in one transaction (:func:`storage.ingest.ingest_page`)
together with the cursor they reach, so a process killed mid-sync leaves the
store consistent; the next run sees the previous run unfinished and resumes
after its last committed page.  Several sources sync at once, each in a
worker process (:mod:`connectors.sync_workers`); one source syncs in-process.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from tieout.connectors.base import ALL_DOMAINS, Connector, Page, SourceSettings, select_domains, start_state
from tieout.connectors.bulk_gc import spaced_gc
from tieout.connectors.prefetch import Prefetcher
from tieout.connectors.quarantine import retry
from tieout.connectors.registry import MapContext
from tieout.storage import quarantine
from tieout.storage.db import raw_connect
from tieout.storage.errors import StoreError, TieoutError, describe_db_error, is_db_error
from tieout.storage.ingest import Counts, finish_sync_run, ingest_page
from tieout.storage.sources import begin_sync, set_run_cursor

if TYPE_CHECKING:
    from tieout.storage.workspace import Workspace


@dataclass
class Progress:
    source: str
    object_type: str
    pages: int
    records: int
    seconds: float


@dataclass
class SyncResult:
    source: str
    ok: bool
    run_id: int | None = None
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    pages: int = 0
    records: int = 0
    seconds: float = 0.0
    resumed: bool = False
    error: str | None = None
    quarantined: list[str] = field(default_factory=list)  # the source's exception queue after the sync


ProgressFn = Callable[[Progress], None]

PREFETCH_PAGES = 64  # pages fetched ahead while earlier ones are stored
BATCH_RECORDS = 10_000  # pages already fetched are stored together, up to this many records a transaction


def _page_weight(page: Page) -> int:
    return max(1, len(page.records))


def make_connector(settings: SourceSettings, secret: str | None, ctx: MapContext) -> Connector:
    """The connector for a source's kind."""
    if settings.kind == "stripe":
        from tieout.connectors.stripe.client import StripeConnector

        return StripeConnector(settings, secret, ctx)
    if settings.kind == "netsuite":
        from tieout.connectors.netsuite.client import NetSuiteConnector

        return NetSuiteConnector(settings, secret, ctx)
    if settings.kind == "file":
        from tieout.connectors.files.connector import FileConnector

        return FileConnector(settings, None, ctx)
    raise TieoutError(f"source {settings.name!r}: unknown kind {settings.kind!r}")


@dataclass(frozen=True)
class SyncJob:
    """Everything needed to sync one source, resolved up front (secret from env/keyring, settings from
    tieout.toml) so a worker process needs neither the keyring nor the config."""

    db_path: Path
    settings: SourceSettings
    secret: str | None = field(repr=False)
    ctx: MapContext
    domains: frozenset[str] = ALL_DOMAINS
    user: str | None = None  # who syncs: named in the audit events of earlier runs found unfinished


def sync_sources(ws: Workspace, names: list[str] | None = None, progress: ProgressFn | None = None,
                 domains: Iterable[str] | None = None, **overrides: float) -> list[SyncResult]:
    """Sync ``names`` (default: every configured source); one failing does not stop the others.

    Two or more sources sync side by side, each in a worker process (:mod:`connectors.sync_workers`): the
    work is Python-bound, so threads would share one core.  ``domains`` (default: all) limits each source
    to the objects those reconciliations need, e.g. ``["invoice"]`` pulls customers, catalogue, invoices and
    credit notes but no payments or revenue plans.  ``overrides`` (read_timeout, connect_timeout, rate,
    tries) tune the HTTP policy, e.g. for tests.
    """
    chosen = select_domains(domains)
    order = names or sorted(ws.config.sources)
    results: dict[str, SyncResult] = {}
    jobs: list[SyncJob] = []
    for name in order:
        try:
            jobs.append(_job(ws, name, chosen, overrides))
        except TieoutError as exc:
            results[name] = SyncResult(source=name, ok=False, error=str(exc))
    first_load = _drop_indexes_for_first_load(ws) if jobs else False
    try:
        if len(jobs) > 1:
            from tieout.connectors.sync_workers import run_in_workers

            done = run_in_workers(jobs, progress)
        else:
            done = [run_job(job, progress) for job in jobs]
    finally:
        if first_load:
            _restore_indexes(ws)
    for job, result in zip(jobs, done):
        results[job.settings.name] = result
        try:
            ws.audit("sync", object_type="source", object_id=job.settings.name,
                     details={"run": result.run_id, "ok": result.ok, "error": result.error, "counts": result.counts,
                              "resumed": result.resumed, "domains": sorted(chosen),
                              "quarantined": len(result.quarantined)})
        except StoreError:  # a full disk: a failed run is audited when the next sync finds it; the error says why
            if result.ok:
                raise
    return [results[name] for name in order]


def _restore_indexes(ws: Workspace) -> None:
    """Rebuild what a first load dropped.  If that fails too (a full disk), the sources' own errors already say
    why, and the next open of the workspace rebuilds them (:func:`storage.load_indexes.restore` runs there)."""
    from sqlalchemy.exc import OperationalError

    from tieout.storage.load_indexes import restore

    try:
        restore(ws.engine)
    except (OperationalError, sqlite3.OperationalError):
        pass


def _drop_indexes_for_first_load(ws: Workspace) -> bool:
    from tieout.storage.load_indexes import drop_for_first_load  # the models: the parent's, not the workers'

    conn = ws.raw()
    try:
        return drop_for_first_load(conn)
    except sqlite3.OperationalError:  # e.g. a full disk: load with the indexes; the sources report the cause
        return False
    finally:
        conn.close()


def _job(ws: Workspace, name: str, domains: frozenset[str], overrides: dict[str, float]) -> SyncJob:
    from tieout.connectors.credentials import require_secret  # keyring and
    from tieout.connectors.sources import settings_for  # polars: not needed by the workers

    settings = settings_for(ws, name)
    for key, value in overrides.items():
        setattr(settings, key, value)
    secret = None if settings.kind == "file" else require_secret(name)
    return SyncJob(ws.db_path, settings, secret, MapContext.from_config(ws.config.entities, settings.entity), domains,
                   ws.user)


def run_job(job: SyncJob, progress: ProgressFn | None = None) -> SyncResult:
    """Sync one source into the store at ``job.db_path``; errors end up in the result and the sync run."""
    result = SyncResult(source=job.settings.name, ok=False)
    started = time.perf_counter()
    conn = raw_connect(job.db_path)
    try:
        _sync(job, conn, result, progress, started)
    except Exception as exc:  # the store itself failed (full disk, read-only, damaged): recorded, not raised
        if not is_db_error(exc):
            raise
        result.error = _describe(exc, job.db_path)
    finally:
        conn.close()
    result.seconds = time.perf_counter() - started
    return result


def _sync(job: SyncJob, conn: sqlite3.Connection, result: SyncResult, progress: ProgressFn | None,
          started: float) -> None:
    settings = job.settings
    start = begin_sync(conn, settings.name, settings.kind, settings.side, url=settings.url, entity=settings.entity,
                       user=job.user)
    source_id, run_id, resumed, cursor = start.source_id, start.run_id, start.resumed, start.previous_cursor
    if not resumed:  # a new run starts every pass afresh: "done" and "after" only ever mean "in this run"
        cursor = {key: start_state(state, resume=False) for key, state in cursor.items()}
    set_run_cursor(conn, run_id, cursor)  # before anything can fail: a failed run hands its cursor on
    result.run_id, result.resumed = run_id, resumed
    try:
        connector = make_connector(settings, job.secret, job.ctx)
    except TieoutError as exc:  # a run that could not start is still an attempt the dashboard shows
        result.error = str(exc)
        finish_sync_run(conn, run_id, error=result.error)
        return
    total = Counts()
    try:
        pull = connector.pull(cursor, resumed, job.domains)
        with spaced_gc(), Prefetcher(pull, depth=PREFETCH_PAGES) as pages:
            for batch in pages.batches(BATCH_RECORDS, weight=_page_weight):
                records = [rec for page in batch for rec in page.records]
                total.merge(ingest_page(conn, source_id=source_id, side=settings.side, sync_run_id=run_id,
                                        records=records, pages=len(batch),
                                        cursor={page.object_type: page.state for page in batch},
                                        rejected=[rec for page in batch for rec in page.rejected]))
                result.pages += len(batch)
                result.records += len(records)
                if progress:
                    progress(Progress(settings.name, batch[-1].object_type, result.pages, result.records,
                                      time.perf_counter() - started))
        # records set aside by earlier syncs and not pulled again in this one: do they map now?
        retry(conn, quarantine.entries(conn, source_id=source_id, not_seen_in_run=run_id), kind=settings.kind,
              side=settings.side, ctx=job.ctx, sync_run_id=run_id)
    except Exception as exc:  # recorded on the run; the caller moves on to the next source
        result.error = _describe(exc, job.db_path)
        _mark_failed(conn, run_id, result)
    else:
        finish_sync_run(conn, run_id)
        result.ok = True
    finally:
        connector.close()
    result.counts = total.as_dict()
    try:
        result.quarantined = [f"{e.object_type} {e.external_id}: {e.error}"
                              for e in quarantine.entries(conn, source_id=source_id)]
    except sqlite3.Error:  # the store failed above already; that error is the one reported
        pass

def _describe(exc: BaseException, db_path: Path) -> str:
    """The error a failed sync reports: the original cause in one line, with any rollback failure noted."""
    if is_db_error(exc):
        text = describe_db_error(exc, db_path)
    else:
        text = str(exc) if isinstance(exc, TieoutError) else f"{type(exc).__name__}: {exc}"
    notes = "; ".join(getattr(exc, "__notes__", ()))
    return f"{text} ({notes})" if notes else text


def _mark_failed(conn: sqlite3.Connection, run_id: int, result: SyncResult) -> None:
    """Record the failure on the run; if the store cannot take even that, say so beside the real cause."""
    try:
        finish_sync_run(conn, run_id, error=result.error)
    except sqlite3.Error as exc:
        result.error = f"{result.error} (the run could not be marked failed either: {exc}; the next sync " \
                       "finds it interrupted)"
