"""Stripe-looking ids (``cus_1…``) that are unique per prefix and deterministic from the seed.

Ids come from a counter per prefix, mixed with a seed-derived hash, so the order in
which *other* prefixes are drawn never changes an id.
"""

from __future__ import annotations

from random import Random
from typing import Callable

ALPH = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
PAIRS = [a + b for a in ALPH for b in ALPH]
M64 = 0xFFFFFFFFFFFFFFFF

NewId = Callable[[str], str]


def id_factory(seed: int) -> NewId:
    """Return new(prefix) -> the next id for that prefix."""
    r = Random(f"tieout-ids-{seed}")
    acct = "".join(r.choice(ALPH) for _ in range(10))
    mix = r.getrandbits(64)
    counters: dict[str, int] = {}
    P = PAIRS

    def new(prefix: str) -> str:
        n = counters.get(prefix, 0) + 1
        counters[prefix] = n
        h = (((n * 0x9E3779B97F4A7C15) & M64) ^ mix) * 0xBF58476D1CE4E5B9 & M64
        h ^= h >> 29
        return (f"{prefix}_1{P[n % 3844]}{P[(n // 3844) % 3844]}{ALPH[(n // 14776336) % 62]}{acct}"
                f"{P[h % 3844]}{P[(h >> 12) % 3844]}{P[(h >> 24) % 3844]}{P[(h >> 36) % 3844]}")

    return new
