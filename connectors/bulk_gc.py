"""Space out Python's cyclic garbage collector while a sync or load runs.

Why: a sync allocates millions of short-lived dicts, lists and tuples (parsed
pages, mapped rows, value tuples).  With the default thresholds each 700
allocations start a young collection and every so often a full one rescans
every live object, so the collector ended up taking a third of a
100,000-invoice sync.  Those objects hold no reference cycles and are freed
by reference counting; the collector is only needed for the few cycles
libraries make (HTTP responses, exceptions), so it still runs, just rarely.

This is the one mechanism: ``storage.ingest`` used to switch the collector off
for each page as well, which measured no faster than this alone (bench
``gc_load_4k_*``, figures in bench/README.md).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

BULK_THRESHOLDS = (200_000, 50, 100)
"""gen0 every 200k allocations (default 700); an older generation after 50 (default 10) of the younger."""


@contextmanager
def spaced_gc() -> Iterator[None]:
    """Run the block with :data:`BULK_THRESHOLDS`, restoring the previous thresholds after it."""
    previous = gc.get_threshold()
    gc.set_threshold(*BULK_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*previous)
