"""The workpaper's tables, built once from :class:`WorkpaperData` for every output format."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from tieout.reconcile import domains
from tieout.reconcile.domains import Domain
from tieout.reconcile.workpaper import revenue
from tieout.reconcile.workpaper.data import WorkpaperData
from tieout.reconcile.workpaper.detail import MATCH_ROWS_LIMIT, detail_table
from tieout.storage.readers import POPULATION_SCHEMA
from tieout.reconcile.workpaper.table import Table

SUMMARY_MONEY = ("billing_total", "erp_total", "open_amount")
_NO_RECORDS = pl.DataFrame(schema=POPULATION_SCHEMA)


@dataclass(frozen=True)
class WorkpaperTables:
    summary: Table
    details: dict[str, Table]  # domain -> detail table
    rollforward: Table
    waterfall: Table
    corrections: Table
    carried: Table
    audit_trail: Table
    sources: Table

    def all(self) -> list[Table]:
        """Every table in workbook order (what the CSV/Parquet export writes)."""
        return [self.summary, *self.details.values(), self.rollforward, self.waterfall, self.corrections,
                self.carried, self.audit_trail, self.sources]


def shown_domains(data: WorkpaperData) -> list[Domain]:
    """The registered domains with anything to show, in registration order."""
    found = set(data.summary["domain"].to_list()) | set(data.breaks["domain"].to_list()) \
        | set(data.matches["domain"].to_list())
    return [d for d in domains.matched() if d.name in found]


def build_tables(data: WorkpaperData, *, match_rows_limit: int = MATCH_ROWS_LIMIT) -> WorkpaperTables:
    return WorkpaperTables(
        summary=Table("Summary", data.summary.sort("domain", "currency"), money=SUMMARY_MONEY),
        details={d.name: detail_table(d, data.breaks, data.matches, data.population.get(d.name, _NO_RECORDS),
                                      data.period, match_rows_limit=match_rows_limit) for d in shown_domains(data)},
        rollforward=revenue.rollforward(data.billed, data.schedule, data.period),
        waterfall=revenue.waterfall(data.schedule, data.period),
        corrections=Table("Corrections", _or_none_this_period(data.corrections), money=("amount",),
                          timestamps=("proposed_at", "approved_at", "pushed_at")),
        carried=Table("Carried forward", data.carried, money=("amount",), timestamps=("at",)),
        audit_trail=Table("Audit trail", data.audit_events.sort("id"), timestamps=("at",)),
        sources=Table("Sources", data.sources, timestamps=("last_sync_at",)),
    )



NO_CORRECTIONS = "No corrections this period"


def _or_none_this_period(corrections: pl.DataFrame) -> pl.DataFrame:
    """The corrections, or one row that says there are none (an empty sheet reads like a missing one)."""
    if corrections.height:
        return corrections
    first = next(c for c, t in corrections.schema.items() if t == pl.String)
    return pl.DataFrame([{first: NO_CORRECTIONS}], schema=corrections.schema)
