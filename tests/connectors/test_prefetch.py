"""connectors.prefetch: pages fetched in a thread arrive in order, batched, and errors reach the consumer."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from tieout.connectors.prefetch import Prefetcher


def test_batches_keep_order_and_respect_the_size() -> None:
    with Prefetcher(iter(range(50)), depth=100) as items:
        time.sleep(0.05)  # let the producer run ahead so batches can fill up
        batches = list(items.batches(8))
    assert [x for b in batches for x in b] == list(range(50))
    assert all(len(b) <= 8 for b in batches)
    assert max(len(b) for b in batches) == 8


def test_weight_counts_records_not_pages() -> None:
    pages = [[1] * 3, [2] * 3, [3] * 3]
    with Prefetcher(iter(pages)) as items:
        time.sleep(0.05)
        batches = list(items.batches(5, weight=len))
    assert batches == [[[1] * 3, [2] * 3], [[3] * 3]]  # a batch closes once it holds >= 5 records


def test_a_producer_error_reaches_the_consumer_after_the_good_items() -> None:
    def pages() -> Iterator[int]:
        yield 1
        yield 2
        raise ValueError("page 3 is malformed")

    seen = []
    with pytest.raises(ValueError, match="page 3 is malformed"), Prefetcher(pages()) as items:
        for x in items:
            seen.append(x)
    assert seen == [1, 2]


def test_a_consumer_error_stops_the_producer() -> None:
    produced = []

    def endless() -> Iterator[int]:
        n = 0
        while True:
            produced.append(n)
            yield n
            n += 1

    before = threading.active_count()
    with pytest.raises(RuntimeError), Prefetcher(endless(), depth=2) as items:
        for x in items:
            if x == 3:
                raise RuntimeError("store failed")
    assert threading.active_count() == before  # the thread was joined
    assert len(produced) <= 3 + 2 + 2  # it stopped a queue's depth ahead, not at infinity
