"""One break: both sides' records side by side, raw payloads, lineage and history."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl
from rich.markup import escape
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Footer, Header, Static, TabbedContent, TabPane

from tieout.app.tui.messages import ActionDone, DetailReady
from tieout.app.tui.screens.break_actions import ACTION_BINDINGS, BreakActions
from tieout.app.tui.work import in_worker
from tieout.reconcile.domains.payout import proof_line
from tieout.storage.money import format_amount, format_field

HIDDEN_FIELDS = {"id", "source_id", "raw_record_id", "sync_run_id", "side"}
"""Canonical columns that are lineage, shown on the lineage tab instead."""


def compare_rows(billing: list[Any], erp: list[Any]) -> list[tuple[str, str, str, bool]]:
    """(field, billing value, ERP value, differs) over the union of both sides' fields.

    Several records on one side (a group match) are shown joined by " | ".
    """
    def side(records: list[Any]) -> dict[str, str]:
        values: dict[str, list[str]] = {}
        for rec in records:
            for key, value in rec.fields.items():
                if key not in HIDDEN_FIELDS:
                    values.setdefault(key, []).append(format_field(key, value, rec.fields.get("currency")))
        return {k: " | ".join(v) for k, v in values.items()}

    left, right = side(billing), side(erp)
    fields = list(dict.fromkeys([*left, *right]))
    return [(f, left.get(f, ""), right.get(f, ""), bool(billing and erp and left.get(f) != right.get(f)))
            for f in fields]


class DetailScreen(BreakActions):
    DEFAULT_CSS = Path(__file__).with_suffix(".tcss").read_text(encoding="utf-8")
    BINDINGS = [Binding("escape,q", "app.pop_screen", "Back"), *ACTION_BINDINGS, Binding("r", "reload", "Reload")]

    def __init__(self, break_id: str) -> None:
        super().__init__()
        self.break_id = break_id
        self.detail: Any = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("loading…", id="summary")
        with TabbedContent(id="tabs"):
            with TabPane("Compare", id="compare-tab"):
                yield DataTable(id="compare", cursor_type="row", zebra_stripes=True)
            with TabPane("Raw payloads", id="raw-tab"):
                yield VerticalScroll(Static(id="raw"))
            with TabPane("Lineage", id="lineage-tab"):
                yield DataTable(id="lineage", cursor_type="row")
            with TabPane("History", id="history-tab"):
                yield DataTable(id="history", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"break {self.break_id}"
        self.action_reload()

    def action_reload(self) -> None:
        svc = self.app.svc
        in_worker(self, lambda: DetailReady(svc.break_detail(self.break_id)), group="detail", exclusive=True)

    def on_detail_ready(self, message: DetailReady) -> None:
        self.detail = d = message.detail
        brk = d.brk
        cur = brk.get("currency")
        money = format_amount(brk["amount"], cur) if cur and brk.get("amount") is not None else "?"
        lines = [
            f"[b]{brk['kind']}[/b] · {brk['domain']}/{brk['object_type']} · status [b]{brk['status']}[/b]"
            f" · {cur or ''} {money} at stake · period {brk['period']} · entity {brk.get('entity') or '-'}",
            f"rule: {brk.get('rule') or '-'} · assignee: {brk.get('assignee') or '-'}"
            f" · reason: {brk.get('reason') or '-'} · note: {brk.get('note') or '-'}",
        ]
        details = brk.get("details") or {}
        if "proof" in details:  # a payout's proof line, each term from its transactions and deposit lines
            lines.append("proof: " + escape(proof_line(details["proof"], cur)))
        if details:
            lines.append("details: " + json.dumps(details, default=str)[:300])
        self.query_one("#summary", Static).update(Text.from_markup("\n".join(lines)))

        compare = self.query_one("#compare", DataTable)
        compare.clear(columns=True)
        compare.add_columns("field", "billing", "ERP")
        for field, left, right, differs in compare_rows(d.billing, d.erp):
            style = "bold red" if differs else ""
            compare.add_row(Text(field, style=style), Text(left, style=style), Text(right, style=style))

        raw = {f"billing {r.external_id}": r.raw_payload for r in d.billing}
        raw |= {f"ERP {r.external_id}": r.raw_payload for r in d.erp}
        self.query_one("#raw", Static).update(
            "\n\n".join(f"── {k}\n{json.dumps(v, indent=2, sort_keys=True, default=str)}" for k, v in raw.items())
            or "no records"
        )

        lineage = self.query_one("#lineage", DataTable)
        lineage.clear(columns=True)
        lineage.add_columns("side", "table", "external id", "source", "kind", "sync run", "fetched at", "version", "hash")
        for side, records in (("billing", d.billing), ("ERP", d.erp)):
            for r in records:
                lin = r.lineage
                lineage.add_row(side, r.table, r.external_id, lin.get("source"), lin.get("source_kind"),
                                lin.get("sync_run_id"), lin.get("fetched_at"), lin.get("version"),
                                str(lin.get("payload_hash") or "")[:12])

        history = self.query_one("#history", DataTable)
        history.clear(columns=True)
        history.add_columns("at", "user", "action", "from", "to", "reason", "note", "assignee")
        for e in d.events:
            history.add_row(*(e.get(k) or "" for k in ("at", "user", "action", "from_status", "to_status",
                                                         "reason", "note", "assignee")))

    # ---------------------------------------------------------------- BreakActions

    def current_break(self) -> dict[str, Any] | None:
        return self.detail.brk if self.detail else None

    def target_ids(self) -> list[str]:
        return [self.break_id]

    def candidates(self, domain: str, currency: str | None) -> pl.DataFrame:
        svc, state = self.app.svc, self.app.state
        frame = svc.breaks(state.period, domain=domain, entity=state.entity)
        return frame.filter((pl.col("currency") == currency) & ~pl.col("status").is_in(["resolved", "auto_resolved"]))

    def on_action_done(self, message: ActionDone) -> None:
        self.notify(message.text)
        self.app.data_changed()  # the queue below reloads when it is shown again
        self.action_reload()
