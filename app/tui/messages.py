"""Typed messages that workers post back to the UI thread."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl
from textual.message import Message

from tieout.app.tui.queue_frame import QueueView


@dataclass
class BreaksLoaded(Message):
    """The period's breaks, read through the service; ``complete`` is False for the first page."""

    frame: pl.DataFrame
    complete: bool = True


@dataclass
class QueueReady(Message):
    """A filtered, sorted view of the loaded breaks; ``generation`` says which load it came from."""

    view: QueueView
    generation: int


@dataclass
class DashboardReady(Message):
    """Figures for the dashboard (see :mod:`app.tui.dashboard_model`)."""

    figures: Any


@dataclass
class DetailReady(Message):
    """A ``reconcile.service.BreakDetail``."""

    detail: Any


@dataclass
class ActionDone(Message):
    """A state change went through the service; ``text`` says what for the user."""

    text: str
    break_ids: list[str]


@dataclass
class WorkFailed(Message):
    """A worker failed; ``text`` is the one-line reason (tieout errors carry their own)."""

    text: str


@dataclass
class SyncProgress(Message):
    """A line of progress from a sync or match run; ``fraction`` in 0..1 when known."""

    text: str
    fraction: float | None = None


@dataclass
class SyncFinished(Message):
    ok: bool
    text: str


@dataclass
class MatchesLoaded(Message):
    """The matches an unmatch could undo, for the break ``brk`` (a breaks() row)."""

    brk: dict[str, Any]
    matches: pl.DataFrame


@dataclass
class CandidatesLoaded(Message):
    """Unresolved breaks whose records could be matched by hand with ``brk``'s."""

    brk: dict[str, Any]
    candidates: pl.DataFrame


@dataclass
class CorrectionsLoaded(Message):
    """The period's corrections (``svc.corrections.list``)."""

    frame: pl.DataFrame


@dataclass
class PlanReady(Message):
    """A plan just signed (``reconcile.corrections.plan.Plan``)."""

    plan: Any


@dataclass
class PushProgress(Message):
    """One correction of a plan pushed (or not); ``fraction`` of the plan done."""

    text: str
    fraction: float


@dataclass
class PushFinished(Message):
    ok: bool
    text: str
