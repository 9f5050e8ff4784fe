"""Everything a workpaper shows, gathered once from the service and the workspace tables.

:class:`WorkpaperData` is plain data (dicts and polars frames), so the writers
can be exercised without a database and the same state always gives the
same workbook.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from tieout import __version__
from tieout.reconcile.protocols import WorkpaperSource
from tieout.storage.readers import CARRIED_SCHEMA

__all__ = ["SignOff", "WorkpaperData", "WorkpaperSource", "collect"]


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
    billed: pl.DataFrame = field(default_factory=pl.DataFrame)  # see Queries.billed_by_period
    schedule: pl.DataFrame = field(default_factory=pl.DataFrame)  # see Queries.schedule_lines
    carried: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=CARRIED_SCHEMA))  # Queries.carried_forward


def collect(svc: WorkpaperSource, period: str, entity: str | None = None) -> WorkpaperData:
    """Read everything the workpaper of ``period`` (and ``entity``) shows, through the service."""
    signed = svc.sign_off(period, entity)
    return WorkpaperData(
        workspace=svc.workspace_name,
        period=period,
        entity=entity,
        tieout_version=__version__,
        sign_off=SignOff(**signed) if signed else SignOff(),
        run=svc.last_run(period, entity),
        audit_head=svc.audit_head(),
        sources=svc.sources(),
        summary=svc.summary(period, entity),
        breaks=pl.concat([svc.breaks(period, entity=entity),
                          svc.breaks(kind="period_mismatch", entity=entity).filter(pl.col("period") != period)]),
        population=svc.population(period, entity),
        matches=svc.matches(period, entity=entity),
        corrections=svc.correction_log(period, entity),
        carried=svc.carried_forward(period, entity),
        audit_events=svc.audit_events(period),
        billed=svc.billed_by_period(entity),
        schedule=svc.schedule_lines(entity),
    )
