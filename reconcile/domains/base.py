"""What a reconciliation domain declares, and the defaults for document-shaped domains.

A domain is one module under :mod:`tieout.reconcile.domains` that builds a
:class:`Domain` and registers it.  It declares:

- the canonical tables it reads (table -> object type);
- its loader into the normalised frame the engine matches;
- the fields it compares, and the break kind each field gives (:class:`KindSpec`);
- how the amount at stake of each kind is computed (``KindSpec.stake``);
- the columns its break queue and its workpaper sheet show;
- the fields its rules may key on, compare and use for duplicates.

The defaults (``reconcile``, ``totals``, ``population``, ``record``) fit
domains whose records are documents with a total in canonical tables, as
invoices and credit notes are; a domain with other shapes overrides them.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import polars as pl

from tieout.reconcile.engine import pair_records
from tieout.reconcile.rules import DomainRules
from tieout.storage import readers

Stake = Literal["difference", "billing_total", "record_total"]
"""The amount a break puts at stake: the difference of the compared field (net of tax for amounts), the
billing record's total (the whole document is in question), or the lone record's own total."""


@dataclass(frozen=True)
class KindSpec:
    """One break kind of a domain: which compared field gives it and what amount it puts at stake.

    ``reconciling`` says whether the kind explains part of billing − ERP in money (missing, amount, tax ...)
    or only flags a record whose totals may agree (status, customer): the workpaper counts the latter.
    """

    kind: str
    stake: Stake
    field: str | None = None  # the compared field, for kinds found on a matched pair
    reconciling: bool = True


@dataclass(frozen=True)
class Outcome:
    """Matches and breaks of one domain, ready to persist (ids are external ids)."""

    matches: pl.DataFrame
    breaks: pl.DataFrame


@dataclass(frozen=True)
class RecordView:
    """One canonical record with its raw payload and lineage (source, sync run, version, hash)."""

    table: str
    external_id: str
    fields: dict[str, Any]
    raw_payload: dict[str, Any]
    lineage: dict[str, Any]


@dataclass(frozen=True)
class Domain:
    """A reconciliation domain; see the module docstring.  Subclass and override ``load`` at least."""

    name: str
    title: str  # the workpaper sheet's name
    tables: dict[str, str]  # canonical table -> object type of its records
    kinds: tuple[KindSpec, ...]
    key_fields: frozenset[str]  # what a rules pass may key on
    compare_fields: tuple[str, ...]  # what [domain.compare] may list
    duplicate_fields: frozenset[str]
    queue_columns: tuple[str, ...]
    workpaper_columns: tuple[str, ...]
    rule_sections: frozenset[str] = field(default_factory=frozenset)  # extra [domain.X] tables its rules may have
    amount_field: str = "total"  # the canonical column a manual match adds up

    def kind(self, name: str) -> KindSpec:
        for spec in self.kinds:
            if spec.kind == name:
                return spec
        raise KeyError(f"{self.name}: no break kind {name!r}")

    @property
    def compared(self) -> dict[str, KindSpec]:
        """Compared field -> the kind a difference in it gives, in the order breaks claim records."""
        return {spec.field: spec for spec in self.kinds if spec.field}

    def load(self, db_path: Path, period: str, entity: str | None) -> pl.DataFrame:
        """Both sides' records in scope as the normalised frame (``rid``, ``side``, ``key`` ...)."""
        raise NotImplementedError

    def reconcile(self, frame: pl.DataFrame, rules: DomainRules) -> Outcome:
        """Run the rules' passes, then classify what they left."""
        from tieout.reconcile.breaks import classify  # breaks needs this module's types

        return classify(frame, pair_records(frame, rules), rules, self)

    def totals(self, db_path: Path, period: str, entity: str | None) -> pl.DataFrame:
        """side, currency, n, total of the period's records on each side."""
        return readers.side_totals(db_path, tuple(self.tables), period, entity)

    def population(self, db_path: Path, period: str, entity: str | None) -> pl.DataFrame:
        """The records the totals count: side, external_id, currency, total, customer."""
        return readers.population(db_path, tuple(self.tables), period, entity)

    def record(self, conn: sqlite3.Connection, side: str, external_id: str) -> RecordView | None:
        """One record of either side with its raw payload and lineage, or None."""
        found = readers.record_with_lineage(conn, tuple(self.tables), side, external_id)
        if found is None:
            return None
        table, row = found
        lineage = {"source": row.pop("_source"), "source_kind": row.pop("_kind"),
                   "sync_run_id": row["sync_run_id"], "fetched_at": row.pop("_fetched"),
                   "version": row.pop("_version"), "payload_hash": row.pop("_hash")}
        return RecordView(table=table, external_id=external_id, fields=row, raw_payload=row.pop("_payload") or {},
                          lineage=lineage)
