"""Dashboard: how far the period is tied out, what is left, and how fresh the data is."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Sparkline, Static

from tieout.app.tui import dashboard_model
from tieout.app.tui.messages import DashboardReady, WorkFailed
from tieout.app.tui.work import in_worker
from tieout.storage.money import format_amount

if TYPE_CHECKING:
    from tieout.app.tui.app import TieoutApp

BAR_WIDTH = 24


def _money(amount: int | None, currency: str | None) -> str:
    return f"{currency} {format_amount(amount, currency)}" if amount is not None and currency else "-"


def _age(minutes: int | None) -> str:
    """Sync latency for people: "12 min", "5 h", "3 d"."""
    if minutes is None:
        return "-"
    return f"{minutes} min" if minutes < 120 else f"{minutes // 60} h" if minutes < 48 * 60 else f"{minutes // 1440} d"


def kind_bars(open_by_kind) -> Text:
    """Open breaks by kind as a small horizontal bar chart (counts)."""
    counts = open_by_kind.group_by("kind").agg(pl.col("count").sum()).sort(["count", "kind"], descending=[True, False])
    if counts.is_empty():
        return Text("no open breaks", style="green")
    top = max(counts["count"].max(), 1)
    text = Text()
    for kind, count in counts.iter_rows():
        bar = "█" * max(1, round(BAR_WIDTH * count / top))
        text.append(f"{kind:<22}", style="bold").append(bar, style="red").append(f" {count:,}\n")
    return text


class DashboardScreen(Screen):
    app: "TieoutApp"
    loaded_version = -1  # AppState.data_version of the data shown; -1: nothing yet
    DEFAULT_CSS = Path(__file__).with_suffix(".tcss").read_text(encoding="utf-8")
    BINDINGS = [Binding("r", "reload", "Reload")]

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll():
            yield Static(id="headline")
            with Grid(id="panels"):
                yield DataTable(id="domains", cursor_type="none", classes="panel")
                yield Static(id="kinds", classes="panel")
                yield DataTable(id="open", cursor_type="none", classes="panel")
                yield DataTable(id="ageing", cursor_type="none", classes="panel")
                yield DataTable(id="sources", cursor_type="none", classes="panel")
                yield Static(id="metrics", classes="panel")
            yield Static("breaks opened per day", classes="caption")
            yield Sparkline([], id="per-day")
        yield Footer()

    def on_mount(self) -> None:
        for id_, title in (("domains", "matched by domain"), ("kinds", "open breaks by kind"),
                           ("open", "open amount by kind"), ("ageing", "ageing of open breaks"),
                           ("sources", "sources"), ("metrics", "close metrics")):
            self.query_one(f"#{id_}").border_title = title

    def on_screen_resume(self) -> None:
        if self.loaded_version != self.app.state.data_version:
            self.action_reload()

    def action_reload(self) -> None:
        svc, state, now = self.app.svc, self.app.state, self.app.clock()
        self.loaded_version = state.data_version
        self.sub_title = f"dashboard · {state.period} · {state.entity or 'all entities'}"

        def job() -> DashboardReady:
            return DashboardReady(dashboard_model.figures(
                svc.summary(state.period, state.entity),
                svc.breaks(state.period, entity=state.entity),
                svc.sources(),
                svc.last_run(state.period, state.entity),
                now,
            ))

        in_worker(self, job, group="dashboard", exclusive=True)

    def on_work_failed(self, message: WorkFailed) -> None:
        self.notify(message.text, title="error", severity="error", timeout=8)

    def on_dashboard_ready(self, message: DashboardReady) -> None:
        f: dashboard_model.Figures = message.figures
        run = f.last_run
        self.query_one("#headline", Static).update(
            f"Last match run: #{run['id']} by {run.get('user') or '?'} at {str(run.get('finished_at') or '')[:19]}"
            f" · ruleset {str(run.get('ruleset_hash') or '')[:10]} · inputs {str(run.get('input_fingerprint') or '')[:10]}"
            if run else "No match run for this period yet: press y (sync) or run `tieout match`."
        )
        self._fill("domains", ("domain", "cur", "billing", "ERP", "matched", "rate %", "open", "exception %"),
                   [(r["domain"], r["currency"], r["billing_count"], r["erp_count"], r["matched_count"],
                     r["match_rate_pct"], r["open_breaks"], r["exception_rate_pct"])
                    for r in f.domains.iter_rows(named=True)])
        self.query_one("#kinds", Static).update(kind_bars(f.open_by_kind))
        self._fill("open", ("domain", "kind", "count", "amount"),
                   [(r["domain"], r["kind"], r["count"], Text(_money(r["amount"], r["currency"]), justify="right"))
                    for r in f.open_by_kind.iter_rows(named=True)])
        self._fill("ageing", ("age", "open breaks"), f.ageing.rows())
        self._fill("sources", ("source", "kind", "side", "last sync", "age", "outcome"),
                   [(r["name"], r["kind"], r["side"], str(r.get("last_sync_at") or "never")[:19],
                     _age(r["sync_age_min"]), r.get("last_sync_status") or "-")
                    for r in f.sources.iter_rows(named=True)])
        hours = f"{f.median_hours_to_resolve:.1f} h" if f.median_hours_to_resolve is not None else "-"
        roll = ("n/a (no revenue breaks)" if f.rollforward_open is None
                else "ties out" if f.rollforward_open == 0 else f"{f.rollforward_open} open difference(s)")
        days = "\n".join(f"  {day}: {opened:,} opened, {resolved:,} resolved"
                         for day, opened, resolved in f.per_day.tail(5).rows())
        self.query_one("#metrics", Static).update(
            f"median time to resolve: {hours}\nduplicates found: {f.duplicates:,}\nroll-forward: {roll}\n"
            f"breaks per day (last 5 days):\n{days or '  none'}"
        )
        self.query_one("#per-day", Sparkline).data = f.per_day["opened"].to_list() or [0]

    def _fill(self, id_: str, columns: tuple[str, ...], rows: list) -> None:
        table = self.query_one(f"#{id_}", DataTable)
        table.clear(columns=True)
        table.add_columns(*columns)
        table.add_rows(rows)
