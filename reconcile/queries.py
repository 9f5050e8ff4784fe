"""Read queries: breaks, matches, one break's detail, the period summary, sources, audit events.

Bulk reads come back as polars DataFrames (amounts Int64 minor units, id
lists as List[String]); small ones as plain dataclasses.  Nothing here writes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import polars as pl

from tieout.reconcile import domains
from tieout.reconcile.domains import RecordView
from tieout.storage import audit, periods, quarantine, readers, sources
from tieout.storage import corrections as correction_store
from tieout.storage import breaks as store
from tieout.storage.errors import NotFound, PeriodError, ServiceError
from tieout.storage.vocabulary import BREAK_KINDS, DOMAINS, OPEN_STATUSES, STATUSES, check_period
from tieout.storage.workspace import Workspace


MIN_ID_PREFIX = 8
"""Shortest break id prefix accepted in place of the full id (git's short-id rule)."""
_HEX = re.compile(r"[0-9a-f]+")


def check_filters(*, period: str | None = None, domain: str | None = None, kind: str | None = None,
                  status: str | Sequence[str] | None = None) -> None:
    """Refuse a break filter no break can meet: a period that is not a month, an unknown domain, kind or status."""
    if period is not None:
        try:
            check_period(period)
        except PeriodError as exc:
            raise ServiceError(str(exc)) from None
    known = tuple(dict.fromkeys([*DOMAINS, *domains.names()]))
    if domain is not None and domain not in known:
        raise ServiceError(f"domain {domain!r}: unknown (known: {', '.join(known)})")
    kinds = _kinds([domain] if domain else known)
    if kind is not None and kind not in kinds:
        raise ServiceError(f"kind {kind!r}: unknown{f' in domain {domain}' if domain else ''} "
                           f"(known: {', '.join(kinds)})")
    for one in ([status] if isinstance(status, str) else status or ()):
        if one not in STATUSES:
            raise ServiceError(f"status {one!r}: unknown (known: {', '.join(STATUSES)})")


def _kinds(names: Sequence[str]) -> tuple[str, ...]:
    """Break kinds of these domains: the vocabulary's, and those of registered domains (a plugged-in one too)."""
    registered = set(domains.names())
    return tuple(dict.fromkeys([*(k for n in names for k in BREAK_KINDS.get(n, ())),
                                *(spec.kind for n in names if n in registered for spec in domains.get(n).kinds)]))


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
               status: str | Sequence[str] | None = None, entity: str | None = None, assignee: str | None = None,
               limit: int | None = None) -> pl.DataFrame:
        """Breaks matching every given filter, largest amount first (only the first ``limit`` if given).

        ``status`` is one status or several (e.g. :data:`UNSETTLED_STATUSES`).  A filter that can match
        nothing (period ``2026-13``, kind ``nonsense``) is refused rather than answered with no rows.
        """
        check_filters(period=period, domain=domain, kind=kind, status=status)
        return store.list_breaks(self.ws.db_path, period=period, domain=domain, kind=kind, status=status,
                                 entity=entity, assignee=assignee, limit=limit)

    def matches(self, period: str, *, domain: str | None = None, entity: str | None = None) -> pl.DataFrame:
        """Active matches (automatic ones of the latest run, and manual ones) of a period."""
        return store.list_matches(self.ws.db_path, period, domain=domain, entity=entity)

    def resolve_break_id(self, given: str) -> str:
        """The full id of the break ``given`` names: its id, or (as git does) a unique prefix of at least
        :data:`MIN_ID_PREFIX` characters, so an id copied short from a screen works too."""
        prefix = given.strip().lower()
        if len(prefix) < MIN_ID_PREFIX or not _HEX.fullmatch(prefix):
            raise NotFound(f"break {given!r}: no such break (give its id, or at least {MIN_ID_PREFIX} "
                           "of its leading characters)")
        with self.ws.session() as s:
            found = store.break_ids_starting(s, prefix, limit=3)
        if not found:
            raise NotFound(f"break {given!r}: no such break")
        if len(found) > 1:
            raise ServiceError(f"break {given!r}: ambiguous prefix of {', '.join(found[:2])}"
                               f"{' and more' if len(found) > 2 else ''}; give more characters")
        return found[0]

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

    def stale_sources(self) -> list[sources.StaleSource]:
        """Sources whose latest sync failed or did not finish: matching them now works on partial data."""
        conn = self.ws.raw()
        try:
            return sources.stale_sources(conn)
        finally:
            conn.close()

    def exception_count(self) -> int:
        """Source records waiting in the exception queue (they could not be mapped; see storage.quarantine)."""
        return quarantine.count_in(self.ws.db_path)

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

    def correction_log(self, period: str, entity: str | None = None) -> pl.DataFrame:
        """The period's corrections: maker, checker(s), plan hash, request, response, the break's status
        (``svc.corrections`` is the corrections service itself)."""
        return correction_store.workpaper_frame(self.ws.db_path, period, entity)

    def carried_forward(self, period: str, entity: str | None = None) -> pl.DataFrame:
        """Breaks carried out of ``period`` when it was prepared, and into it from the period before."""
        with self.ws.session() as session:
            rows = periods.carried(session, period, entity)
        return pl.DataFrame(rows, schema=readers.CARRIED_SCHEMA)

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
