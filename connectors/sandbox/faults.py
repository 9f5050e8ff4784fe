"""Switchable faults a sandbox injects into its responses.

``Faults.parse(["429:0.2", "drop"])``: each kind fires with its rate (1.0 if
omitted) on each request, from a seeded RNG so a run is reproducible.  At
most ``max_in_a_row`` faults fire back to back (unless a rate is 1.0), so a
client with enough retries always gets through.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from tieout.connectors.errors import ConnectorError

WRITE_FAULT_KINDS = ("write_timeout", "write_500")
"""Faults that hit writes only: ``write_timeout`` applies the write, then answers too late for the client;
``write_500`` answers 500 before anything is applied."""
FAULT_KINDS = ("429", "500", "slow", "malformed", "drop", *WRITE_FAULT_KINDS)


@dataclass
class Faults:
    rates: dict[str, float] = field(default_factory=dict)
    retry_after: float = 1.0  # seconds sent with 429
    slow_seconds: float = 2.0  # how long a "slow" response stalls
    max_in_a_row: int = 2
    seed: int = 0
    injected: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)
        self._lock = threading.Lock()
        self._streak = 0

    @classmethod
    def parse(cls, specs: list[str] | None, **options: float) -> "Faults":
        """Parse ``KIND[:RATE]`` strings, e.g. ``["429:0.3", "slow:0.1"]``."""
        rates: dict[str, float] = {}
        for spec in specs or ():
            kind, _, rate = spec.partition(":")
            if kind not in FAULT_KINDS:
                raise ConnectorError(f"unknown fault {kind!r}; choose from {', '.join(FAULT_KINDS)}")
            try:
                value = float(rate) if rate else 1.0
            except ValueError:
                raise ConnectorError(f"fault {spec!r}: rate must be a number between 0 and 1") from None
            if not 0.0 <= value <= 1.0:
                raise ConnectorError(f"fault {spec!r}: rate must be between 0 and 1")
            rates[kind] = value
        return cls(rates=rates, **options)  # type: ignore[arg-type]

    def pick(self) -> str | None:
        """The fault to inject into this request, if any (write faults are picked by :meth:`pick_write`)."""
        return self._pick(lambda kind: kind not in WRITE_FAULT_KINDS)

    def pick_write(self) -> str | None:
        """The write fault to inject into this write, if any."""
        return self._pick(lambda kind: kind in WRITE_FAULT_KINDS)

    def _pick(self, wanted: Callable[[str], bool]) -> str | None:
        with self._lock:
            for kind, rate in self.rates.items():
                if not wanted(kind):
                    continue
                forced = rate >= 1.0
                if (forced or self._streak < self.max_in_a_row) and self._rng.random() < rate:
                    self._streak += 1
                    self.injected[kind] = self.injected.get(kind, 0) + 1
                    return kind
            self._streak = 0
            return None
