"""Tolerances at their exact edges, grouping, and break ids that never move (pure polars, no I/O).

Each case sits on a boundary: a tolerance met exactly matches, one minor unit
past it does not, whichever side is higher.  Percent tolerances are checked in
currencies without and with three minor digits (JPY, KWD), where an off-by-one
in the integer arithmetic would show.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import polars as pl
import pytest

from tieout.reconcile.domains.base import Outcome
from tieout.reconcile.domains.invoice import INVOICE, normalise
from tieout.reconcile.rules import parse_ruleset

COLUMNS = ["side", "object_type", "key", "ref", "number", "customer", "currency", "entity", "amount", "tax",
           "status", "date", "period"]


def row(side: str, key: str, amount: int, *, ref: str | None = None, currency: str = "USD", tax: int = 0,
        day: int = 5, customer: str = "cus_1") -> dict:
    return {"side": side, "object_type": "invoice", "key": key, "ref": ref or key, "number": None,
            "customer": customer, "currency": currency, "entity": "US", "amount": amount, "tax": tax,
            "status": "open", "date": f"2026-10-{day:02d}", "period": "2026-10"}


def run(rules_toml: str, rows: list[dict]) -> Outcome:
    rules = parse_ruleset(rules_toml).domain("invoice")
    frame = normalise(pl.DataFrame(rows, schema={c: (pl.Int64 if c in ("amount", "tax") else pl.String)
                                                 for c in COLUMNS}))
    return INVOICE.reconcile(frame, rules)


def fuzzy_pass(tolerance: str) -> str:
    """One pass that pairs on customer and currency only, so the amount tolerance alone decides."""
    return f'[[invoice.passes]]\nname = "fuzzy"\nkeys = ["customer", "currency"]\n{tolerance}\n'


def by_ref(compare: str) -> str:
    """Pairs on the id; ``compare`` decides whether an amount difference is a break."""
    return f'[[invoice.passes]]\nname = "id"\nkeys = ["ref"]\n[invoice.compare]\n{compare}\n'


def paired(outcome: Outcome) -> bool:
    """The two records were paired (differences the compare rules refuse are breaks of the pair, not missings)."""
    missing = outcome.breaks["kind"].str.starts_with("missing").any()
    return outcome.matches.height == 1 and not missing


# ------------------------------------------------------------------ absolute tolerance

@pytest.mark.parametrize(("delta", "matches"), [(5, True), (-5, True), (6, False), (-6, False), (0, True)])
def test_pass_amount_abs_is_inclusive_and_one_minor_unit_past_refuses(delta: int, matches: bool) -> None:
    outcome = run(fuzzy_pass("amount_abs = 5"), [row("billing", "in_1", 10_000),
                                                 row("erp", "101", 10_000 + delta, ref="x")])
    assert paired(outcome) is matches
    if not matches:
        assert sorted(outcome.breaks["kind"]) == ["missing_in_billing", "missing_in_erp"]


@pytest.mark.parametrize(("delta", "broken"), [(5, False), (-5, False), (6, True), (-6, True)])
def test_compare_amount_abs_accepts_exactly_the_tolerance(delta: int, broken: bool) -> None:
    outcome = run(by_ref("amount_abs = 5"), [row("billing", "in_1", 10_000), row("erp", "101", 10_000 + delta,
                                                                                  ref="in_1")])
    assert outcome.matches.height == 1
    if broken:
        brk = outcome.breaks.row(0, named=True)
        assert (outcome.breaks.height, brk["kind"], brk["amount"]) == (1, "amount_mismatch", abs(delta))
    else:
        assert outcome.breaks.height == 0
        assert json.loads(outcome.matches["differences"][0]) == {"amount": ["10000", str(10_000 + delta)]}


@pytest.mark.parametrize(("delta", "broken"), [(3, False), (-3, False), (4, True), (-4, True)])
def test_compare_tax_tolerance_edge(delta: int, broken: bool) -> None:
    """Same totals net of tax, tax off by ``delta``: a tax mismatch only past the tolerance."""
    outcome = run(by_ref("amount_abs = 3"), [row("billing", "in_1", 10_800, tax=800),
                                             row("erp", "101", 10_800 + delta, tax=800 + delta, ref="in_1")])
    assert outcome.breaks["kind"].to_list() == (["tax_mismatch"] if broken else [])


# ------------------------------------------------------------------ percent tolerance (basis points of billing)

# JPY has no minor digits: 1 % of ¥10,000 is ¥100.  KWD has three: 0.5 % of 1,000.000 KWD is 5.000 KWD.
PCT_CASES = [
    ("JPY", "1", 10_000, 100, True), ("JPY", "1", 10_000, -100, True),
    ("JPY", "1", 10_000, 101, False), ("JPY", "1", 10_000, -101, False),
    ("KWD", "0.5", 1_000_000, 5_000, True), ("KWD", "0.5", 1_000_000, -5_000, True),
    ("KWD", "0.5", 1_000_000, 5_001, False), ("KWD", "0.5", 1_000_000, -5_001, False),
    # odd hundredths of a percent: 0.01 % of 1,234,567 fils is 123.4567, so 123 passes and 124 does not
    ("KWD", "0.01", 1_234_567, 123, True), ("KWD", "0.01", 1_234_567, 124, False),
]


@pytest.mark.parametrize(("currency", "pct", "billing", "delta", "matches"), PCT_CASES)
def test_pass_amount_pct_boundary(currency: str, pct: str, billing: int, delta: int, matches: bool) -> None:
    outcome = run(fuzzy_pass(f"amount_pct = {pct}"), [
        row("billing", "in_1", billing, currency=currency),
        row("erp", "101", billing + delta, currency=currency, ref="x")])
    assert paired(outcome) is matches


@pytest.mark.parametrize(("currency", "pct", "billing", "delta", "matches"), PCT_CASES)
def test_compare_amount_pct_boundary(currency: str, pct: str, billing: int, delta: int, matches: bool) -> None:
    outcome = run(by_ref(f"amount_pct = {pct}"), [
        row("billing", "in_1", billing, currency=currency),
        row("erp", "101", billing + delta, currency=currency, ref="in_1")])
    assert outcome.breaks["kind"].to_list() == ([] if matches else ["amount_mismatch"])


def test_percent_is_of_the_billing_total_not_the_erp_one() -> None:
    """1 % of ¥10,000 is ¥100; of the ERP's ¥10,101 it would be ¥101.01, which would let ¥101 through."""
    outcome = run(fuzzy_pass("amount_pct = 1"), [row("billing", "in_1", 10_000, currency="JPY"),
                                                 row("erp", "101", 10_101, currency="JPY", ref="x")])
    assert not paired(outcome)


