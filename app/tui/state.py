"""The app's state, kept outside the widgets so screens can be rebuilt freely."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

UNRESOLVED = "unresolved"
"""Pseudo status: every break not resolved or auto-resolved (the queue's default)."""


@dataclass(frozen=True)
class QueueFilter:
    """What the break queue shows; ``None``/empty means "any".

    Amount bounds are text in major units (e.g. "100.00"), converted per
    currency when applied, so a bound means the same to USD and JPY rows.
    """

    domain: str | None = None
    kind: str | None = None
    status: str | None = UNRESOLVED
    assignee: str | None = None
    min_amount: str | None = None
    max_amount: str | None = None
    text: str = ""
    sort_by: str | None = None  # None: the service's order
    descending: bool = True

    def with_(self, **changes: Any) -> "QueueFilter":
        return replace(self, **changes)


@dataclass
class AppState:
    """Period, entity, queue filter and the bulk selection (break ids)."""

    period: str
    entity: str | None = None
    queue: QueueFilter = field(default_factory=QueueFilter)
    selected: set[str] = field(default_factory=set)
    data_version: int = 0  # bumped by a sync/re-match; screens loaded from older data reload
