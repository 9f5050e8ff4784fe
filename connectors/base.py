"""What every connector offers: ``check()``, ``pull(cursor, resume, domains)`` and ``push(correction)``.

``pull`` yields :class:`Page` s; each carries the records to store and the
cursor state of its object type *after* the page, committed with the page,
so a crash resumes after the last committed page.  Per object type the state
is ``{"after": ...}`` while a pass is under way and ``{"done": True, ...}``
when it finished (plus whatever the next incremental pass needs).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from tieout.connectors.errors import ConnectorError
from tieout.connectors.registry import MapContext
from tieout.storage.ingest import Record
from tieout.storage.vocabulary import DOMAINS

Cursor = dict[str, dict[str, Any]]

ALL_DOMAINS = frozenset(DOMAINS)
INVOICE, PAYMENT, REVENUE = (frozenset({name}) for name in DOMAINS)
"""One-domain sets, to spell out which domains each pass of a connector serves (``INVOICE | REVENUE``)."""


def select_domains(names: Iterable[str] | None) -> frozenset[str]:
    """The domains to pull: ``None`` or nothing means all; an unknown name is refused, naming the known ones."""
    chosen = frozenset(names or DOMAINS)
    unknown = sorted(chosen - ALL_DOMAINS)
    if unknown:
        raise ConnectorError(f"unknown domain(s) {', '.join(map(repr, unknown))} (known: {', '.join(DOMAINS)})")
    return chosen


@dataclass
class Page:
    object_type: str
    records: list[Record]
    state: dict[str, Any]  # the cursor of ``object_type`` after this page


@dataclass
class SourceSettings:
    """A configured source as the connectors need it (``[sources.NAME]`` + the secret)."""

    name: str
    kind: str
    side: str
    url: str | None = None
    entity: str | None = None
    path: str | None = None
    mapping: str | None = None
    read_timeout: float = 30.0
    connect_timeout: float = 5.0
    rate: float | None = None  # requests per second
    tries: int = 5
    backoff_base: float = 0.25  # seconds before the first retry (doubles each try)

    def retry_policy(self):  # -> connectors.http.RetryPolicy
        from tieout.connectors.http import RetryPolicy

        return RetryPolicy(tries=self.tries, backoff_base=self.backoff_base)


class Connector(ABC):
    kind: str = ""

    def __init__(self, settings: SourceSettings, secret: str | None, ctx: MapContext) -> None:
        self.settings = settings
        self.ctx = ctx
        self._secret = secret

    def __repr__(self) -> str:  # never show the secret
        return f"{type(self).__name__}({self.settings.name!r})"

    @abstractmethod
    def check(self) -> None:
        """Raise a ConnectorError unless the source is reachable and accepts the credentials."""

    @abstractmethod
    def pull(self, cursor: Cursor, resume: bool, domains: frozenset[str] = ALL_DOMAINS) -> Iterator[Page]:
        """Pages of canonical records; ``resume`` continues an interrupted pass; only passes that serve one
        of ``domains`` are read (customers serve every domain)."""

    def push(self, correction: Any) -> dict[str, Any]:
        """Write a correction back (filled in by the corrections issue)."""
        raise NotImplementedError(f"{self.kind}: pushing corrections is not implemented yet")

    def close(self) -> None:
        """Release HTTP clients and files."""


def start_state(state: dict[str, Any] | None, resume: bool) -> dict[str, Any] | None:
    """Where a pass over one object type starts; None means "already done in the interrupted run"."""
    state = state or {}
    if resume and state.get("done"):
        return None
    if resume and "after" in state:
        return state
    return {k: v for k, v in state.items() if k not in ("after", "done")}
