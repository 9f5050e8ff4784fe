"""Run a page iterator in a background thread, a few pages ahead of the consumer.

Why: a sync alternates waiting on the network (httpx releases the GIL) with
writing to SQLite (sqlite3 releases it per statement); fetching the next
pages while the current ones are stored overlaps the two.  Nothing is
committed by the producer, so resumability is unchanged: a page fetched but
not yet stored is simply fetched again by the next run.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")
_DONE = object()


class Prefetcher(Generic[T]):
    """Iterate ``source`` in a daemon thread; use as a context manager so the thread always stops."""

    def __init__(self, source: Iterable[T], depth: int = 8) -> None:
        self._source = source
        self._queue: queue.Queue = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tieout-prefetch", daemon=True)

    def __enter__(self) -> "Prefetcher[T]":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        while self._thread.is_alive():  # unblock a producer waiting on a full queue
            try:
                self._queue.get(timeout=0.05)
            except queue.Empty:
                pass
        self._thread.join()

    def _put(self, item: object) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _run(self) -> None:
        try:
            for item in self._source:
                if not self._put(item):
                    return
        except BaseException as exc:  # handed to the consumer, raised there
            self._put(_Failure(exc))
            return
        self._put(_DONE)

    def __iter__(self) -> Iterator[T]:
        for batch in self.batches(1):
            yield from batch

    def batches(self, size: int, weight: Callable[[T], int] = lambda _: 1) -> Iterator[list[T]]:
        """Lists of items: waits for one, then adds whatever is already fetched up to ``size`` total weight."""
        while True:
            item = self._queue.get()
            batch: list[T] = []
            total = 0
            while True:
                if item is _DONE or isinstance(item, _Failure):
                    if batch:
                        yield batch
                    if isinstance(item, _Failure):
                        raise item.exc
                    return
                batch.append(item)  # type: ignore[arg-type]
                total += weight(item)
                if total >= size:
                    break
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
            yield batch


class _Failure:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc
