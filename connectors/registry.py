"""The per-object-type mapping registry shared by every connector.

A mapper is a pure function ``(payload, ctx) -> Record``; the HTTP pull, the
file import and the sample loader all call the same registered functions,
so one object maps the same way whichever way it arrived.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tieout.connectors.errors import MappingError
from tieout.storage.ingest import Record
from tieout.storage.quarantine import Rejected

Mapper = Callable[[dict[str, Any], "MapContext"], Record]

_MAPPERS: dict[tuple[str, str], Mapper] = {}


@dataclass(frozen=True)
class MapContext:
    """What a mapper needs beyond the payload: the source's default entity, and
    NetSuite subsidiary id -> tieout entity (from ``[entities.E] netsuite_subsidiary``)."""

    entity: str | None = None
    subsidiaries: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_config(cls, entities: dict[str, dict[str, Any]], entity: str | None = None) -> "MapContext":
        subs = {str(e["netsuite_subsidiary"]): code for code, e in entities.items() if "netsuite_subsidiary" in e}
        return cls(entity=entity, subsidiaries=subs)


def mapper(kind: str, object_type: str) -> Callable[[Mapper], Mapper]:
    """Register ``fn`` as the mapper of ``object_type`` objects from ``kind`` sources."""

    def register(fn: Mapper) -> Mapper:
        _MAPPERS[(kind, object_type)] = fn
        return fn

    return register


def _load_mappers(kind: str) -> dict[tuple[str, str], Mapper]:
    """Import ``connectors.<kind>.mapping`` (registering its mappers) for a caller that has not, such as
    a retry of the exception queue."""
    if kind in ("stripe", "netsuite"):
        importlib.import_module(f"tieout.connectors.{kind}.mapping")
    return _MAPPERS


def object_types(kind: str) -> list[str]:
    """Object types a kind of source can map, in registration order."""
    return [t for k, t in _MAPPERS if k == kind]


def map_payload(kind: str, object_type: str, payload: dict[str, Any], ctx: MapContext) -> Record:
    """Map one payload, turning a missing/odd field into a :class:`MappingError` naming it."""
    try:
        fn = _MAPPERS.get((kind, object_type)) or _load_mappers(kind)[(kind, object_type)]
    except KeyError:
        raise MappingError(f"{kind}: no mapping for object type {object_type!r}") from None
    try:
        return fn(payload, ctx)
    except MappingError:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        ident = payload.get("id", "?") if isinstance(payload, dict) else "?"
        raise MappingError(f"{kind} {object_type} {ident}: cannot map ({type(exc).__name__}: {exc})") from None


@dataclass
class MappedPage:
    """The records of one page mapped so far, and the payloads that could not be (for the exception queue).

    One bad record must not stop a source: it is set aside with its error and the sync goes on.
    """

    kind: str
    ctx: MapContext
    records: list[Record] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)

    def add(self, object_type: str, payload: dict[str, Any]) -> None:
        try:
            self.records.append(map_payload(self.kind, object_type, payload, self.ctx))
        except MappingError as exc:
            self.reject(object_type, payload, exc)

    def reject(self, object_type: str, payload: dict[str, Any], error: Exception) -> None:
        ident = payload.get("id") if isinstance(payload, dict) else None
        self.rejected.append(Rejected(object_type, "?" if ident is None else str(ident), payload, str(error)))
