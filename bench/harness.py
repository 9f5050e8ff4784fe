"""The benchmark harness: what a benchmark is, and how one is measured.

A benchmark module ``bench/bench_<area>.py`` defines ``BENCHMARKS``, a list
of :class:`Benchmark`.  Each benchmark runs in its own subprocess (so peak
memory is its own): ``setup`` once (not timed), then ``run`` ``repeat``
times; the figures are the median wall time, the median of any extra
figures ``run`` returns, and the peak resident memory seen while ``run``
was running (sampled every 5 ms from /proc, ``ru_maxrss`` as a fallback).
"""

from __future__ import annotations

import resource
import statistics
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable


@dataclass
class Benchmark:
    name: str
    target: str  # what the issue asks for, e.g. "<= 10 s, <= 4 GB"
    setup: Callable[[Path, dict[str, Any]], Any]  # (scratch folder, params) -> state, not timed
    run: Callable[[Any], dict[str, float] | None]  # timed; may return extra figures
    params: dict[str, Any] = field(default_factory=dict)
    repeat: int = 5


def _rss_bytes() -> int:
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            return int(fh.read().split()[1]) * resource.getpagesize()
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


class PeakMemory:
    """Samples this process's RSS in a thread; ``peak`` is the largest value seen."""

    def __init__(self, interval: float = 0.005) -> None:
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, _rss_bytes())
            self._stop.wait(self.interval)

    def __enter__(self) -> "PeakMemory":
        self.peak = _rss_bytes()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss_bytes())


def measure(bench: Benchmark, scratch: Path, repeat: int | None = None) -> dict[str, Any]:
    """Set up once, run ``repeat`` times; return medians and the peak memory."""
    state = bench.setup(scratch, bench.params)
    times: list[float] = []
    extras: dict[str, list[float]] = {}
    peak = 0
    for _ in range(repeat or bench.repeat):
        with PeakMemory() as mem:
            start = time.perf_counter()
            extra = bench.run(state) or {}
            times.append(time.perf_counter() - start)
        peak = max(peak, mem.peak)
        for key, value in extra.items():
            extras.setdefault(key, []).append(float(value))
    return {
        "name": bench.name,
        "target": bench.target,
        "runs": len(times),
        "median_s": statistics.median(times),
        "min_s": min(times),
        "peak_mb": peak / 2**20,
        **{key: statistics.median(values) for key, values in extras.items()},
    }
