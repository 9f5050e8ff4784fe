"""The canonical tables' columns as plain data: all that ingest needs to know of the models.

Why not the models themselves: importing them (SQLModel, SQLAlchemy) was two thirds of a sync
worker's start (``python -X importtime``).  The parent process, which has the models loaded
anyway, hands this plain data to its workers (:func:`adopt`); any other process derives it from
the models on first use.
"""

from __future__ import annotations

from typing import Any, NamedTuple


class Column(NamedTuple):
    name: str
    default: Any  # None when required
    required: bool


CanonicalColumns = dict[str, tuple[Column, ...]]
"""Canonical table name -> its columns (all but ``id``), in model order."""

_known: CanonicalColumns | None = None


def canonical_columns() -> CanonicalColumns:
    """Every canonical table's columns, from :func:`adopt` or else from :data:`storage.models.CANONICAL_TABLES`."""
    global _known
    if _known is None:
        from tieout.storage.models import CANONICAL_TABLES

        _known = {
            name: tuple(Column(c, None if f.is_required() else f.default, f.is_required())
                        for c, f in model.model_fields.items() if c != "id")
            for name, model in CANONICAL_TABLES.items()
        }
    return _known


def adopt(columns: CanonicalColumns) -> None:
    """Use ``columns`` (made by :func:`canonical_columns` in another process) instead of importing the models."""
    global _known
    _known = columns
