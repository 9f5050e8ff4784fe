"""The corrections queue in the real app (App.run_test): propose from a break, approve as another user,
sign the plan, push with progress — and the proposer cannot approve here either."""

from __future__ import annotations

from textual.widgets import Log, ProgressBar, Select

from tieout.app.tui.app import TieoutApp
from tieout.app.tui.screens.corrections import CorrectionsScreen
from tieout.app.tui.screens.dialogs import TextDialog
from tests.app.pilot import queue_table, until
from tests.corrections.books import CHECKER, MAKER, PERIOD, Books


async def test_propose_approve_plan_and_push_from_the_app(books: Books) -> None:
    svc = books.svc
    brk = books.brk("missing_in_erp")
    async with TieoutApp(svc, period=PERIOD, start="queue", user=MAKER).run_test(size=(160, 40)) as pilot:
        table = await queue_table(pilot)
        pilot.app.screen.query_one("#kind", Select).value = "missing_in_erp"
        table = await queue_table(pilot, table)
        table.focus()
        while table.current_break_id != brk["id"]:
            await pilot.press("down")
        await pilot.press("C")
        await until(pilot, lambda: isinstance(pilot.app.screen, TextDialog), "the correction dialog")
        await pilot.press(*"from the app", "enter")
        await until(pilot, lambda: svc.corrections.list().height == 1, "the proposal")
        await pilot.press("c")
        screen = await until(pilot, lambda: isinstance(pilot.app.screen, CorrectionsScreen) and pilot.app.screen,
                             "the corrections screen")
        await until(pilot, lambda: screen.ids, "the corrections list")
        await pilot.press("a")  # the proposer tries to approve
        await until(pilot, lambda: "different user must approve" in "\n".join(screen.query_one(Log).lines),
                    "the refusal")
    assert svc.corrections.list()["status"].to_list() == ["proposed"]
    assert svc.corrections.list()["maker"].to_list() == [MAKER]

    async with TieoutApp(svc, period=PERIOD, start="corrections", user=CHECKER).run_test(size=(160, 40)) as pilot:
        screen = await until(pilot, lambda: isinstance(pilot.app.screen, CorrectionsScreen) and pilot.app.screen
                             and pilot.app.screen.ids and pilot.app.screen, "the corrections list")
        await pilot.press("a")
        await until(pilot, lambda: svc.corrections.list()["status"].to_list() == ["approved"], "the approval")
        await pilot.press("l")
        await until(pilot, lambda: screen.plan_hash, "the signed plan")
        assert any("PUT /services/rest/record/v1/invoice/eid:" in line for line in screen.query_one(Log).lines)
        await pilot.press("g")
        await until(pilot, lambda: svc.corrections.list()["status"].to_list() == ["pushed"], "the push")
        await until(pilot, lambda: screen.query_one(ProgressBar).progress == 1.0, "the progress bar")
        assert any("1 pushed, 0 failed" in line for line in screen.query_one(Log).lines)
    assert svc.breaks(PERIOD).filter(svc.breaks(PERIOD)["id"] == brk["id"])["status"].item() == "resolved"
