"""The break queue on the real app over a real workspace (sample month, matched)."""

from __future__ import annotations

import polars as pl
from textual.widgets import Input, Select

from tieout.app.tui.app import TieoutApp
from tieout.app.tui.widgets.totals_bar import TotalsBar
from tieout.storage.money import format_amount

from tests.support import SAMPLE_PERIOD as PERIOD
from .pilot import queue_table, until

UNRESOLVED = ~pl.col("status").is_in(["resolved", "auto_resolved"])


def queue_ids(table) -> list[str]:
    return [table.view.row(i)["id"] for i in range(len(table.view))]


async def test_queue_shows_unresolved_breaks_with_totals(svc) -> None:
    expected = svc.breaks(PERIOD).filter(UNRESOLVED)
    async with TieoutApp(svc, period=PERIOD, start="queue").run_test(size=(160, 40)) as pilot:
        table = await queue_table(pilot)
        assert sorted(queue_ids(table)) == sorted(expected["id"].to_list())
        totals = str(pilot.app.screen.query_one(TotalsBar).render())
        assert f"{len(expected):,} of " in totals
        usd = expected.filter(pl.col("currency") == "USD")["amount"].sum()
        assert f"USD {format_amount(usd, 'USD')}" in totals


async def test_filters_narrow_the_queue_and_totals(svc) -> None:
    async with TieoutApp(svc, period=PERIOD, start="queue").run_test(size=(160, 40)) as pilot:
        table = await queue_table(pilot)
        pilot.app.screen.query_one("#kind", Select).value = "missing_in_erp"
        table = await queue_table(pilot, table)
        kinds = {table.view.row(i)["kind"] for i in range(len(table.view))}
        assert kinds == {"missing_in_erp"} and len(table.view) > 0

        some_id = table.view.row(0)["billing_ids"][0]
        await pilot.press("slash", *some_id[-8:])
        table = await until(pilot, lambda: (t := pilot.app.screen.query_one("#queue-table"))
                            and len(t.view) == 1 and t, "the text filter")
        assert table.view.row(0)["billing_ids"] == [some_id]
        assert "1 of " in str(pilot.app.screen.query_one(TotalsBar).render())


async def test_bad_amount_filter_says_so_and_keeps_the_queue(svc) -> None:
    async with TieoutApp(svc, period=PERIOD, start="queue").run_test(size=(160, 40)) as pilot:
        table = await queue_table(pilot)
        shown = len(table.view)
        pilot.app.screen.query_one("#min_amount", Input).value = "12abc"
        await until(pilot, lambda: any("minimum amount '12abc'" in n.message for n in pilot.app._notifications),
                    "an error notification")
        assert len(pilot.app.screen.query_one("#queue-table").view) == shown


async def test_sort_key_cycles_and_reverses(svc) -> None:
    async with TieoutApp(svc, period=PERIOD, start="queue").run_test(size=(160, 40)) as pilot:
        table = await queue_table(pilot)
        await pilot.press("o")  # first sortable column: kind, descending
        table = await queue_table(pilot, table)
        kinds = [table.view.row(i)["kind"] for i in range(len(table.view))]
        assert kinds == sorted(kinds, reverse=True)
        await pilot.press("O")
        table = await queue_table(pilot, table)
        kinds = [table.view.row(i)["kind"] for i in range(len(table.view))]
        assert kinds == sorted(kinds)
