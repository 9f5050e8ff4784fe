"""SVG snapshots of the main screens on fixed data (timestamps pinned, no clock, no blinking cursors).

Update after an intended change with ``pytest tests/app/test_snapshots.py --snapshot-update``
and look at the SVGs before committing them.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from textual.widgets import Input

from tieout.app.tui.app import TieoutApp
from tieout.app.tui.screens.detail import DetailScreen

from tests.support import SAMPLE_PERIOD as PERIOD
from .pilot import queue_table, until

FIXED = "2026-11-02T09:00:00+00:00"
SIZE = (150, 42)


@pytest.fixture
def fixed_svc(svc):
    """The sample workspace with timestamps (and the run's input fingerprint, which follows the
    connectors' mapping code) pinned, so screens render the same on every run."""
    conn = svc.ws.raw()
    conn.execute("BEGIN")
    conn.execute('UPDATE "break" SET opened_at = ?, updated_at = ?', (FIXED, FIXED))
    conn.execute("UPDATE match_run SET started_at = ?, finished_at = ?, input_fingerprint = ?", (FIXED, FIXED, "f" * 64))
    conn.execute("UPDATE sync_run SET started_at = ?, finished_at = ?", (FIXED, FIXED))
    conn.execute("UPDATE raw_block SET fetched_at = ?", (FIXED,))
    conn.execute("COMMIT")
    conn.close()
    return svc


def app_for(svc, start: str) -> TieoutApp:
    return TieoutApp(svc, period=PERIOD, start=start, clock=lambda: datetime(2026, 11, 3, tzinfo=timezone.utc))


async def still(pilot) -> None:
    for widget in pilot.app.screen.query(Input):
        widget.cursor_blink = False
    await pilot.pause()


def test_dashboard(fixed_svc, snap_compare) -> None:
    async def ready(pilot):
        await until(pilot, lambda: pilot.app.screen.query_one("#domains").row_count, "the dashboard")
        await still(pilot)

    assert snap_compare(app_for(fixed_svc, "dashboard"), terminal_size=(150, 56), run_before=ready)


def test_queue(fixed_svc, snap_compare) -> None:
    async def ready(pilot):
        await queue_table(pilot)
        await pilot.press("down", "space")  # a selected row
        await still(pilot)

    assert snap_compare(app_for(fixed_svc, "queue"), terminal_size=SIZE, run_before=ready)


def test_detail(fixed_svc, snap_compare) -> None:
    brk = fixed_svc.breaks(PERIOD, kind="amount_mismatch").sort("id").row(0, named=True)

    async def ready(pilot):
        await queue_table(pilot)
        pilot.app.push_screen(DetailScreen(brk["id"]))
        await until(pilot, lambda: getattr(pilot.app.screen, "detail", None) is not None, "the detail")
        await still(pilot)

    assert snap_compare(app_for(fixed_svc, "queue"), terminal_size=SIZE, run_before=ready)


def test_help(fixed_svc, snap_compare) -> None:
    async def ready(pilot):
        await pilot.press("f1")
        await still(pilot)

    assert snap_compare(app_for(fixed_svc, "dashboard"), terminal_size=SIZE, run_before=ready)
