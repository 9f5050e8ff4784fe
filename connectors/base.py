"""What every connector offers: ``check()``, ``pull(cursor, resume, domains)``, and for corrections
``write(request)`` (sent once), ``read(path)`` and ``modified_at(record)``.

``pull`` yields :class:`Page` s; each carries the records to store and the
cursor state of its object type *after* the page, committed with the page,
so a crash resumes after the last committed page.  Per object type the state
is ``{"after": ...}`` while a pass is under way and ``{"done": True, ...}``
when it finished (plus whatever the next incremental pass needs).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from tieout.connectors.errors import ConnectorError
from tieout.connectors.registry import MapContext
from tieout.storage.ingest import Record
from tieout.storage.quarantine import Rejected
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
    rejected: list[Rejected] = field(default_factory=list)  # payloads that could not be mapped (quarantined)


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


@dataclass(frozen=True)
class WriteRequest:
    """Exactly what a correction sends: method, path, body (JSON, or form fields for Stripe) and the
    idempotency key (Stripe ``Idempotency-Key``; NetSuite upserts carry theirs in the ``eid:`` path)."""

    method: str
    path: str
    body: dict[str, Any]
    idempotency_key: str | None = None


@dataclass(frozen=True)
class WriteResult:
    status: int
    body: Any  # the decoded response (None for 204)
    location: str | None  # where the written record lives (NetSuite Location header), if the source says


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

    def write(self, request: "WriteRequest") -> "WriteResult":
        """Send one correction's request once (see :meth:`HttpClient.write_once` for what it raises)."""
        raise ConnectorError(f"source {self.settings.name!r}: a {self.kind} source cannot be written back")

    def read(self, path: str) -> dict[str, Any] | None:
        """The record at ``path`` as the source returns it now, or None if there is none (404)."""
        raise ConnectorError(f"source {self.settings.name!r}: a {self.kind} source cannot be read by path")

    def modified_at(self, record: dict[str, Any]) -> str | None:
        """When the record last changed, as the source says (None: the source does not say)."""
        return None

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
