"""The break queue: every break of the period, filtered and sorted in polars."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Horizontal
from textual.widgets import Footer, Header, Input, Select
from textual_fastdatatable import DataTable

from tieout.app.tui import queue_frame
from tieout.app.tui.messages import ActionDone, BreaksLoaded, QueueReady
from tieout.app.tui.screens.break_actions import ACTION_BINDINGS, BreakActions
from tieout.app.tui.screens.detail import DetailScreen
from tieout.app.tui.state import UNRESOLVED
from tieout.app.tui.widgets.break_table import COLUMNS, BreakTable
from tieout.app.tui.widgets.totals_bar import TotalsBar, totals_text
from tieout.app.tui.work import in_worker
from tieout.storage.vocabulary import REVIEW_STATUSES

FIRST_PAGE = 500
"""Rows read first, so the queue paints while the rest of a large period loads."""
SORTABLE = [c for c, _, _ in COLUMNS if c != "selected"]


class QueueScreen(BreakActions):
    loaded_version = -1  # AppState.data_version of the data shown; -1: nothing yet
    DEFAULT_CSS = Path(__file__).with_suffix(".tcss").read_text(encoding="utf-8")
    BINDINGS = [
        Binding("enter", "open_detail", "Detail"),
        *ACTION_BINDINGS,
        Binding("space", "toggle_select", "Select"),
        Binding("S", "bulk_status", "Bulk status"),
        Binding("o", "cycle_sort", "Sort"),
        Binding("O", "reverse_sort", "Reverse", show=False),
        Binding("slash", "focus_search", "Search"),
        Binding("escape", "focus_table", "Table", show=False),
        Binding("r", "reload", "Reload"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.frame: pl.DataFrame | None = None
        self.complete = False  # False while only the first page is loaded
        self.generation = 0  # bumped per load, so a view of older data is dropped
        self.view: queue_frame.QueueView | None = None

    def compose(self) -> ComposeResult:
        flt = self.app.state.queue
        yield Header()
        with Horizontal(id="filters"):
            yield Select([], prompt="domain", id="domain")
            yield Select([], prompt="kind", id="kind")
            yield Select([(UNRESOLVED, UNRESOLVED)], prompt="status", value=flt.status or Select.NULL, id="status")
            yield Input(flt.assignee or "", placeholder="assignee (- = none)", id="assignee")
            yield Input(flt.min_amount or "", placeholder="min amount", id="min_amount")
            yield Input(flt.max_amount or "", placeholder="max amount", id="max_amount")
            yield Input(flt.text, placeholder="/ search ids, notes…", id="text")
        yield Container(id="table-holder")
        yield TotalsBar("loading breaks…", id="totals")
        yield Footer()


    # ---------------------------------------------------------------- loading

    def on_screen_resume(self) -> None:
        if self.loaded_version != self.app.state.data_version:
            self.action_reload()

    def action_reload(self) -> None:
        """Read the first page (painted at once), then the rest once that page is on screen."""
        svc, state = self.app.svc, self.app.state
        self.loaded_version = state.data_version
        self.sub_title = f"breaks · {state.period} · {state.entity or 'all entities'}"

        def job() -> BreaksLoaded:
            first = svc.breaks(state.period, entity=state.entity, limit=FIRST_PAGE)
            return BreaksLoaded(first, complete=len(first) < FIRST_PAGE)

        in_worker(self, job, group="load", exclusive=True)

    def _load_rest(self) -> None:
        svc, state = self.app.svc, self.app.state
        in_worker(self, lambda: BreaksLoaded(svc.breaks(state.period, entity=state.entity)), group="load",
                  exclusive=True)

    def on_breaks_loaded(self, message: BreaksLoaded) -> None:
        self.frame, self.complete = message.frame, message.complete
        self.generation += 1
        statuses = sorted(set(queue_frame.choices(self.frame, "status")) | set(REVIEW_STATUSES))
        options = {"domain": queue_frame.choices(self.frame, "domain"),
                   "kind": queue_frame.choices(self.frame, "kind"),
                   "status": [UNRESOLVED, *statuses]}
        flt = self.app.state.queue
        for name, values in options.items():
            select = self.query_one(f"#{name}", Select)
            with select.prevent(Select.Changed):
                select.set_options([(v, v) for v in values])
                current = getattr(flt, name)
                select.value = current if current in values else Select.NULL
        self.refilter()

    def refilter(self) -> None:
        """Recompute the view in a worker; the newest filter wins."""
        frame, flt, generation = self.frame, self.app.state.queue, self.generation
        if frame is None:
            return
        in_worker(self, lambda: QueueReady(queue_frame.apply(frame, flt), generation), group="filter",
                  exclusive=True, io=False)

    async def on_queue_ready(self, message: QueueReady) -> None:
        if message.generation != self.generation:
            return
        self.view = message.view
        self.frame = message.view.frame  # keeps the search column once built
        self.update_totals()
        holder = self.query_one("#table-holder")
        old = holder.query(BreakTable)
        had_focus = bool(old) and old.first().has_focus
        row = old.first().cursor_row if old else 0
        await old.remove()
        table = BreakTable(self.view, self.app.state.selected, id="queue-table")
        await holder.mount(table)
        if self.view and row:
            table.move_cursor(row=min(row, len(self.view) - 1), animate=False)
        if had_focus or not isinstance(self.focused, Input):
            table.focus()
        if not self.complete and not any(w.group == "load" and w.is_running for w in self.workers):
            self.call_after_refresh(self._load_rest)

    def update_totals(self) -> None:
        if self.view is None or self.frame is None:
            return
        flt = self.app.state.queue
        sort = f" · sorted by {flt.sort_by} {'↓' if flt.descending else '↑'}" if flt.sort_by else ""
        text = totals_text(len(self.view), len(self.frame), len(self.app.state.selected), self.view.totals)
        loading = "" if self.complete else f" · loading the rest (first {len(self.frame):,} shown)…"
        self.query_one(TotalsBar).update(text + sort + loading)

    # ---------------------------------------------------------------- filters and sort

    @on(Select.Changed)
    def _select_changed(self, event: Select.Changed) -> None:
        value = None if event.value is Select.NULL else str(event.value)
        self._set_filter(**{str(event.select.id): value})

    @on(Input.Changed)
    def _input_changed(self, event: Input.Changed) -> None:
        value = event.value.strip()
        self._set_filter(**{str(event.input.id): value if event.input.id == "text" else (value or None)})

    def _set_filter(self, **changes: Any) -> None:
        state = self.app.state
        if state.queue.with_(**changes) != state.queue:
            state.queue = state.queue.with_(**changes)
            self.refilter()

    @on(DataTable.HeaderSelected)
    def _header_clicked(self, event: DataTable.HeaderSelected) -> None:
        column = COLUMNS[event.column_index][0]
        if column in SORTABLE:
            flt = self.app.state.queue
            self._set_filter(sort_by=column, descending=not flt.descending if flt.sort_by == column else True)

    def action_cycle_sort(self) -> None:
        current = self.app.state.queue.sort_by
        nxt = SORTABLE[(SORTABLE.index(current) + 1) % len(SORTABLE)] if current in SORTABLE else SORTABLE[0]
        self._set_filter(sort_by=nxt)

    def action_reverse_sort(self) -> None:
        self._set_filter(descending=not self.app.state.queue.descending)

    def action_focus_search(self) -> None:
        self.query_one("#text", Input).focus()

    def action_focus_table(self) -> None:
        if self.query(BreakTable):
            self.query_one(BreakTable).focus()

    # ---------------------------------------------------------------- selection and actions

    def _table(self) -> BreakTable | None:
        tables = self.query(BreakTable)
        return tables.first() if tables else None

    def current_break(self) -> dict[str, Any] | None:
        table = self._table()
        if table is None or self.view is None or not len(self.view):
            return None
        return self.view.row(table.cursor_row)

    def target_ids(self) -> list[str]:
        if self.app.state.selected:
            return sorted(self.app.state.selected)
        brk = self.current_break()
        return [brk["id"]] if brk else []

    def candidates(self, domain: str, currency: str | None) -> pl.DataFrame:
        assert self.frame is not None
        return self.frame.filter(
            (pl.col("domain") == domain)
            & (pl.col("currency") == currency)
            & ~pl.col("status").is_in(queue_frame.DONE_STATUSES)
        ).sort(pl.col("amount").abs(), descending=True)

    def action_toggle_select(self) -> None:
        table, brk = self._table(), self.current_break()
        if table is None or brk is None:
            return
        self.app.state.selected.symmetric_difference_update({brk["id"]})
        table.mark_selected(table.cursor_row)
        table.action_cursor_down()
        self.update_totals()

    def action_bulk_status(self) -> None:
        if not self.app.state.selected:
            self.notify("select breaks with space first", severity="warning")
            return
        self.action_set_status()

    def action_open_detail(self) -> None:
        brk = self.current_break()
        if brk is not None:
            self.app.push_screen(DetailScreen(brk["id"]))

    @on(DataTable.RowSelected)
    def _row_selected(self) -> None:
        self.action_open_detail()

    def on_action_done(self, message: ActionDone) -> None:
        self.notify(message.text)
        self.app.state.selected.difference_update(message.break_ids)
        self.app.data_changed()
        self.action_reload()
