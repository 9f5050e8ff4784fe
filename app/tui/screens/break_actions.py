"""Review actions shared by the queue and the detail screen.

Each action collects its inputs in a dialog, then calls the service in a
worker; the screen reloads when :class:`ActionDone` arrives.  Every action
here has a CLI twin because both go through ``reconcile.service``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import polars as pl
from textual.binding import Binding
from textual.screen import Screen

from tieout.app.tui.messages import ActionDone, CandidatesLoaded, MatchesLoaded, WorkFailed
from tieout.app.tui.screens.dialogs import ManualMatchDialog, MatchChoice, StatusChoice, StatusDialog, TextDialog, UnmatchDialog
from tieout.app.tui.work import in_worker
from tieout.storage.vocabulary import REASON_CODES
from tieout.storage.money import format_amount

if TYPE_CHECKING:
    from tieout.app.tui.app import TieoutApp

ACTION_BINDINGS = [
    Binding("s", "set_status", "Status"),
    Binding("n", "add_note", "Note"),
    Binding("a", "assign", "Assign"),
    Binding("m", "manual_match", "Match"),
    Binding("u", "unmatch", "Unmatch"),
    Binding("C", "propose_correction", "Correct", show=False),
]
MISSING_KINDS = {"billing": "missing_in_erp", "erp": "missing_in_billing"}
"""The break kind that leaves a record of each side unmatched."""


class BreakActions(Screen):
    """Mixin screen: subclasses say which breaks an action applies to."""

    app: "TieoutApp"

    def target_ids(self) -> list[str]:
        """The breaks an action applies to (the selection, else the current break)."""
        raise NotImplementedError

    def current_break(self) -> dict[str, Any] | None:
        """The break under the cursor, as a row of ``Service.breaks()``."""
        raise NotImplementedError

    def candidates(self, domain: str, currency: str | None) -> pl.DataFrame:
        """Unresolved breaks that could be matched by hand with the current one (runs in a worker)."""
        raise NotImplementedError

    def _service(self, text: str, ids: list[str], call) -> None:
        def job() -> ActionDone:
            call()
            return ActionDone(text, ids)

        in_worker(self, job, group="action")

    def action_set_status(self) -> None:
        ids = self.target_ids()
        if not ids:
            return

        def chosen(choice: StatusChoice | None) -> None:
            if choice is None:
                return
            svc, user = self.app.svc, self.app.user
            self._service(f"{len(ids):,} break(s) → {choice.status}", ids,
                          lambda: svc.bulk_set_status(ids, choice.status, reason=choice.reason, note=choice.note,
                                                      user=user))

        self.app.push_screen(StatusDialog(len(ids), REASON_CODES), chosen)

    def action_add_note(self) -> None:
        brk = self.current_break()
        if brk is None:
            return

        def chosen(note: str | None) -> None:
            if note:
                self._service("note added", [brk["id"]],
                              lambda: self.app.svc.add_note(brk["id"], note, user=self.app.user))

        self.app.push_screen(TextDialog("Add a note", "note"), chosen)

    def action_assign(self) -> None:
        brk = self.current_break()
        if brk is None:
            return

        def chosen(assignee: str | None) -> None:
            if assignee is None:
                return
            who = assignee or None
            self._service(f"assigned to {who or 'nobody'}", [brk["id"]],
                          lambda: self.app.svc.assign(brk["id"], who, user=self.app.user))

        self.app.push_screen(TextDialog("Assign to (empty: unassign)", "assignee", brk.get("assignee") or "",
                                        required=False), chosen)

    def action_propose_correction(self) -> None:
        """Propose the break kind's default correction (maker: the current user); approve it on the
        corrections screen (``c``) as somebody else."""
        brk = self.current_break()
        if brk is None:
            return

        def chosen(note: str | None) -> None:
            if note is None:
                return
            svc, user = self.app.svc, self.app.user
            self._service(f"correction proposed for {brk['id']}", [brk["id"]],
                          lambda: svc.corrections.propose(brk["id"], note=note or None, user=user))

        self.app.push_screen(TextDialog("Propose a correction — note (optional)", "note", required=False), chosen)

    def action_manual_match(self) -> None:
        brk = self.current_break()
        if brk is not None:
            in_worker(self, lambda: CandidatesLoaded(brk, self.candidates(brk["domain"], brk["currency"])),
                      group="action")

    def on_candidates_loaded(self, message: CandidatesLoaded) -> None:
        brk = message.brk
        sides = {side: _side_options(message.candidates, side) for side in MISSING_KINDS}
        preselected = set(brk["billing_ids"] or []) | set(brk["erp_ids"] or [])

        def chosen(choice: MatchChoice | None) -> None:
            if choice is None:
                return
            self._service(
                f"matched {len(choice.billing_ids)} billing ↔ {len(choice.erp_ids)} ERP record(s)",
                [brk["id"]],
                lambda: self.app.svc.manual_match(brk["domain"], choice.billing_ids, choice.erp_ids,
                                                  reason=choice.reason, user=self.app.user),
            )

        self.app.push_screen(ManualMatchDialog(brk["domain"], sides["billing"], sides["erp"], preselected), chosen)

    def action_unmatch(self) -> None:
        brk = self.current_break()
        if brk is None:
            return
        svc, period = self.app.svc, self.app.state.period

        def load() -> MatchesLoaded:
            frame = svc.matches(period, domain=brk["domain"]).filter(pl.col("manual"))  # runs' matches are redone by runs
            ids = set(brk["billing_ids"] or []) | set(brk["erp_ids"] or [])
            mine = frame.filter(
                pl.col("billing_ids").list.eval(pl.element().is_in(list(ids))).list.any()
                | pl.col("erp_ids").list.eval(pl.element().is_in(list(ids))).list.any()
            ) if ids else frame.head(0)
            return MatchesLoaded(brk, mine if len(mine) else frame.head(200))

        in_worker(self, load, group="action")

    def on_matches_loaded(self, message: MatchesLoaded) -> None:
        brk = message.brk
        options = [
            (row["id"], f"#{row['id']} {row['rule']}: {', '.join(row['billing_ids'])} ↔ {', '.join(row['erp_ids'])}")
            for row in message.matches.iter_rows(named=True)
        ]
        if not options:
            self.notify("no manual matches to undo in this period", severity="warning")
            return

        def chosen(choice: tuple[int, str] | None) -> None:
            if choice is not None:
                match_id, reason = choice
                self._service(f"match #{match_id} undone", [brk["id"]],
                              lambda: self.app.svc.unmatch(match_id, reason=reason, user=self.app.user))

        self.app.push_screen(UnmatchDialog(options), chosen)

    def on_work_failed(self, message: WorkFailed) -> None:
        self.notify(message.text, title="error", severity="error", timeout=8)


def _side_options(cands: pl.DataFrame, side: str) -> list[tuple[str, str]]:
    """(external id, label) of the unmatched records of one side among ``cands``."""
    rows = cands.filter(pl.col("kind") == MISSING_KINDS[side])
    out: list[tuple[str, str]] = []
    for row in rows.head(300).iter_rows(named=True):
        amount = row["billing_amount"] if side == "billing" else row["erp_amount"]
        money = format_amount(amount, row["currency"]) if amount is not None and row["currency"] else "?"
        for ext_id in row[f"{side}_ids"] or []:
            out.append((ext_id, f"{ext_id}  {row['currency'] or ''} {money}"))
    return out

