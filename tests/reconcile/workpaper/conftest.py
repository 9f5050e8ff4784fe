"""Fixtures for the workpaper tests: a small period built from plain data (see builders)."""

from __future__ import annotations

import pytest

from tieout.reconcile.workpaper.data import WorkpaperData
from tests.reconcile.workpaper.builders import HYPERLINK, brk, make_data, match


@pytest.fixture
def data() -> WorkpaperData:
    """A small period: USD, JPY and KWD, every main kind of break, a formula-like customer note."""
    breaks = [
        brk("b1", "amount_mismatch", "USD", 10_000, 11_250, note=HYPERLINK),
        brk("b2", "missing_in_erp", "USD", 5_005, None),
        brk("b3", "missing_in_billing", "JPY", None, 1_200),
        brk("b4", "duplicate_in_erp", "KWD", 7_001, 7_001, amount=7_001, b_ids=["in_k"], e_ids=["ns_k", "ns_k2"]),
        brk("b5", "status_mismatch", "USD", 10_000, 11_250, b_ids=["in_b1"], e_ids=["ns_b1"]),
        brk("b6", "missing_in_erp", "USD", 999, None, status="auto_resolved"),
    ]
    breaks[0]["billing_ids"], breaks[0]["erp_ids"] = ["in_b1"], ["ns_b1"]
    matches = [match(1, "USD", 10_000, 11_250, b_id="in_b1", e_id="ns_b1"), match(2, "USD", -4_321, -4_321),
               match(3, "JPY", 123_456, 123_456), match(4, "KWD", 1_234_567, 1_234_567, b_id="in_k", e_id="ns_k"),
               match(5, "USD", 2_000, 1_999)]
    return make_data(breaks, matches)
