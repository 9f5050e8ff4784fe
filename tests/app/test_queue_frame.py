"""The queue's polars logic: filters, sort and totals on real frames."""

from __future__ import annotations

import polars as pl
import pytest

from tieout.app.tui import queue_frame
from tieout.app.tui.queue_frame import FilterError
from tieout.app.tui.state import QueueFilter


def frame() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "id": ["a", "b", "c", "d", "e"],
            "domain": ["invoice"] * 5,
            "kind": ["missing_in_erp", "amount_mismatch", "missing_in_erp", "tax_mismatch", "missing_in_billing"],
            "status": ["open", "investigating", "resolved", "open", "auto_resolved"],
            "currency": ["USD", "JPY", "USD", "EUR", "USD"],
            "amount": [150_00, 150, 99_99, 1_000_00, 5_00],
            "billing_ids": [["in_1"], ["in_2"], ["in_3"], ["in_4"], []],
            "erp_ids": [[], ["200"], [], ["400"], ["500"]],
            "assignee": [None, "ana", None, "ben", None],
            "note": [None, "customer called", None, None, None],
        },
        schema_overrides={"amount": pl.Int64},
    )


def ids(flt: QueueFilter) -> list[str]:
    view = queue_frame.apply(frame(), flt)
    return [view.row(i)["id"] for i in range(len(view))]


def test_default_shows_unresolved_in_service_order() -> None:
    assert ids(QueueFilter()) == ["a", "b", "d"]


def test_status_any_and_exact() -> None:
    assert ids(QueueFilter(status=None)) == ["a", "b", "c", "d", "e"]
    assert ids(QueueFilter(status="resolved")) == ["c"]


def test_amount_bounds_are_major_units_in_each_rows_currency() -> None:
    # 150 JPY and 150.00 USD are both "150"; 99.99 USD is below it
    assert ids(QueueFilter(status=None, min_amount="150", max_amount="150")) == ["a", "b"]


def test_text_searches_ids_and_notes_case_insensitively() -> None:
    assert ids(QueueFilter(text="IN_4")) == ["d"]
    assert ids(QueueFilter(text="called")) == ["b"]
    assert ids(QueueFilter(status=None, text="500")) == ["e"]


def test_assignee_dash_means_unassigned() -> None:
    assert ids(QueueFilter(assignee="-")) == ["a"]
    assert ids(QueueFilter(assignee="ben")) == ["d"]


def test_sort_by_money_and_by_list_column() -> None:
    # minor units, not converted across currencies: 150 JPY sorts below 5.00 USD
    assert ids(QueueFilter(status=None, sort_by="amount")) == ["d", "a", "c", "e", "b"]
    assert ids(QueueFilter(status=None, sort_by="erp_ids", descending=False)) == ["b", "d", "e", "a", "c"]


def test_totals_are_exact_int_per_currency() -> None:
    view = queue_frame.apply(frame(), QueueFilter(status=None))
    totals = {r["currency"]: (r["count"], r["amount"]) for r in view.totals.iter_rows(named=True)}
    assert totals == {"USD": (3, 150_00 + 99_99 + 5_00), "JPY": (1, 150), "EUR": (1, 1_000_00)}
    assert view.totals.schema["amount"] == pl.Int64


@pytest.mark.parametrize("bound", ["ten", "1.005", "1e3"])
def test_bad_amount_is_a_clear_error(bound: str) -> None:
    with pytest.raises(FilterError, match=f"minimum amount '{bound}'"):
        queue_frame.apply(frame(), QueueFilter(min_amount=bound))


def test_unknown_sort_column_is_a_clear_error() -> None:
    with pytest.raises(FilterError, match="cannot sort by 'nope'"):
        queue_frame.apply(frame(), QueueFilter(sort_by="nope"))
