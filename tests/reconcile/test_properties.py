"""Properties of the engine over generated books (pure polars: no I/O, so hypothesis can run many cases)."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from tieout.reconcile.domains.invoice import INVOICE, normalise
from tieout.reconcile.rules import load_ruleset

RULES = load_ruleset().domain("invoice")
COLUMNS = ["side", "object_type", "key", "ref", "number", "customer", "currency", "entity", "amount", "tax",
           "status", "date", "period"]


def _row(side: str, key: str, ref: str | None, customer: str, amount: int, tax: int, status: str, day: int,
         object_type: str = "invoice") -> dict:
    return {"side": side, "object_type": object_type, "key": key, "ref": ref, "number": None, "customer": customer,
            "currency": "USD", "entity": "US", "amount": amount, "tax": tax, "status": status,
            "date": f"2026-10-{day:02d}", "period": "2026-10"}


pair = st.fixed_dictionaries({
    "customer": st.sampled_from(["cus_a", "cus_b", "cus_c"]),
    "amount": st.integers(0, 5000), "tax": st.integers(0, 50), "day": st.integers(1, 28),
    "status": st.sampled_from(["open", "paid", "void"]),
    "erp_amount_delta": st.sampled_from([0, 0, 0, 7]), "erp_status": st.sampled_from([None, None, "void"]),
    "erp_twice": st.booleans(), "object_type": st.sampled_from(["invoice", "credit_note"]),
})


def _books(pairs: list[dict]) -> list[dict]:
    rows = []
    for i, p in enumerate(pairs):
        rows.append(_row("billing", f"in_{i}", f"in_{i}", p["customer"], p["amount"], p["tax"], p["status"],
                         p["day"], p["object_type"]))
        for copy in range(2 if p["erp_twice"] else 1):
            rows.append(_row("erp", f"{1000 + 2 * i + copy}", f"in_{i}", p["customer"],
                             p["amount"] + p["erp_amount_delta"], p["tax"], p["erp_status"] or p["status"], p["day"],
                             p["object_type"]))
    return rows


def _run(rows: list[dict]) -> tuple[pl.DataFrame, pl.DataFrame]:
    frame = normalise(pl.DataFrame(rows, schema={c: (pl.Int64 if c in ("amount", "tax") else pl.String)
                                                 for c in COLUMNS}))
    outcome = INVOICE.reconcile(frame, RULES)
    return outcome.matches, outcome.breaks


@settings(max_examples=40, deadline=None)
@given(pairs=st.lists(pair, min_size=1, max_size=12), seed=st.integers(0, 2**32 - 1))
def test_shuffling_the_input_rows_changes_nothing(pairs: list[dict], seed: int) -> None:
    rows = _books(pairs)
    matches, breaks = _run(rows)
    shuffled = pl.DataFrame(rows).sample(fraction=1.0, shuffle=True, seed=seed).to_dicts()
    matches2, breaks2 = _run(shuffled)
    assert _ordered(matches2).equals(_ordered(matches))
    assert breaks2.equals(breaks)  # breaks come sorted by id


def _ordered(matches: pl.DataFrame) -> pl.DataFrame:
    """Matches as a set: the engine promises their content, not their row order."""
    return matches.sort(pl.col("billing_ids").list.join(","), pl.col("erp_ids").list.join(","))


@settings(max_examples=40, deadline=None)
@given(pairs=st.lists(pair, max_size=10), side=st.sampled_from(["billing", "erp"]),
       amount=st.integers(0, 5000), day=st.integers(1, 28), object_type=st.sampled_from(["invoice", "credit_note"]))
def test_a_record_on_one_side_only_is_reported_missing_on_the_other(
        pairs: list[dict], side: str, amount: int, day: int, object_type: str) -> None:
    lone_key = "in_lone" if side == "billing" else "999999"
    rows = _books(pairs) + [_row(side, lone_key, "in_lone" if side == "billing" else "in_nowhere", "cus_lone",
                                 amount, 0, "open", day, object_type)]
    matches, breaks = _run(rows)
    kind = "missing_in_erp" if side == "billing" else "missing_in_billing"
    ids = "billing_ids" if side == "billing" else "erp_ids"
    mine = breaks.filter(pl.col(ids).list.contains(lone_key))
    assert mine.select("kind", "amount", "object_type").rows() == [(kind, amount, object_type)]
    assert not matches[ids].list.contains(lone_key).any()