def test_either_tolerance_is_enough() -> None:
    """abs 50 or 1 %: 150 on 10,000 passes on the percent, 50 on 1,000 on the absolute, 51 on 1,000 fails both."""
    rules = fuzzy_pass("amount_abs = 50\namount_pct = 1.5")
    assert paired(run(rules, [row("billing", "in_1", 10_000), row("erp", "1", 10_150, ref="x")]))
    assert paired(run(rules, [row("billing", "in_1", 1_000), row("erp", "1", 1_050, ref="x")]))
    assert not paired(run(rules, [row("billing", "in_1", 1_000), row("erp", "1", 1_051, ref="x")]))


@pytest.mark.parametrize("side", ["billing", "erp"])
def test_several_candidates_on_one_side_make_one_ambiguous_break(side: str) -> None:
    """Two records of ``side`` fit one record of the other: one ambiguous break naming all three, nothing else."""
    one, two = ("erp", "billing") if side == "billing" else ("billing", "erp")
    rows = [row(one, "in_0" if one == "billing" else "100", 10_000, ref="a"),
            row(two, "in_1" if two == "billing" else "101", 10_000, ref="b"),
            row(two, "in_2" if two == "billing" else "102", 10_000, ref="c")]
    outcome = run(fuzzy_pass("amount_abs = 0"), rows)
    assert outcome.matches.height == 0
    expected = (["in_1", "in_2"], ["100"]) if side == "billing" else (["in_0"], ["101", "102"])
    assert outcome.breaks.select("kind", "billing_ids", "erp_ids").rows() == [("ambiguous", *expected)]


