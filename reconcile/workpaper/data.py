"""Everything a workpaper shows, gathered once from the service and the workspace tables.

:class:`WorkpaperData` is plain data (dicts and polars frames), so the writers
can be exercised without a database and the same state always gives the
same workbook.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, Protocol

import polars as pl

from tieout.reconcile.workpaper import revenue
from tieout.reconcile.workpaper.detail import POPULATION_SCHEMA
from tieout.storage import audit
from tieout.storage.db import read_frame
from tieout.storage.workspace import Workspace


class WorkpaperSource(Protocol):
    """The part of :class:`reconcile.service.Service` a workpaper reads."""

    ws: Workspace

    def breaks(self, period: str | None = None, **filters: Any) -> pl.DataFrame: ...
    def matches(self, period: str, **filters: Any) -> pl.DataFrame: ...
    def summary(self, period: str, entity: str | None = None) -> pl.DataFrame: ...
    def last_run(self, period: str, entity: str | None = None) -> dict | None: ...
    def sources(self) -> pl.DataFrame: ...
    def audit_events(self, period: str | None = None) -> pl.DataFrame: ...


@dataclass(frozen=True)
class SignOff:
    """The period's preparer and reviewer (blank until signed)."""

    status: str = "open"
    preparer: str | None = None
    prepared_at: str | None = None
    reviewer: str | None = None
    reviewed_at: str | None = None


@dataclass(frozen=True)
class WorkpaperData:
    """The inputs of one workpaper: money in Int64 minor units, timestamps ISO text."""

    workspace: str
    period: str
    entity: str | None
    tieout_version: str
    sign_off: SignOff
    run: dict[str, Any] | None  # the match run: id, ruleset_hash, input_fingerprint, ...
    audit_head: str
    sources: pl.DataFrame  # name, kind, side, entity, last_sync_at, last_sync_status, last_sync_error
    summary: pl.DataFrame  # one row per (domain, currency), see Service.summary
    breaks: pl.DataFrame  # Service.breaks columns (with other periods' period mismatches)
    population: dict[str, pl.DataFrame]  # domain -> side, external_id, currency, total, customer of the period's records
    matches: pl.DataFrame  # Service.matches columns
    corrections: pl.DataFrame
    audit_events: pl.DataFrame
    billed: pl.DataFrame = field(default_factory=pl.DataFrame)  # see revenue.billed_by_period
    schedule: pl.DataFrame = field(default_factory=pl.DataFrame)  # see revenue.schedule_lines


def tieout_version() -> str:
    try:
        return version("tieout")
    except PackageNotFoundError:  # a source tree that is not installed
        return "0.0.0+source"


CORRECTION_SQL = (
    "SELECT id, break_id, entity, action, target_ref, currency, amount, status, maker, proposed_at, "
    "checker, approved_at, pushed_at, idempotency_key, result FROM correction WHERE period = ? {scope} ORDER BY id"
)


def corrections(db_path: Path, period: str, entity: str | None) -> pl.DataFrame:
    """The period's corrections: proposed (maker), approved (checker, when), pushed (result)."""
    sql = CORRECTION_SQL.format(scope="AND entity = ?" if entity else "")
    frame = read_frame(db_path, sql, [period, entity] if entity else [period])
    return frame.cast({"amount": pl.Int64})


POPULATION_TABLES = {"invoice": ("invoice", "credit_note")}
"""The canonical tables whose records the source totals of each domain count (as Service.summary does);
the payments and revenue issues add theirs here."""


def population(db_path: Path, period: str, entity: str | None) -> dict[str, pl.DataFrame]:
    """Per domain: the records of ``period`` that the billing and ERP totals count (drafts excluded), with customer names."""
    scope = " AND r.entity = ?" if entity else ""
    out = {}
    for domain, tables in POPULATION_TABLES.items():
        sql = " UNION ALL ".join(
            f'SELECT r.side, r.external_id, r.currency, r.total, c.name AS customer FROM "{t}" r '
            "LEFT JOIN customer c ON c.source_id = r.source_id AND c.external_id = r.customer_ref "
            f"WHERE r.posting_period = ?{scope} AND NOT (r.side = 'billing' AND r.status = 'draft')" for t in tables)
        params = [v for _ in tables for v in (period, *([entity] if entity else []))]
        out[domain] = read_frame(db_path, sql, params).cast(POPULATION_SCHEMA)  # type: ignore[arg-type]
    return out


def sign_off(ws: Workspace, period: str, entity: str | None) -> SignOff:
    frame = read_frame(ws.db_path, "SELECT status, preparer, prepared_at, reviewer, reviewed_at FROM period "
                       "WHERE period = ? AND entity = ?", [period, entity or ""])
    return SignOff(**frame.row(0, named=True)) if frame.height else SignOff()


def collect(svc: WorkpaperSource, period: str, entity: str | None = None) -> WorkpaperData:
    """Read everything the workpaper of ``period`` (and ``entity``) shows."""
    ws = svc.ws
    with ws.session() as session:
        head = audit.chain_head(session)
    return WorkpaperData(
        workspace=ws.config.name,
        period=period,
        entity=entity,
        tieout_version=tieout_version(),
        sign_off=sign_off(ws, period, entity),
        run=svc.last_run(period, entity),
        audit_head=head,
        sources=svc.sources(),
        summary=svc.summary(period, entity),
        breaks=pl.concat([svc.breaks(period, entity=entity),
                          svc.breaks(kind="period_mismatch", entity=entity).filter(pl.col("period") != period)]),
        population=population(ws.db_path, period, entity),
        matches=svc.matches(period, entity=entity),
        corrections=corrections(ws.db_path, period, entity),
        audit_events=svc.audit_events(period),
        billed=revenue.billed_by_period(ws.db_path, entity),
        schedule=revenue.schedule_lines(ws.db_path, entity),
    )
