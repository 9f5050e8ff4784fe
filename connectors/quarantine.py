"""Retrying the exception queue: map each waiting payload again with today's mappers and settings.

A record set aside by one sync (see :mod:`storage.quarantine`) is retried by every later sync of its
source and by ``tieout exceptions retry``; one that maps is ingested like any record and leaves the queue.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tieout.connectors.errors import MappingError
from tieout.connectors.registry import MapContext, map_payload
from tieout.storage import quarantine
from tieout.storage.db import raw_connect
from tieout.storage.ingest import Record, ingest_page

if TYPE_CHECKING:
    from tieout.storage.workspace import Workspace


@dataclass
class RetryOutcome:
    mapped: list[str] = field(default_factory=list)  # "object_type external_id" of records that left the queue
    still: list[str] = field(default_factory=list)  # "... : error" of those that did not map yet


def retry(conn: sqlite3.Connection, entries: Iterable[quarantine.Entry], *, kind: str, side: str, ctx: MapContext,
          sync_run_id: int | None = None) -> RetryOutcome:
    """Map ``entries`` (all of one source) again; store those that map, count another attempt for the rest.

    Stored records carry ``sync_run_id`` as their lineage, else the run that last brought each one.
    """
    outcome = RetryOutcome()
    by_run: dict[int, list[tuple[quarantine.Entry, Record]]] = {}
    for entry in entries:
        try:
            record = map_payload(kind, entry.object_type, entry.payload, ctx)
        except MappingError as exc:
            quarantine.failed_again(conn, entry.id, str(exc))
            outcome.still.append(f"{entry.object_type} {entry.external_id}: {exc}")
            continue
        run = sync_run_id if sync_run_id is not None else entry.sync_run_id
        by_run.setdefault(int(run), []).append((entry, record))  # type: ignore[arg-type]
    for run, mapped in by_run.items():
        ingest_page(conn, source_id=mapped[0][0].source_id, side=side, sync_run_id=run,
                    records=[record for _, record in mapped], pages=0)
        quarantine.drop(conn, [entry.id for entry, _ in mapped])  # also those filed under another type
        outcome.mapped += [f"{entry.object_type} {entry.external_id}" for entry, _ in mapped]
    return outcome


def retry_workspace(ws: Workspace, ids: Iterable[int] | None = None) -> RetryOutcome:
    """``tieout exceptions retry``: every queued record (or those with ``ids``), source by source."""
    from tieout.connectors.sources import settings_for

    total = RetryOutcome()
    conn = raw_connect(ws.db_path)
    try:
        waiting = quarantine.entries(conn, ids=ids)
        for source in sorted({e.source for e in waiting}):
            settings = settings_for(ws, source)
            outcome = retry(conn, [e for e in waiting if e.source == source], kind=settings.kind, side=settings.side,
                            ctx=MapContext.from_config(ws.config.entities, settings.entity))
            total.mapped += outcome.mapped
            total.still += outcome.still
    finally:
        conn.close()
    ws.audit("quarantine.retry", object_type="quarantine", details={"mapped": total.mapped, "still": total.still})
    return total

