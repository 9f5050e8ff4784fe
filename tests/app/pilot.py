"""Helpers for driving the real app with Textual's pilot."""

from __future__ import annotations

import asyncio

from textual.pilot import Pilot

from tieout.app.tui.widgets.break_table import BreakTable


async def until(pilot: Pilot, condition, what: str, timeout: float = 15.0):
    """Let the app (and its workers) run until ``condition()`` is truthy; return its value."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        await pilot.pause(0.01)
        value = condition()
        if value:
            return value
    raise AssertionError(f"timed out waiting for {what}")


async def queue_table(pilot: Pilot, previous: BreakTable | None = None) -> BreakTable:
    """The queue table once a view newer than ``previous`` is mounted."""

    def current():
        tables = pilot.app.screen.query(BreakTable)
        return tables.first() if tables and tables.first() is not previous else None

    return await until(pilot, current, "the queue table")
