"""Modal dialogs that collect an action's inputs; each dismisses with a plain value or None."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, SelectionList

from tieout.storage.vocabulary import REVIEW_STATUSES

CSS = Path(__file__).with_name("dialogs.tcss").read_text(encoding="utf-8")


@dataclass(frozen=True)
class StatusChoice:
    status: str
    reason: str | None
    note: str | None


@dataclass(frozen=True)
class MatchChoice:
    billing_ids: list[str]
    erp_ids: list[str]
    reason: str


class Dialog(ModalScreen):
    """Escape cancels (dismiss None); ctrl+s or the OK button submits."""

    DEFAULT_CSS = CSS
    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("ctrl+s", "submit", "OK")]

    def buttons(self) -> Horizontal:
        return Horizontal(Button("OK", variant="primary", id="ok"), Button("Cancel", id="cancel"), classes="buttons")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_submit() if event.button.id == "ok" else self.action_cancel()

    def on_input_submitted(self) -> None:
        self.action_submit()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_submit(self) -> None:
        raise NotImplementedError


class StatusDialog(Dialog):
    """Pick a status, a reason code and an optional note for one or more breaks."""

    def __init__(self, count: int, reasons: dict[str, str]) -> None:
        super().__init__()
        self.count, self.reasons = count, reasons

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"Set status of {self.count:,} break(s)", classes="title")
            yield Select([(s, s) for s in REVIEW_STATUSES], value="investigating", allow_blank=False, id="status")
            yield Select([(f"{code}: {text}", code) for code, text in self.reasons.items()], prompt="reason",
                         id="reason")
            yield Input(placeholder="note (optional)", id="note")
            yield Label("", id="error", classes="error")
            yield self.buttons()

    def action_submit(self) -> None:
        status = self.query_one("#status", Select).value
        reason = self.query_one("#reason", Select).value
        reason = None if reason is Select.NULL else str(reason)
        if status in ("explained", "resolved") and reason is None:
            self.query_one("#error", Label).update(f"a reason is required to mark breaks {status}")
            return
        note = self.query_one("#note", Input).value.strip() or None
        self.dismiss(StatusChoice(str(status), reason, note))


class TextDialog(Dialog):
    """One line of text (a note, an assignee); empty text dismisses with ``""``."""

    def __init__(self, title: str, placeholder: str, value: str = "", *, required: bool = True,
                 pattern: str | None = None, choices: list[str] | None = None) -> None:
        super().__init__()
        self.title_text, self.placeholder, self.value, self.required = title, placeholder, value, required
        self.pattern, self.choices = pattern, choices

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="title")
            yield Input(value=self.value, placeholder=self.placeholder, id="text")
            yield Label("", id="error", classes="error")
            yield self.buttons()

    def action_submit(self) -> None:
        text = self.query_one("#text", Input).value.strip()
        error = self.query_one("#error", Label)
        if self.required and not text:
            error.update(f"{self.placeholder} is required")
        elif text and self.pattern and not re.fullmatch(self.pattern, text):
            error.update(f"{self.placeholder} {text!r} is not in the expected form")
        elif text and self.choices is not None and text not in self.choices:
            error.update(f"unknown {self.placeholder} {text!r} (known: {', '.join(self.choices)})")
        else:
            self.dismiss(text)


class ManualMatchDialog(Dialog):
    """Pick records on both sides (billing and ERP external ids) and give a reason."""

    def __init__(self, domain: str, billing: list[tuple[str, str]], erp: list[tuple[str, str]],
                 preselected: set[str]) -> None:
        super().__init__()
        self.domain, self.billing, self.erp, self.preselected = domain, billing, erp, preselected

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Label(f"Manual match ({self.domain}): pick records on both sides", classes="title")
            with Horizontal(classes="sides"):
                yield SelectionList(*[(label, ext_id, ext_id in self.preselected) for ext_id, label in self.billing],
                                    id="billing")
                yield SelectionList(*[(label, ext_id, ext_id in self.preselected) for ext_id, label in self.erp],
                                    id="erp")
            yield Input(placeholder="reason (required)", id="reason")
            yield Label("", id="error", classes="error")
            yield self.buttons()

    def on_mount(self) -> None:
        self.query_one("#billing", SelectionList).border_title = "billing"
        self.query_one("#erp", SelectionList).border_title = "ERP"

    def action_submit(self) -> None:
        billing = list(self.query_one("#billing", SelectionList).selected)
        erp = list(self.query_one("#erp", SelectionList).selected)
        reason = self.query_one("#reason", Input).value.strip()
        error = self.query_one("#error", Label)
        if not billing or not erp:
            error.update("pick at least one record on each side")
        elif not reason:
            error.update("a reason is required")
        else:
            self.dismiss(MatchChoice(billing, erp, reason))


class UnmatchDialog(Dialog):
    """Pick one of the matches involving the break's records and give a reason."""

    def __init__(self, matches: list[tuple[int, str]]) -> None:
        super().__init__()
        self.matches = matches

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Label("Unmatch: pick the match to undo", classes="title")
            yield Select([(label, match_id) for match_id, label in self.matches], prompt="match", id="match")
            yield Input(placeholder="reason (required)", id="reason")
            yield Label("", id="error", classes="error")
            yield self.buttons()

    def action_submit(self) -> None:
        match_id = self.query_one("#match", Select).value
        reason = self.query_one("#reason", Input).value.strip()
        if not isinstance(match_id, int) or not reason:
            self.query_one("#error", Label).update("pick a match and give a reason")
            return
        self.dismiss((match_id, reason))