def test_several_billing_records_for_one_erp_record_keep_the_closest_as_the_pair() -> None:
    """on_multiple = duplicate: the billing record nearest in amount pairs, the other is a duplicate in billing."""
    rules = ('[[invoice.passes]]\nname = "number"\nkeys = ["number", "currency"]\n'
             'on_multiple = "duplicate"\n')
    rows = [{**row("billing", "in_1", 10_000), "number": "INV-7"},
            {**row("billing", "in_2", 10_050), "number": "INV-7"},
            {**row("erp", "101", 10_040, ref="x"), "number": "INV-7"}]
    outcome = run(rules, rows)
    assert outcome.matches.select("billing_ids", "erp_ids").rows() == [(["in_2"], ["101"])]
    assert sorted(outcome.breaks.select("kind", "billing_ids", "erp_ids").rows()) == [
        ("amount_mismatch", ["in_2"], ["101"]), ("duplicate_in_billing", ["in_1", "in_2"], ["101"])]


# ------------------------------------------------------------------ grouping

MANY_TO_ONE = """
[[invoice.passes]]
name = "payout"
keys = ["customer", "currency"]
cardinality = "many_to_one"
max_group = 3
date_days = 2
{extra}
"""


def test_many_to_one_ties_several_billing_records_to_one_erp_record() -> None:
    outcome = run(MANY_TO_ONE.format(extra=""), [
        row("billing", "in_1", 4_000, day=5), row("billing", "in_2", 3_000, day=6),
        row("billing", "in_3", 3_800, day=7), row("erp", "900", 10_800, day=6, ref="x"),
        row("billing", "in_other", 10_800, customer="cus_2")])  # another customer: not in the group
    m = outcome.matches.row(0, named=True)
    assert outcome.matches.height == 1
    assert (m["rule"], m["billing_ids"], m["erp_ids"]) == ("payout", ["in_1", "in_2", "in_3"], ["900"])
    assert (m["billing_amount"], m["erp_amount"], m["differences"]) == (10_800, 10_800, "{}")
    assert outcome.breaks.select("kind", "billing_ids").rows() == [("missing_in_erp", ["in_other"])]


@pytest.mark.parametrize(("erp_amount", "extra", "matched"), [
    (10_801, "", False),  # a group must tie exactly unless a tolerance is given
    (10_801, "amount_abs = 1", True),
    (10_802, "amount_abs = 1", False),
])
def test_many_to_one_sum_must_tie_within_the_tolerance(erp_amount: int, extra: str, matched: bool) -> None:
    outcome = run(MANY_TO_ONE.format(extra=extra), [
        row("billing", "in_1", 4_000), row("billing", "in_2", 3_000), row("billing", "in_3", 3_800),
        row("erp", "900", erp_amount, ref="x")])
    assert (outcome.matches.height == 1) is matched
    if matched:
        assert json.loads(outcome.matches["differences"][0]) == {"amount": [10_800, 10_801]}
    else:
        assert outcome.breaks.height == 4


def test_many_to_one_respects_max_group_and_the_date_window() -> None:
    four = [row("billing", f"in_{i}", 2_700) for i in range(4)] + [row("erp", "900", 10_800, ref="x")]
    assert run(MANY_TO_ONE.format(extra=""), four).matches.height == 0  # 4 > max_group 3
    late = [row("billing", "in_1", 4_000, day=5), row("billing", "in_2", 6_800, day=9),
            row("erp", "900", 10_800, day=6, ref="x")]
    assert run(MANY_TO_ONE.format(extra=""), late).matches.height == 0  # day 9 is 3 days after the ERP's day 6


@pytest.mark.parametrize(("days", "matched"), [(2, True), (-2, True), (3, False), (-3, False)])
def test_many_to_one_date_window_is_inclusive(days: int, matched: bool) -> None:
    """Every group member lies within date_days (2) of the one record, on either side."""
    outcome = run(MANY_TO_ONE.format(extra=""), [
        row("billing", "in_1", 4_000, day=10), row("billing", "in_2", 6_800, day=10 + days),
        row("erp", "900", 10_800, day=10, ref="x")])
    assert (outcome.matches.height == 1) is matched


def test_a_group_of_one_is_not_a_group() -> None:
    """A grouping pass ties 2..max_group records to one; a lone record with the same total is left to 1:1 passes."""
    outcome = run(MANY_TO_ONE.format(extra=""), [row("billing", "in_1", 10_800), row("erp", "900", 10_800, ref="x")])
    assert outcome.matches.height == 0
    assert sorted(outcome.breaks["kind"]) == ["missing_in_billing", "missing_in_erp"]


