"""Exact-cent bounded subset sums: which few records add up to one record on the other side.

One ERP receipt can pay several charges of a customer (or one charge be
booked as several receipts).  Given the target amount and the candidates
(same customer and currency, still unmatched), :func:`find_groups` finds the
index sets of 2..``max_group`` candidates that sum exactly to the target, in
integer minor units, stopping once two are found: one group is a match, two
or more are ``ambiguous`` and never auto-matched.

The search is meet-in-the-middle: every group, its members in index order,
splits into a lower part (the first ⌈m/2⌉) and an upper part (the rest), all
of whose indexes come after the lower part's.  Upper parts of up to
⌊max_group/2⌋ members are tabled by sum once (with their smallest index),
then every lower part looks its complement up, so a group of five costs
O(n³) lookups instead of O(n⁵) sums.  ``budget`` bounds the steps; a search
that runs out reports it instead of guessing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from itertools import combinations


@dataclass(frozen=True)
class Search:
    """What one search found: up to two groups (index tuples, ascending), and whether the budget ran out."""

    groups: tuple[tuple[int, ...], ...]
    exhausted: bool
    steps: int


def find_groups(target: int, amounts: list[int], *, max_group: int, budget: int) -> Search:
    """Index sets of 2..``max_group`` of ``amounts`` summing exactly to ``target`` (at most two are returned)."""
    n = len(amounts)
    if n < 2 or max_group < 2:
        return Search((), False, 0)
    upper_size = max_group // 2
    steps = 0
    # upper parts by sum: (smallest index, indexes); tabled once for every lower part to probe
    table: dict[int, list[tuple[int, tuple[int, ...]]]] = defaultdict(list)
    for size in range(1, upper_size + 1):
        for combo in combinations(range(n), size):
            steps += 1
            if steps > budget:
                return Search((), True, steps)
            table[sum(amounts[i] for i in combo)].append((combo[0], combo))
    found: list[tuple[int, ...]] = []
    for size in range(2, max_group + 1):
        lower_size, rest = (size + 1) // 2, size // 2
        for lower in combinations(range(n), lower_size):
            steps += 1
            if steps > budget:
                return Search(tuple(found), True, steps)
            need = target - sum(amounts[i] for i in lower)
            for first, upper in table.get(need, ()):
                if len(upper) == rest and first > lower[-1]:
                    found.append(lower + upper)
                    if len(found) == 2:
                        return Search(tuple(found), False, steps)
    return Search(tuple(found), False, steps)
