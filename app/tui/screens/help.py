"""Help: every key binding of every screen (``?`` or F1)."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label


KEY_NAMES = {"question_mark": "?", "slash": "/", "space": "space", "escape": "esc"}


def key_label(keys: str) -> str:
    """``"question_mark,f1"`` → ``"? / f1"``."""
    return " / ".join(KEY_NAMES.get(k, k) for k in keys.split(","))


def binding_rows(sections: list[tuple[str, list]]) -> list[tuple[str, str, str]]:
    """(where, key, what) for each binding with a description, in the order given."""
    rows = []
    for where, bindings in sections:
        for b in bindings:
            if isinstance(b, Binding) and b.description:
                rows.append((where, b.key_display or key_label(b.key), b.description))
    return rows


class HelpScreen(ModalScreen):
    DEFAULT_CSS = Path(__file__).with_suffix(".tcss").read_text(encoding="utf-8")
    BINDINGS = [Binding("escape,q,question_mark,f1", "dismiss", "Close")]

    def __init__(self, sections: list[tuple[str, list]]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        with Vertical(id="help"):
            yield Label("Key bindings (ctrl+p: command palette, escape: close)", id="help-title")
            yield DataTable(id="bindings", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("where", "key", "action")
        table.add_rows(binding_rows(self.sections))
