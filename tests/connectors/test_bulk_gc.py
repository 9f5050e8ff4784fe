"""spaced_gc: bulk thresholds inside the block, the caller's own restored after it, even on error."""

from __future__ import annotations

import gc

import pytest

from tieout.connectors.bulk_gc import BULK_THRESHOLDS, spaced_gc


def test_thresholds_are_spaced_inside_and_restored_after_an_error() -> None:
    before = gc.get_threshold()
    gc.set_threshold(123, 4, 5)
    try:
        with pytest.raises(RuntimeError), spaced_gc():
            assert gc.get_threshold() == BULK_THRESHOLDS
            raise RuntimeError("a page failed")
        assert gc.get_threshold() == (123, 4, 5)
    finally:
        gc.set_threshold(*before)
