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
    brk = svc.breaks(PERIOD, kind="amount_mismatch", domain="invoice").row(0, named=True)
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


def _rows(table: DataTable) -> list[list]:
    return [table.get_row_at(i) for i in range(table.row_count)]


async def _dashboard(pilot):
    return await until(pilot, lambda: (t := pilot.app.screen.query_one("#domains", DataTable)).row_count and t,
                       "the dashboard")


async def test_dashboard_figures(svc) -> None:
    breaks = svc.breaks(PERIOD)
    open_ = breaks.filter(pl.col("status").is_in(["open", "investigating"]))
    app = TieoutApp(svc, period=PERIOD)
    async with app.run_test(size=(160, 50)) as pilot:
        domains = await _dashboard(pilot)
        usd = next(r for r in _rows(domains) if r[1] == "USD")
        summary = svc.summary(PERIOD).filter(pl.col("currency") == "USD").row(0, named=True)
        assert usd[4] == summary["matched_count"] and usd[6] == summary["open_breaks"]
        kinds = str(app.screen.query_one("#kinds", Static).render())
        for kind, count in open_.group_by("kind").len().iter_rows():
            assert kind in kinds and f"{count:,}" in kinds
        ageing = app.screen.query_one("#ageing", DataTable)
        assert sum(r[1] for r in _rows(ageing)) == len(open_)
        sources = str(app.screen.query_one("#sources", Static).render())
        assert "stripe" in sources and "netsuite" in sources
        metrics = str(app.screen.query_one("#metrics", Static).render())
        dupes = breaks.filter(pl.col("kind").str.starts_with("duplicate")).height
        assert f"duplicates found: {dupes:,}" in metrics
        money = {r[0]: [str(c) for c in r[1:]] for r in _rows(app.screen.query_one("#money", DataTable))}
        for r in svc.summary(PERIOD).group_by("currency").agg(pl.col("billing_total", "erp_total").sum()).iter_rows():
            cur, billing, erp = r
            assert money[cur][:3] == [format_amount(billing, cur), format_amount(erp, cur),
                                      format_amount(billing - erp, cur)]
            stake = open_.filter(pl.col("currency") == cur)["amount"].sum()
            assert money[cur][3] == format_amount(stake, cur)


async def test_every_open_figure_agrees_after_statuses_change(svc) -> None:
    """Explained, resolved and investigating breaks move every panel the same way (one definition of open)."""
    ids = svc.breaks(PERIOD, status="open")["id"].to_list()
    svc.bulk_set_status(ids[:4], "explained", reason="timing")
    svc.bulk_set_status(ids[4:6], "resolved", reason="fixed_in_source")
    svc.bulk_set_status(ids[6:9], "investigating")
    expected = svc.breaks(PERIOD).filter(pl.col("status").is_in(["open", "investigating"])).height
    app = TieoutApp(svc, period=PERIOD)
    async with app.run_test(size=(160, 50)) as pilot:
        domains = await _dashboard(pilot)
        screen = app.screen
        by_domain = sum(r[6] for r in _rows(domains))
        by_kind = sum(int(line.rsplit(" ", 1)[1].replace(",", ""))
                      for line in str(screen.query_one("#kinds", Static).render()).splitlines() if line.strip())
        by_age = sum(r[1] for r in _rows(screen.query_one("#ageing", DataTable)))
        headline = str(screen.query_one("#headline", Static).render())
        assert by_domain == by_kind == by_age == expected
        assert f"{expected:,} open break(s)" in headline


async def test_an_all_entities_run_is_shown_under_an_entity_filter(svc) -> None:
    app = TieoutApp(svc, period=PERIOD, entity="EU")
    eu_open = svc.breaks(PERIOD, entity="EU").filter(pl.col("status").is_in(["open", "investigating"])).height
    async with app.run_test(size=(160, 50)) as pilot:
        await _dashboard(pilot)
        headline = str(app.screen.query_one("#headline", Static).render())
        assert "no match run" not in headline.lower()
        assert "(all entities, shown for EU)" in headline and f"{eu_open:,} open break(s)" in headline


async def test_a_failed_sync_shows_as_failed_with_its_error(svc, tmp_path) -> None:
    from tieout.connectors.sources import add_source
    from tieout.connectors.sync import sync_sources

    export = tmp_path / "gl.csv"
    export.write_text("id,amount\n1,2\n", encoding="utf-8")
    add_source(svc.ws, "ledger", kind="file", side="erp", path=str(export), mapping="netsuite-invoices")
    export.unlink()
    (result,) = sync_sources(svc.ws, ["ledger"])
    assert not result.ok
    app = TieoutApp(svc, period=PERIOD)
    async with app.run_test(size=(160, 50)) as pilot:
        await _dashboard(pilot)
        lines = str(app.screen.query_one("#sources", Static).render()).splitlines()
        ledger = next(i for i, line in enumerate(lines) if line.startswith("ledger"))
        assert "failed" in lines[ledger] and "ok" not in lines[ledger].split(")")[-1]
        assert lines[ledger + 1].strip().startswith("✗") and "gl.csv" in lines[ledger + 1]


async def test_dashboard_panels_stack_on_a_narrow_terminal_and_amounts_are_whole(svc) -> None:
    app = TieoutApp(svc, period=PERIOD)
    async with app.run_test(size=(80, 24)) as pilot:
        await _dashboard(pilot)
        assert app.screen.has_class("narrow")
        money = app.screen.query_one("#money", DataTable)
        assert money.size.width >= 70  # one panel per row (two side by side would get ~38 columns each)
        usd = next(r for r in _rows(money) if r[0] == "USD")
        billing = svc.summary(PERIOD).filter(pl.col("currency") == "USD")["billing_total"].sum()
        assert str(usd[1]) == format_amount(billing, "USD")


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
