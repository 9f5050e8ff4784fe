"""Break detail, help, command palette and dashboard on the real app."""

from __future__ import annotations

import polars as pl
from textual.widgets import DataTable, Static

from tieout.app.tui.app import TieoutApp
from tieout.app.tui.screens.detail import DetailScreen, compare_rows
from tieout.app.tui.screens.help import HelpScreen
from tieout.storage.money import format_amount

from tests.support import SAMPLE_PERIOD as PERIOD
from .pilot import queue_table, until


async def test_detail_shows_both_sides_with_differences_lineage_and_history(svc) -> None:
    brk = svc.breaks(PERIOD, kind="amount_mismatch").row(0, named=True)
    svc.add_note(brk["id"], "checking with AR", user="tester")
    async with TieoutApp(svc, period=PERIOD, start="queue").run_test(size=(160, 40)) as pilot:
        await queue_table(pilot)
        pilot.app.push_screen(DetailScreen(brk["id"]))
        screen = await until(pilot, lambda: isinstance(pilot.app.screen, DetailScreen)
                             and pilot.app.screen.detail is not None and pilot.app.screen, "the detail")
        summary = str(screen.query_one("#summary", Static).render())
        assert "amount_mismatch" in summary and format_amount(brk["amount"], brk["currency"]) in summary
        compare = screen.query_one("#compare", DataTable)
        rows = {str(compare.get_row_at(i)[0]): compare.get_row_at(i) for i in range(compare.row_count)}
        total = rows["total"]
        assert total[1].plain != total[2].plain and "red" in str(total[1].style)  # differing field highlighted
        assert rows["external_id"][1].plain == brk["billing_ids"][0]
        lineage = screen.query_one("#lineage", DataTable)
        sources = {lineage.get_row_at(i)[3] for i in range(lineage.row_count)}
        assert sources == {"stripe", "netsuite"}
        history = screen.query_one("#history", DataTable)
        assert any("checking with AR" in str(history.get_row_at(i)) for i in range(history.row_count))
        assert "payload" in str(screen.query_one("#raw", Static).render()) or brk["billing_ids"][0] in str(
            screen.query_one("#raw", Static).render())
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(pilot.app.screen, DetailScreen), "back to the queue")


def test_compare_rows_marks_only_fields_that_differ() -> None:
    class Rec:
        def __init__(self, **fields):
            self.fields = fields

    rows = compare_rows([Rec(currency="USD", total=1000, status="paid")], [Rec(currency="USD", total=990, status="paid")])
    assert ("total", "10.00", "9.90", True) in rows and ("status", "paid", "paid", False) in rows


async def test_help_lists_every_binding_and_ctrl_q_quits(svc) -> None:
    app = TieoutApp(svc, period=PERIOD)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("question_mark")
        help_screen = await until(pilot, lambda: isinstance(app.screen, HelpScreen) and app.screen, "help")
        table = help_screen.query_one(DataTable)
        listed = {(str(table.get_row_at(i)[0]), str(table.get_row_at(i)[2])) for i in range(table.row_count)}
        for where, action in (("queue", "Status"), ("queue", "Bulk status"), ("queue", "Match"), ("detail", "Unmatch"),
                              ("sync", "Sync + match"), ("app", "Quit"), ("queue", "Note"), ("queue", "Assign")):
            assert (where, action) in listed
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, HelpScreen), "help to close")
        await pilot.press("ctrl+q")
    assert app.return_code == 0


async def test_every_queue_action_is_a_palette_command(svc) -> None:
    app = TieoutApp(svc, period=PERIOD, start="queue")
    async with app.run_test(size=(160, 40)) as pilot:
        await queue_table(pilot)
        titles = {c.title: c for c in app.get_system_commands(app.screen)}
        for title in ("Status", "Note", "Assign", "Match", "Unmatch", "Bulk status", "Dashboard", "Sync", "Detail"):
            assert title in titles
        await pilot.press("ctrl+p")
        await pilot.pause(0.2)
        await pilot.press(*"Detail")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, DetailScreen), "the palette command to run")


async def test_dashboard_figures(svc) -> None:
    breaks = svc.breaks(PERIOD)
    open_ = breaks.filter(~pl.col("status").is_in(["resolved", "auto_resolved"]))
    app = TieoutApp(svc, period=PERIOD)
    async with app.run_test(size=(160, 50)) as pilot:
        domains = await until(pilot, lambda: (t := app.screen.query_one("#domains", DataTable)).row_count and t,
                              "the dashboard")
        usd = next(domains.get_row_at(i) for i in range(domains.row_count) if domains.get_row_at(i)[1] == "USD")
        summary = svc.summary(PERIOD).filter(pl.col("currency") == "USD").row(0, named=True)
        assert usd[4] == summary["matched_count"] and usd[6] == summary["open_breaks"]
        kinds = str(app.screen.query_one("#kinds", Static).render())
        for kind, count in open_.group_by("kind").len().iter_rows():
            assert kind in kinds and f"{count:,}" in kinds
        ageing = app.screen.query_one("#ageing", DataTable)
        assert sum(ageing.get_row_at(i)[1] for i in range(ageing.row_count)) == len(open_)
        sources = app.screen.query_one("#sources", DataTable)
        assert {sources.get_row_at(i)[0] for i in range(sources.row_count)} == {"stripe", "netsuite"}
        metrics = str(app.screen.query_one("#metrics", Static).render())
        dupes = breaks.filter(pl.col("kind").str.starts_with("duplicate")).height
        assert f"duplicates found: {dupes:,}" in metrics


async def test_entity_and_period_switch_reload_the_queue(svc) -> None:
    eu = svc.breaks(PERIOD, entity="EU").filter(~pl.col("status").is_in(["resolved", "auto_resolved"]))
    async with TieoutApp(svc, period=PERIOD, start="queue").run_test(size=(160, 40)) as pilot:
        table = await queue_table(pilot)
        await pilot.press("e", *"XX", "enter")
        await pilot.pause()
        assert "unknown entity 'XX'" in str(pilot.app.screen.query_one("#error").render())
        await pilot.press(*["backspace"] * 2, *"EU", "enter")
        table = await queue_table(pilot, table)
        assert sorted(table.break_id_at(i) for i in range(len(table.view))) == sorted(eu["id"])
        await pilot.press("p", *["backspace"] * 7, *"2026-13", "enter")
        await pilot.pause()
        assert "not in the expected form" in str(pilot.app.screen.query_one("#error").render())
        await pilot.press(*["backspace"] * 7, *"2026-09", "enter")
        table = await queue_table(pilot, table)
        assert pilot.app.state.period == "2026-09" and len(table.view) == 0
