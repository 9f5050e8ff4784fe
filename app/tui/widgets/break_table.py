"""The break queue table: textual-fastdatatable over a :class:`QueueView`.

The backend formats only the rows being painted (money via
:func:`storage.money.format_amount`), and column widths are fixed, so
nothing is measured or converted per row of the million.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from rich.text import Text
from textual_fastdatatable import DataTable
from textual_fastdatatable.backend import PolarsBackend

from tieout.app.tui.queue_frame import QueueView
from tieout.storage.money import format_amount

COLUMNS: tuple[tuple[str, str, int], ...] = (
    # (service column, header, width)
    ("selected", "✓", 1),
    ("kind", "kind", 20),
    ("status", "status", 13),
    ("domain", "domain", 8),
    ("entity", "ent", 3),
    ("currency", "cur", 3),
    ("amount", "amount", 14),
    ("billing_ids", "billing", 18),
    ("erp_ids", "erp", 12),
    ("assignee", "assignee", 10),
    ("opened_at", "opened", 10),
    ("id", "break id", 20),
)
"""What the queue shows, in order; ``selected`` is the bulk-selection mark."""


def _cell(column: str, row: dict[str, Any], selected: set[str]) -> Any:
    if column == "selected":
        return "●" if row["id"] in selected else ""
    value = row[column]
    if column == "amount" and value is not None and row["currency"]:
        return Text(format_amount(value, row["currency"]), justify="right")
    if isinstance(value, list):
        return ", ".join(value)
    if column == "opened_at" and value:
        return value[:10]
    return value


class QueueBackend(PolarsBackend):
    """A read-only backend whose rows are looked up through the view's row numbers."""

    def __init__(self, view: QueueView, selected: set[str]) -> None:
        super().__init__(view.frame.head(0).select("id"))
        self.view = view
        self.selected = selected

    @property
    def row_count(self) -> int:
        return len(self.view)

    @property
    def source_row_count(self) -> int:
        return len(self.view)

    @property
    def column_count(self) -> int:
        return len(COLUMNS)

    @property
    def columns(self) -> Sequence[str]:
        return [c for c, _, _ in COLUMNS]

    @property
    def column_content_widths(self) -> list[int]:
        return [w for _, _, w in COLUMNS]

    def get_row_at(self, index: int) -> Sequence[Any]:
        row = self.view.row(index)
        return [_cell(c, row, self.selected) for c, _, _ in COLUMNS]

    def get_cell_at(self, row_index: int, column_index: int) -> Any:
        return self.get_row_at(row_index)[column_index]

    def get_column_at(self, column_index: int) -> Sequence[Any]:
        raise NotImplementedError("the queue never materialises a whole column")

    def update_cell(self, row_index: int, column_index: int, value: Any) -> None:
        """Only the selection mark changes in place; it is read from the shared selection set."""
        if COLUMNS[column_index][0] != "selected":
            raise NotImplementedError("breaks change through reconcile.service, then the queue reloads")

    def sort(self, by: list[tuple[str, Literal["ascending", "descending"]]] | str) -> None:
        raise NotImplementedError("sorting happens in polars (queue_frame.apply)")


class BreakTable(DataTable):
    """The queue's table; build a new one for each :class:`QueueView` (remount, as harlequin does)."""

    DEFAULT_CSS = (Path(__file__).with_suffix(".tcss")).read_text(encoding="utf-8")

    def __init__(self, view: QueueView, selected: set[str], **kwargs: Any) -> None:
        super().__init__(
            backend=QueueBackend(view, selected),
            column_labels=[h for _, h, _ in COLUMNS],
            column_widths=[w for _, _, w in COLUMNS],
            cursor_type="row",
            render_markup=False,
            zebra_stripes=True,
            **kwargs,
        )
        self.view = view

    def break_id_at(self, row_index: int) -> str | None:
        """The id of the break shown at ``row_index``, or None past the end."""
        if 0 <= row_index < len(self.view):
            return self.view.row(row_index)["id"]
        return None

    @property
    def current_break_id(self) -> str | None:
        return self.break_id_at(self.cursor_row)

    def mark_selected(self, row_index: int) -> None:
        """Repaint the selection mark of ``row_index`` (invalidates the table's render caches)."""
        self.update_cell(row_index, 0, "")
