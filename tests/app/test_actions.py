"""Review actions through the real app: each is persisted by the service and audited."""

from __future__ import annotations

import polars as pl
from textual.widgets import Input, Select, SelectionList

from tieout.app.tui.app import TieoutApp
from tieout.app.tui.screens.dialogs import ManualMatchDialog, StatusDialog, TextDialog

from tests.support import SAMPLE_PERIOD as PERIOD
from .pilot import queue_table, until


def audit_actions(svc, action: str) -> pl.DataFrame:
    return svc.audit_events().filter(pl.col("action") == action)


async def open_queue(pilot, svc, kind: str | None = None):
    table = await queue_table(pilot)
    if kind:
        pilot.app.screen.query_one("#kind", Select).value = kind
        table = await queue_table(pilot, table)
    table.focus()
    return table


async def test_status_change_is_persisted_and_audited(svc) -> None:
    async with TieoutApp(svc, period=PERIOD, start="queue").run_test(size=(160, 40)) as pilot:
        table = await open_queue(pilot, svc)
        target = table.current_break_id
        await pilot.press("s")
        dialog = await until(pilot, lambda: isinstance(pilot.app.screen, StatusDialog) and pilot.app.screen,
                             "the status dialog")
        dialog.query_one("#status", Select).value = "explained"
        await pilot.press("ctrl+s")  # no reason yet: refused, dialog stays
        await pilot.pause()
        assert pilot.app.screen is dialog and "reason is required" in str(dialog.query_one("#error").render())
        dialog.query_one("#reason", Select).value = "timing"
        dialog.query_one("#note", Input).value = "clears in November"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: svc.breaks(PERIOD).filter(pl.col("id") == target)["status"].item() == "explained",
                    "the status change")
    row = svc.breaks(PERIOD).filter(pl.col("id") == target).row(0, named=True)
    assert (row["status"], row["reason"], row["note"]) == ("explained", "timing", "clears in November")
    event = audit_actions(svc, "break.status").filter(pl.col("object_id") == target)
    assert len(event) == 1 and event["user"].item() == "tester"


async def test_note_and_assign(svc) -> None:
    async with TieoutApp(svc, period=PERIOD, start="queue").run_test(size=(160, 40)) as pilot:
        table = await open_queue(pilot, svc)
        target = table.current_break_id
        await pilot.press("n")
        await until(pilot, lambda: isinstance(pilot.app.screen, TextDialog), "the note dialog")
        await pilot.press(*"asked AR", "enter")
        await until(pilot, lambda: len(audit_actions(svc, "break.note")) == 1, "the note")
        await until(pilot, lambda: not isinstance(pilot.app.screen, TextDialog), "the dialog to close")
        await pilot.press("a")
        await until(pilot, lambda: isinstance(pilot.app.screen, TextDialog), "the assign dialog")
        await pilot.press(*"ana", "enter")
        await until(pilot, lambda: len(audit_actions(svc, "break.assign")) == 1, "the assignment")
    row = svc.breaks(PERIOD).filter(pl.col("id") == target).row(0, named=True)
    assert (row["note"], row["assignee"]) == ("asked AR", "ana")


async def test_bulk_status_on_a_selection(svc) -> None:
    async with TieoutApp(svc, period=PERIOD, start="queue").run_test(size=(160, 40)) as pilot:
        table = await open_queue(pilot, svc)
        first, second = table.break_id_at(0), table.break_id_at(1)
        await pilot.press("space", "space")  # selects row 0 and row 1 (space moves down)
        assert pilot.app.state.selected == {first, second}
        await pilot.press("S")
        dialog = await until(pilot, lambda: isinstance(pilot.app.screen, StatusDialog) and pilot.app.screen,
                             "the status dialog")
        assert "2 break(s)" in str(dialog.query_one(".title").render())
        await pilot.press("ctrl+s")  # default: investigating
        await until(pilot, lambda: len(audit_actions(svc, "break.status")) == 2, "both changes")
        await until(pilot, lambda: not pilot.app.state.selected, "the selection to clear")
    statuses = svc.breaks(PERIOD).filter(pl.col("id").is_in([first, second]))["status"].to_list()
    assert statuses == ["investigating", "investigating"]


async def test_manual_match_removes_the_break_from_the_queue(svc) -> None:
    breaks = svc.breaks(PERIOD, domain="invoice")
    billing_only = breaks.filter(pl.col("kind") == "missing_in_erp").row(0, named=True)
    erp_only = breaks.filter((pl.col("kind") == "missing_in_billing")
                             & (pl.col("currency") == billing_only["currency"])).row(0, named=True)
    async with TieoutApp(svc, period=PERIOD, start="queue").run_test(size=(160, 40)) as pilot:
        table = await open_queue(pilot, svc, kind="missing_in_erp")
        row = next(i for i in range(len(table.view)) if table.break_id_at(i) == billing_only["id"])
        table.move_cursor(row=row)
        await pilot.press("m")
        dialog = await until(pilot, lambda: isinstance(pilot.app.screen, ManualMatchDialog) and pilot.app.screen,
                             "the match dialog")
        assert dialog.query_one("#billing", SelectionList).selected == billing_only["billing_ids"]
        dialog.query_one("#erp", SelectionList).select(erp_only["erp_ids"][0])
        dialog.query_one("#reason", Input).value = "same invoice, ERP keyed without reference"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: len(audit_actions(svc, "match.manual")) == 1, "the manual match")
        table = await until(
            pilot,
            lambda: (t := pilot.app.screen.query_one("#queue-table"))
            and billing_only["id"] not in [t.break_id_at(i) for i in range(len(t.view))] and t,
            "the matched break to leave the queue",
        )
    after = svc.breaks(PERIOD).filter(pl.col("id").is_in([billing_only["id"], erp_only["id"]]))
    assert set(after["status"]) == {"resolved"}
    manual = svc.matches(PERIOD).filter(pl.col("manual"))
    assert manual["billing_ids"].to_list() == [billing_only["billing_ids"]]


async def test_unmatch_reopens_the_break(svc) -> None:
    breaks = svc.breaks(PERIOD, domain="invoice")
    b = breaks.filter(pl.col("kind") == "missing_in_erp").row(0, named=True)
    e = breaks.filter((pl.col("kind") == "missing_in_billing") & (pl.col("currency") == b["currency"])).row(0, named=True)
    svc.manual_match("invoice", b["billing_ids"], e["erp_ids"], reason="test", user="tester")
    async with TieoutApp(svc, period=PERIOD, start="queue").run_test(size=(160, 40)) as pilot:
        table = await open_queue(pilot, svc)
        pilot.app.screen.query_one("#status", Select).value = "resolved"
        table = await queue_table(pilot, table)
        table.move_cursor(row=next(i for i in range(len(table.view)) if table.break_id_at(i) == b["id"]))
        table.focus()
        await pilot.press("u")
        dialog = await until(pilot, lambda: pilot.app.screen.query("#match") and pilot.app.screen, "the unmatch dialog")
        select = dialog.query_one("#match", Select)
        select.value = select._options[-1][1]
        dialog.query_one("#reason", Input).value = "wrong pair"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: len(audit_actions(svc, "match.unmatch")) == 1, "the unmatch")
    assert svc.breaks(PERIOD).filter(pl.col("id") == b["id"])["status"].item() == "open"
