"""Read queries: breaks, matches, one break's detail, the period summary, sources, audit events.

Bulk reads come back as polars DataFrames (amounts Int64 minor units, id
lists as List[String]); small ones as plain dataclasses.  Nothing here writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import polars as pl

from tieout.reconcile import domains
from tieout.reconcile.domains import RecordView
from tieout.storage import audit, readers, sources
from tieout.storage import breaks as store
from tieout.storage.errors import NotFound
from tieout.storage.vocabulary import OPEN_STATUSES
from tieout.storage.workspace import Workspace


@dataclass
class BreakDetail:
    """One break with both sides' records (raw payloads and lineage) and its review history."""

    brk: dict[str, Any]
    billing: list[RecordView]
    erp: list[RecordView]
    events: list[dict[str, Any]]


class Queries:
    """What the CLI lists, the app shows and the workpaper prints, from one workspace."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws

    def breaks(self, period: str | None = None, *, domain: str | None = None, kind: str | None = None,
               status: str | None = None, entity: str | None = None, assignee: str | None = None,
               limit: int | None = None) -> pl.DataFrame:
        """Breaks matching every given filter, largest amount first (only the first ``limit`` if given)."""
        return store.list_breaks(self.ws.db_path, period=period, domain=domain, kind=kind, status=status,
                                 entity=entity, assignee=assignee, limit=limit)

    def matches(self, period: str, *, domain: str | None = None, entity: str | None = None) -> pl.DataFrame:
        """Active matches (automatic ones of the latest run, and manual ones) of a period."""
        return store.list_matches(self.ws.db_path, period, domain=domain, entity=entity)

    def break_detail(self, break_id: str) -> BreakDetail:
        """One break with both sides' records, their raw payloads and lineage, and its history."""
        brk = store.break_with_details(self.ws.db_path, break_id)
        if brk is None:
            raise NotFound(f"break {break_id!r}: no such break")
        domain = domains.get(brk["domain"])
        conn = self.ws.raw()
        try:
            billing = [record_view(conn, domain, "billing", i) for i in brk["billing_ids"]]
            erp = [record_view(conn, domain, "erp", i) for i in brk["erp_ids"]]
        finally:
            conn.close()
        return BreakDetail(brk=brk, billing=billing, erp=erp, events=store.break_events(self.ws.db_path, break_id))

    def last_run(self, period: str, entity: str | None = None) -> dict[str, Any] | None:
        """The latest successful run of the period (for that entity, or for all entities)."""
        with self.ws.session() as s:
            return store.last_run(s, period, entity)

    def current_period(self, today: date | None = None) -> str:
        """The period to open on: the latest one matched, else the month before ``today`` (the close month)."""
        with self.ws.session() as s:
            latest = store.latest_matched_period(s)
        if latest:
            return latest
        first_of_month = (today or date.today()).replace(day=1)
        return (first_of_month - timedelta(days=1)).strftime("%Y-%m")

    def summary(self, period: str, entity: str | None = None) -> pl.DataFrame:
        """Per domain and currency: both sides' counts and totals, matches, open and all breaks."""
        parts = []
        for domain in domains.matched():
            sides = domain.totals(self.ws.db_path, period, entity)
            wide = (sides.filter(pl.col("side") == "billing").select("currency", pl.col("n").alias("billing_count"),
                                                                     pl.col("total").alias("billing_total"))
                    .join(sides.filter(pl.col("side") == "erp").select("currency", pl.col("n").alias("erp_count"),
                                                                       pl.col("total").alias("erp_total")),
                          on="currency", how="full", coalesce=True))
            matched = self.matches(period, domain=domain.name, entity=entity).group_by("currency").agg(
                pl.len().cast(pl.Int64).alias("matched_count"))
            is_open = pl.col("status").is_in(OPEN_STATUSES)
            brk = self.breaks(period, domain=domain.name, entity=entity).group_by("currency").agg(
                is_open.sum().cast(pl.Int64).alias("open_breaks"),
                pl.col("amount").filter(is_open).sum().cast(pl.Int64).alias("open_amount"),
                pl.len().cast(pl.Int64).alias("breaks"))
            parts.append(wide.join(matched, on="currency", how="full", coalesce=True)
                         .join(brk, on="currency", how="full", coalesce=True)
                         .with_columns(pl.lit(domain.name).alias("domain")))
        out = pl.concat(parts, how="diagonal_relaxed")
        counts = ["billing_count", "billing_total", "erp_count", "erp_total", "matched_count", "open_breaks",
                  "open_amount", "breaks"]
        return out.select("domain", "currency", *(pl.col(c).fill_null(0).cast(pl.Int64) for c in counts)).sort(
            "domain", "currency")

    def sources(self) -> pl.DataFrame:
        """Configured sources with their latest sync run's outcome."""
        return sources.sources_with_last_sync(self.ws.db_path)

    def audit_events(self, period: str | None = None) -> pl.DataFrame:
        """Audit events, oldest first; with ``period``, those whose details name that period."""
        return audit.events(self.ws.db_path, period=period)

    # ---------------------------------------------------------------- what a workpaper also prints

    @property
    def workspace_name(self) -> str:
        return self.ws.config.name

    @property
    def entities(self) -> list[str]:
        """The workspace's configured entities, sorted."""
        return sorted(self.ws.config.entities)

    def audit_head(self) -> str:
        """The newest audit event's hash: the chain head a workpaper or ticket quotes."""
        with self.ws.session() as s:
            return audit.chain_head(s)

    def sign_off(self, period: str, entity: str | None = None) -> dict[str, Any] | None:
        """The period's sign-off: status, preparer, prepared_at, reviewer, reviewed_at (None if never touched)."""
        return readers.sign_off(self.ws.db_path, period, entity)

    def population(self, period: str, entity: str | None = None) -> dict[str, pl.DataFrame]:
        """Per domain, the records its billing and ERP totals count (side, external_id, currency, total, customer)."""
        return {d.name: d.population(self.ws.db_path, period, entity) for d in domains.matched()}

    def corrections(self, period: str, entity: str | None = None) -> pl.DataFrame:
        """The period's corrections: maker, checker, request, result."""
        return readers.corrections(self.ws.db_path, period, entity)

    def billed_by_period(self, entity: str | None = None) -> pl.DataFrame:
        """side, entity, currency, period, billed: invoice subtotals minus credit notes (void and draft out)."""
        return readers.billed_by_period(self.ws.db_path, entity)

    def schedule_lines(self, entity: str | None = None) -> pl.DataFrame:
        """Revenue schedule lines with the posting period of the invoice each belongs to."""
        return readers.schedule_lines(self.ws.db_path, entity)


def record_view(conn: Any, domain: domains.Domain, side: str, external_id: str) -> RecordView:
    """One record of ``domain`` with payload and lineage; :class:`NotFound` naming the tables looked in."""
    view = domain.record(conn, side, external_id)
    if view is None:
        raise NotFound(f"{side} record {external_id!r}: not in {' or '.join(domain.tables)}")
    return view
