"""Dashboard: how far the period is tied out, what is left, and how fresh the data is."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl
from rich.text import Text
from rich.markup import escape
from textual import events
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
NARROW = 120
"""Below this many columns the panels stack in one column (each as wide as the screen), so amounts fit."""


def _money(amount: int | None, currency: str | None) -> str:
    return f"{currency} {format_amount(amount, currency)}" if amount is not None and currency else "-"


def _age(minutes: int | None) -> str:
    """Sync latency for people: "12 min", "5 h", "3 d"."""
    if minutes is None:
        return "-"
    return f"{minutes} min" if minutes < 120 else f"{minutes // 60} h" if minutes < 48 * 60 else f"{minutes // 1440} d"


def standing(f: dashboard_model.Figures, period: str, entity: str | None) -> str:
    """The headline: where the close stands and what to do next (markup-safe)."""
    scope = f"{period} · {escape(entity or 'all entities')}"
    count = int(f.open_total["count"].sum() or 0)
    if f.last_run is None:
        return f"{scope}: no match run for this period yet: press y (sync + match) or run `tieout match`."
    amounts = ", ".join(_money(a, c) for c, a in f.open_total.select("currency", "amount").iter_rows())
    if count == 0:
        return f"[green]{scope}: tied out[/]: no open breaks. Next: prepare the period for sign-off."
    top = f.open_by_kind.group_by("kind").agg(pl.col("count").sum()).sort(["count", "kind"],
                                                                         descending=[True, False]).row(0)
    return (f"{scope}: [bold]{count:,} open break(s)[/] · {escape(amounts)}\n"
            f"Next: work the largest open kind, {escape(top[0])} ({top[1]:,}): press b for the queue.")


def run_line(run: dict | None, entity: str | None) -> str:
    """Which match run the figures come from; an all-entities run covers every entity."""
    if run is None:
        return ""
    covers = "all entities" if run.get("entity") is None else run["entity"]
    shown = f", shown for {entity}" if entity and run.get("entity") is None else ""
    return escape(f"Match run #{run['id']} ({covers}{shown}) by {run.get('user') or '?'} at "
                  f"{str(run.get('finished_at') or '')[:19]} · ruleset {str(run.get('ruleset_hash') or '')[:10]}"
                  f" · inputs {str(run.get('input_fingerprint') or '')[:10]}")


def sources_text(sources: pl.DataFrame) -> Text:
    """One line per source with its last attempt's outcome; a failed attempt's error on a line of its own."""
    if sources.is_empty():
        return Text("no sources configured: `tieout source add`", style="yellow")
    text = Text()
    for r in sources.iter_rows(named=True):
        status = r.get("last_sync_status") or "never synced"
        style = {"ok": "green", "failed": "bold red", "running": "yellow"}.get(status, "")
        text.append(f"{r['name']} ", style="bold").append(f"({r['kind']}, {r['side']}) ")
        text.append(f"{status}", style=style)
        if r.get("last_sync_at"):
            text.append(f" · {str(r['last_sync_at'])[:16]} · {_age(r['sync_age_min'])} ago")
        text.append("\n")
        if status == "failed" and r.get("last_sync_error"):
            text.append(f"  ✗ {r['last_sync_error']}\n", style="red")
    return text


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
                yield DataTable(id="money", cursor_type="none", classes="panel")
                yield DataTable(id="ageing", cursor_type="none", classes="panel")
                yield Static(id="sources", classes="panel")
                yield Static(id="metrics", classes="panel")
            yield Static("breaks opened per day", classes="caption")
            yield Static(id="per-day-none", classes="caption")
            yield Sparkline([], id="per-day")
        yield Footer()

    def on_mount(self) -> None:
        for id_, title in (("domains", "matched by domain"), ("kinds", "open breaks by kind"),
                           ("money", "totals and amounts at stake by currency"), ("ageing", "ageing of open breaks"),
                           ("sources", "sources (last attempt)"), ("metrics", "close metrics")):
            self.query_one(f"#{id_}").border_title = title

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(event.size.width < NARROW, "narrow")

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
                svc.exception_count(),
            ))

        in_worker(self, job, group="dashboard", exclusive=True)

    def on_work_failed(self, message: WorkFailed) -> None:
        self.notify(message.text, title="error", severity="error", timeout=8)

    def on_dashboard_ready(self, message: DashboardReady) -> None:
        f: dashboard_model.Figures = message.figures
        state = self.app.state
        line = run_line(f.last_run, state.entity)
        headline = standing(f, state.period, state.entity) + (f"\n{line}" if line else "")
        if f.quarantined:
            headline += (f"\n[bold red]{f.quarantined:,} source record(s) could not be mapped and wait in the "
                         "exception queue: `tieout exceptions list`[/]")
        self.query_one("#headline", Static).update(headline)
        self._fill("domains", ("domain", "cur", "billing", "ERP", "matched", "rate %", "open", "exception %"),
                   [(r["domain"], r["currency"], r["billing_count"], r["erp_count"], r["matched_count"],
                     r["match_rate_pct"], r["open_breaks"], r["exception_rate_pct"])
                    for r in f.domains.iter_rows(named=True)])
        self.query_one("#kinds", Static).update(kind_bars(f.open_by_kind))
        self._fill("money", ("cur", "billing", "ERP", "difference", "open", "explained", "resolved"),
                   [(r["currency"], *(Text(format_amount(r[c], r["currency"]), justify="right")
                                      for c in ("billing_total", "erp_total", "difference", "open", "explained",
                                                "resolved")))
                    for r in f.money.iter_rows(named=True)])
        self._fill("ageing", ("age", "open breaks"), f.ageing.rows())
        self.query_one("#sources", Static).update(sources_text(f.sources))
        hours = f"{f.median_hours_to_resolve:.1f} h" if f.median_hours_to_resolve is not None else "-"
        roll = ("n/a (no revenue breaks)" if f.rollforward_open is None
                else "ties out" if f.rollforward_open == 0 else f"{f.rollforward_open} open difference(s)")
        days = "\n".join(f"  {day}: {opened:,} opened, {resolved:,} resolved"
                         for day, opened, resolved in f.per_day.tail(5).rows())
        self.query_one("#metrics", Static).update(
            f"median time to resolve: {hours}\nduplicates found: {f.duplicates:,}\nroll-forward: {roll}\n"
            f"breaks per day (last 5 days):\n{days or '  none'}"
        )
        opened = f.per_day["opened"].to_list()
        varied = len(set(opened)) > 1  # a constant series draws as a solid block, which reads as "many"
        self.query_one("#per-day", Sparkline).display = varied
        self.query_one("#per-day-none", Static).display = not varied
        self.query_one("#per-day-none", Static).update(
            "no breaks opened in this period" if not opened else f"{opened[0]:,} a day on each of {len(opened)} day(s)")
        self.query_one("#per-day", Sparkline).data = opened or [0]

    def _fill(self, id_: str, columns: tuple[str, ...], rows: list) -> None:
        table = self.query_one(f"#{id_}", DataTable)
        table.clear(columns=True)
        table.add_columns(*columns)
        table.add_rows(rows)
