"""The exact-cent bounded subset-sum search: groups found, ambiguity reported, the budget honoured."""

from __future__ import annotations

from itertools import combinations

from hypothesis import given, settings
from hypothesis import strategies as st

from tieout.reconcile.subset_sum import find_groups


def test_one_group_is_found_with_its_indexes() -> None:
    found = find_groups(3500, [1000, 2500, 700, 9999], max_group=5, budget=10_000)
    assert found.groups == ((0, 1),) and not found.exhausted


def test_two_qualifying_groups_are_both_reported() -> None:
    found = find_groups(3000, [1000, 2000, 1500, 1500], max_group=5, budget=10_000)
    assert sorted(found.groups) == [(0, 1), (2, 3)]


def test_a_group_of_five_and_the_size_bound() -> None:
    amounts = [101, 202, 303, 404, 505, 10_000]
    assert find_groups(1515, amounts, max_group=5, budget=100_000).groups == ((0, 1, 2, 3, 4),)
    assert find_groups(1515, amounts, max_group=4, budget=100_000).groups == ()


def test_a_single_record_equal_to_the_target_is_not_a_group() -> None:
    assert find_groups(500, [500, 1, 2], max_group=3, budget=100).groups == ()


def test_an_exhausted_budget_is_reported_not_guessed() -> None:
    found = find_groups(10**9, list(range(1, 200)), max_group=5, budget=1000)
    assert found.exhausted and found.steps > 1000


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=60), min_size=2, max_size=9),
       st.integers(min_value=2, max_value=5), st.integers(min_value=2, max_value=200))
def test_agrees_with_brute_force(amounts: list[int], max_group: int, target: int) -> None:
    truth = [c for size in range(2, max_group + 1) for c in combinations(range(len(amounts)), size)
             if sum(amounts[i] for i in c) == target]
    found = find_groups(target, amounts, max_group=max_group, budget=10**7)
    assert len(found.groups) == min(2, len(truth))
    assert set(found.groups) <= set(truth)
