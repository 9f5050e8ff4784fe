"""Sync every source with live progress, then re-match the period."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header, Log, ProgressBar, Static

from tieout.app.tui.messages import SyncFinished, SyncProgress, WorkFailed
from tieout.app.tui.work import in_worker

if TYPE_CHECKING:
    from tieout.app.tui.app import TieoutApp


class SyncScreen(Screen):
    app: "TieoutApp"
    DEFAULT_CSS = Path(__file__).with_suffix(".tcss").read_text(encoding="utf-8")
    BINDINGS = [Binding("g", "run_sync", "Sync + match")]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="sync-status")
        yield ProgressBar(total=1.0, show_eta=False, id="sync-progress")
        yield Log(id="sync-log", auto_scroll=True)
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"sync · {self.app.state.period}"
        ready = self.app.svc.can_sync()
        self.query_one("#sync-status", Static).update(
            "press g to sync every source, then re-match the period" if ready
            else "no sources configured for this workspace: add them with `tieout source add`, or try `tieout demo`"
        )

    def action_run_sync(self) -> None:
        if not self.app.svc.can_sync():
            self.notify("no sources configured for this workspace", severity="warning")
            return
        if any(w.group == "sync" and w.is_running for w in self.workers):
            self.notify("a sync is already running")
            return
        self.query_one("#sync-log", Log).clear()
        svc, state, user = self.app.svc, self.app.state, self.app.user

        def progress(text: str, fraction: float | None = None) -> None:
            self.post_message(SyncProgress(text, fraction))

        def job() -> SyncFinished:
            summary = svc.sync_and_match(state.period, progress, entity=state.entity, user=user)
            matched = sum(summary.matched.values())
            breaks = sum(v["count"] for v in summary.breaks_by_kind.values())
            return SyncFinished(True, f"match runs {summary.runs}: {matched:,} matched, {breaks:,} breaks")

        in_worker(self, job, group="sync", exclusive=True)

    def on_sync_progress(self, message: SyncProgress) -> None:
        self.query_one("#sync-log", Log).write_line(message.text)
        self.query_one("#sync-status", Static).update(message.text)
        if message.fraction is not None:
            self.query_one(ProgressBar).update(progress=message.fraction)

    def on_sync_finished(self, message: SyncFinished) -> None:
        self.query_one(ProgressBar).update(progress=1.0)
        self.query_one("#sync-log", Log).write_line(message.text)
        self.query_one("#sync-status", Static).update(message.text)
        self.app.data_changed()

    def on_work_failed(self, message: WorkFailed) -> None:
        self.query_one("#sync-log", Log).write_line(f"failed: {message.text}")
        self.query_one("#sync-status", Static).update(f"[red]failed:[/] {message.text}")
        self.notify(message.text, title="sync failed", severity="error", timeout=8)
