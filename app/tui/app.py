"""The tieout review app: dashboard, break queue, break detail, sync, help."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from functools import partial

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from tieout.app.tui.screens.corrections import CorrectionsScreen
from tieout.app.tui.screens.dashboard import DashboardScreen
from tieout.app.tui.screens.dialogs import TextDialog
from tieout.app.tui.screens.detail import DetailScreen
from tieout.app.tui.screens.help import HelpScreen
from tieout.app.tui.screens.queue import QueueScreen
from tieout.app.tui.screens.sync import SyncScreen
from tieout.app.tui.state import AppState
from tieout.reconcile.protocols import AppServices
from tieout.storage.vocabulary import PERIOD_PATTERN

SCREENS_FOR_HELP: tuple[tuple[str, type[Screen]], ...] = (
    ("dashboard", DashboardScreen), ("queue", QueueScreen), ("detail", DetailScreen), ("sync", SyncScreen),
    ("corrections", CorrectionsScreen),
)


class TieoutApp(App):
    """The review app over the workspace's services (typed as :class:`AppServices`).

    ``svc`` does all I/O, always from workers; the app holds only view state.
    """

    CSS_PATH = "app.tcss"
    TITLE = "tieout"
    MODES = {"dashboard": DashboardScreen, "queue": QueueScreen, "sync": SyncScreen, "corrections": CorrectionsScreen}
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", priority=True),
        Binding("question_mark,f1", "help", "Help"),
        Binding("d", "switch_mode('dashboard')", "Dashboard"),
        Binding("b", "switch_mode('queue')", "Breaks"),
        Binding("y", "switch_mode('sync')", "Sync"),
        Binding("c", "switch_mode('corrections')", "Corrections", show=False),
        Binding("p", "choose_period", "Period"),
        Binding("e", "choose_entity", "Entity"),
    ]

    def __init__(self, svc: AppServices, *, period: str | None = None, entity: str | None = None,
                 start: str = "dashboard", user: str | None = None,
                 clock: Callable[[], datetime] | None = None) -> None:
        super().__init__()
        self.svc = svc
        self.state = AppState(period=period or svc.current_period(), entity=entity)
        self.start_mode = start
        self.user = user or svc.user
        self.clock = clock or (lambda: datetime.now(timezone.utc))  # fixed in snapshot tests (ageing)

    def on_mount(self) -> None:
        # Startup objects (Textual, polars, these modules) live as long as the app: moving them
        # out of the collector's generations keeps the full collections that a million-row
        # queue triggers short (bench queue_1m: filter median ~0.37 s -> ~0.26 s).  Once per
        # process, so a later app (tests, bench repeats) never freezes an earlier one's garbage.
        if gc.get_freeze_count() == 0:
            gc.freeze()
        self.switch_mode(self.start_mode)

    def data_changed(self) -> None:
        """After a sync/re-match: screens showing older data reload when next shown."""
        self.state.data_version += 1

    def action_choose_period(self) -> None:
        def chosen(period: str | None) -> None:
            if period and period != self.state.period:
                self.state.period = period
                self.state.selected.clear()
                self.data_changed()

        self.push_screen(TextDialog("Period (YYYY-MM)", "period", self.state.period, pattern=PERIOD_PATTERN), chosen)

    def action_choose_entity(self) -> None:
        known = self.svc.entities

        def chosen(entity: str | None) -> None:
            if entity is not None and (entity or None) != self.state.entity:
                self.state.entity = entity or None
                self.state.selected.clear()
                self.data_changed()

        self.push_screen(TextDialog(f"Entity ({', '.join(known)}; empty: all)", "entity", self.state.entity or "",
                                    required=False, choices=known), chosen)

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        sections = [("app", self.BINDINGS)] + [(name, cls.BINDINGS) for name, cls in SCREENS_FOR_HELP]
        self.push_screen(HelpScreen(sections))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Every binding of the app and of the current screen is also a palette command."""
        yield from super().get_system_commands(screen)
        seen = {"quit", "help"}
        for target, bindings in ((self, self.BINDINGS), (screen, screen.BINDINGS)):
            for b in bindings:
                if isinstance(b, Binding) and b.description and b.action not in seen:
                    seen.add(b.action)
                    yield SystemCommand(b.description, f"key: {b.key_display or b.key}",
                                        partial(target.call_later, target.run_action, b.action))
