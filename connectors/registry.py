"""The per-object-type mapping registry shared by every connector.

A mapper is a pure function ``(payload, ctx) -> Record``; the HTTP pull, the
file import and the sample loader all call the same registered functions,
so one object maps the same way whichever way it arrived.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tieout.connectors.errors import MappingError
from tieout.storage.ingest import Record

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


def object_types(kind: str) -> list[str]:
    """Object types a kind of source can map, in registration order."""
    return [t for k, t in _MAPPERS if k == kind]


def map_payload(kind: str, object_type: str, payload: dict[str, Any], ctx: MapContext) -> Record:
    """Map one payload, turning a missing/odd field into a :class:`MappingError` naming it."""
    try:
        fn = _MAPPERS[(kind, object_type)]
    except KeyError:
        raise MappingError(f"{kind}: no mapping for object type {object_type!r}") from None
    try:
        return fn(payload, ctx)
    except MappingError:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        ident = payload.get("id", "?") if isinstance(payload, dict) else "?"
        raise MappingError(f"{kind} {object_type} {ident}: cannot map ({type(exc).__name__}: {exc})") from None
