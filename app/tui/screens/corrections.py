"""The corrections queue: approve or reject, sign the plan, push it with progress.

Corrections are proposed from a break (``C`` on the queue or the detail
screen); everything here goes through ``svc.corrections``, the same service
`tieout correct` uses, so the maker-checker rule holds whichever way in.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.markup import escape
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Log, ProgressBar, Static

from tieout.app.tui.messages import ActionDone, CorrectionsLoaded, PlanReady, PushFinished, PushProgress, WorkFailed
from tieout.app.tui.screens.dialogs import TextDialog
from tieout.app.tui.work import in_worker
from tieout.storage.money import format_amount

if TYPE_CHECKING:
    from tieout.app.tui.app import TieoutApp

COLUMNS = ("id", "action", "status", "amount", "maker", "checker", "break_id", "reason")


class CorrectionsScreen(Screen):
    app: "TieoutApp"
    DEFAULT_CSS = Path(__file__).with_suffix(".tcss").read_text(encoding="utf-8")
    BINDINGS = [
        Binding("a", "approve", "Approve"),
        Binding("x", "reject", "Reject"),
        Binding("l", "plan", "Plan"),
        Binding("g", "push", "Push"),
        Binding("r", "reload", "Reload"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.plan_hash: str | None = None
        self.ids: list[int] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="corrections-status")
        table: DataTable = DataTable(id="corrections", cursor_type="row", zebra_stripes=True)
        table.add_columns(*COLUMNS)
        yield table
        yield ProgressBar(total=1.0, show_eta=False, id="push-progress")
        yield Log(id="corrections-log", auto_scroll=True)
        yield Footer()

    def on_mount(self) -> None:
        self.action_reload()

    def on_screen_resume(self) -> None:
        self.action_reload()

    # ------------------------------------------------------------ reading

    def action_reload(self) -> None:
        svc, period = self.app.svc, self.app.state.period
        self.sub_title = f"corrections · {period}"
        in_worker(self, lambda: CorrectionsLoaded(svc.corrections.list(period=period)), group="load", exclusive=True)

    def on_corrections_loaded(self, message: CorrectionsLoaded) -> None:
        table = self.query_one("#corrections", DataTable)
        table.clear()
        self.ids = []
        for row in message.frame.iter_rows(named=True):
            self.ids.append(row["id"])
            table.add_row(*(Text(_cell(row, c)) for c in COLUMNS), key=str(row["id"]))
        waiting = sum(1 for s in message.frame["status"] if s in ("proposed", "approved", "failed"))
        self.query_one("#corrections-status", Static).update(
            escape(f"{len(self.ids)} correction(s), {waiting} waiting · a approve · x reject · l plan · g push"))

    def current_id(self) -> int | None:
        table = self.query_one("#corrections", DataTable)
        if not self.ids or table.cursor_row is None or table.cursor_row >= len(self.ids):
            return None
        return self.ids[table.cursor_row]

    # ------------------------------------------------------------ checker

    def _do(self, text: str, call: Any) -> None:
        def job() -> ActionDone:
            call()
            return ActionDone(text, [])

        in_worker(self, job, group="action")

    def action_approve(self) -> None:
        cid = self.current_id()
        if cid is not None:
            svc, user = self.app.svc, self.app.user
            self._do(f"correction {cid} approved by {user}", lambda: svc.corrections.approve(cid, user=user))

    def action_reject(self) -> None:
        cid = self.current_id()
        if cid is None:
            return
        svc, user = self.app.svc, self.app.user

        def chosen(reason: str | None) -> None:
            if reason:
                self._do(f"correction {cid} rejected", lambda: svc.corrections.reject(cid, reason=reason, user=user))

        self.app.push_screen(TextDialog(f"Reject correction {cid}: why?", "reason"), chosen)

    def on_action_done(self, message: ActionDone) -> None:
        self.notify(escape(message.text))
        self.app.data_changed()
        self.action_reload()

    # ------------------------------------------------------------ plan and push

    def action_plan(self) -> None:
        svc, period, user = self.app.svc, self.app.state.period, self.app.user
        in_worker(self, lambda: PlanReady(svc.corrections.plan(period, user=user)), group="action")

    def on_plan_ready(self, message: PlanReady) -> None:
        plan = message.plan
        self.plan_hash = plan.hash
        log = self.query_one("#corrections-log", Log)
        log.write_line(f"plan {plan.hash} signed by {plan.signed_by}: {len(plan.entries)} correction(s)")
        for entry in plan.entries:
            request = entry["request"]
            what = f"{request['method']} {request['path']}" if request.get("method") else "record only"
            log.write_line(f"  #{entry['id']} {entry['type']}: {what} {json.dumps(request.get('body'))[:160]}")
        self.query_one("#corrections-status", Static).update(escape(f"plan {plan.hash[:12]} signed · g to push it"))

    def action_push(self) -> None:
        if self.plan_hash is None:
            self.notify("sign a plan first (l)", severity="warning")
            return
        if any(w.group == "push" and w.is_running for w in self.workers):
            self.notify("a push is already running")
            return
        svc, user, plan_hash = self.app.svc, self.app.user, self.plan_hash
        self.query_one(ProgressBar).update(progress=0.0)

        def progress(outcome: Any, done: int, total: int) -> None:
            self.post_message(PushProgress(f"#{outcome.id}: {outcome.status} — {outcome.detail}", done / total))

        def job() -> PushFinished:
            report = svc.corrections.push(plan_hash, user=user, progress=progress)
            pushed = sum(o.status == "pushed" for o in report.outcomes)
            failed = sum(o.status == "failed" for o in report.outcomes)
            return PushFinished(not failed, f"plan {plan_hash[:12]}: {pushed} pushed, {failed} failed")

        in_worker(self, job, group="push", exclusive=True)

    def on_push_progress(self, message: PushProgress) -> None:
        self.query_one("#corrections-log", Log).write_line(message.text)
        self.query_one(ProgressBar).update(progress=message.fraction)

    def on_push_finished(self, message: PushFinished) -> None:
        self.query_one(ProgressBar).update(progress=1.0)
        self.query_one("#corrections-log", Log).write_line(message.text)
        self.notify(escape(message.text), severity="information" if message.ok else "error")
        self.app.data_changed()
        self.action_reload()

    def on_work_failed(self, message: WorkFailed) -> None:
        self.query_one("#corrections-log", Log).write_line(f"refused: {message.text}")
        self.notify(escape(message.text), title="error", severity="error", timeout=8)


def _cell(row: dict[str, Any], column: str) -> str:
    value = row[column]
    if column == "amount" and value is not None and row["currency"]:
        return f"{format_amount(value, row['currency'])} {row['currency']}"
    return "" if value is None else str(value)