def test_many_to_one_with_two_erp_candidates_is_flagged_not_matched() -> None:
    outcome = run(MANY_TO_ONE.format(extra=""), [
        row("billing", "in_1", 4_000), row("billing", "in_2", 6_800),
        row("erp", "900", 10_800, ref="x"), row("erp", "901", 10_800, ref="y")])
    assert outcome.matches.height == 0
    assert outcome.breaks.select("kind", "billing_ids", "erp_ids").rows() == [
        ("ambiguous", ["in_1", "in_2"], ["900", "901"])]


# ------------------------------------------------------------------ break ids

_IDS_SCRIPT = """
import json, sys
import polars as pl
from tieout.reconcile.domains.invoice import INVOICE, normalise
from tieout.reconcile.rules import parse_ruleset
rows, schema = json.loads(sys.stdin.read())
rules = parse_ruleset(EXTERNAL_ID).domain("invoice")
frame = normalise(pl.DataFrame(rows, schema={k: getattr(pl, v) for k, v in schema.items()}))
out = INVOICE.reconcile(frame, rules).breaks
print(json.dumps(sorted(zip(out["kind"].to_list(), out["id"].to_list()))))
"""
EXTERNAL_ID = '[[invoice.passes]]\nname = "external_id"\nkeys = ["ref"]\n'

ID_ROWS = [row("billing", "in_1", 10_000), row("erp", "101", 10_050, ref="in_1"),
           row("billing", "in_2", 500, customer="cus_2"), row("erp", "102", 700, ref="nowhere", customer="cus_3")]


def _ids(outcome: Outcome) -> list[tuple[str, str]]:
    return sorted(zip(outcome.breaks["kind"].to_list(), outcome.breaks["id"].to_list(), strict=True))


def test_break_ids_are_the_same_in_other_processes() -> None:
    here = _ids(run(EXTERNAL_ID, ID_ROWS))
    schema = {c: ("Int64" if c in ("amount", "tax") else "String") for c in COLUMNS}
    script = f"EXTERNAL_ID = {EXTERNAL_ID!r}\n{_IDS_SCRIPT}"
    seen = []
    for seed in ("1", "2"):  # str hashes differ between these two interpreters
        out = subprocess.run([sys.executable, "-c", script], input=json.dumps([ID_ROWS, schema]), text=True,
                             env={**os.environ, "PYTHONHASHSEED": seed}, capture_output=True, check=True)
        seen.append([tuple(x) for x in json.loads(out.stdout)])
    assert seen[0] == seen[1] == here
    assert [k for k, _ in here] == ["amount_mismatch", "missing_in_billing", "missing_in_erp"]


def test_break_ids_keep_the_value_stored_by_earlier_versions() -> None:
    """Review history is keyed on these ids in every existing workspace: they must never change.

    Pinned values: the first 20 hex digits of sha256("invoice|amount_mismatch|b:in_1|e:101") and so on
    (domain, kind, side-tagged external ids), as the design defines a break's identity."""
    assert dict(_ids(run(EXTERNAL_ID, ID_ROWS))) == {"amount_mismatch": "f5d0ddbd920d207bc420",
                                                     "missing_in_billing": "e8953f8f93be3dcebe60",
                                                     "missing_in_erp": "9a6ff7df68c3f99dc41e"}


def test_a_break_keeps_its_id_when_only_its_amount_changes() -> None:
    rules = EXTERNAL_ID
    before = run(rules, [row("billing", "in_1", 10_000), row("erp", "101", 10_050, ref="in_1")]).breaks
    after = run(rules, [row("billing", "in_1", 10_000), row("erp", "101", 10_070, ref="in_1")]).breaks
    assert before["amount"].to_list() == [50] and after["amount"].to_list() == [70]
    assert before["id"].to_list() == after["id"].to_list()
    # ... while another record, or another kind, is another break
    other = run(rules, [row("billing", "in_1", 10_000), row("erp", "102", 10_050, ref="in_1")]).breaks
    assert other["id"].to_list() != before["id"].to_list()
