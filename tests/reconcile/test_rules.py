"""Rulesets: the shipped default, validation with clear errors, workspace override, the CLI."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from tieout.app.cli import cli
from tieout.reconcile.rules import RulesetError, Tolerance, load_ruleset, parse_ruleset

MINIMAL = """
[[invoice.passes]]
name = "id"
keys = ["ref"]
"""


def test_default_ruleset_loads_with_ordered_passes() -> None:
    rules = load_ruleset().domain("invoice")
    assert [p.name for p in rules.passes] == ["external_id", "document_number", "customer_amount_date"]
    assert rules.passes[0].tolerance is None  # the id pass pairs regardless of amount
    assert rules.passes[2].tolerance == Tolerance(0, 0) and rules.passes[2].date_days == 3


def test_hash_ignores_comments_but_not_rules() -> None:
    a = parse_ruleset(MINIMAL)
    assert parse_ruleset("# a comment\n" + MINIMAL).hash == a.hash
    assert parse_ruleset(MINIMAL.replace('"id"', '"id2"')).hash != a.hash


def test_percent_tolerance_is_integer_basis_points() -> None:
    rules = parse_ruleset(MINIMAL + "amount_pct = 0.25\namount_abs = 5\n").domain("invoice")
    assert rules.passes[0].tolerance == Tolerance(amount_abs=5, amount_bp=25)
    assert parse_ruleset(MINIMAL + "date_days = 0\n").domain("invoice").passes[0].date_days == 0  # same day
    for pct, bp in (("100", 10_000), ("0", 0), ("0.01", 1)):  # both ends of 0..100 are allowed
        assert parse_ruleset(MINIMAL + f"amount_pct = {pct}\n").domain("invoice").passes[0].tolerance.amount_bp == bp


@pytest.mark.parametrize(("extra", "message"), [
    ('keys = ["ref", "colour"]', r"unknown field\(s\) \['colour'\]"),
    ("amount_abs = -1", "amount_abs must be a whole number"),
    ("amount_abs = 1.5", "amount_abs must be a whole number"),
    ("amount_pct = 101", "amount_pct must be 0..100"),
    ("amount_pct = 100.01", "amount_pct must be 0..100"),
    ("amount_pct = -0.01", "amount_pct must be 0..100"),
    ("amount_pct = 0.001", "at most 2 decimals"),
    ('amount_pct = "lots"', "amount_pct must be a number"),
    ("date_days = -2", "date_days must be a whole number"),
    ('cardinality = "many_to_many"', "cardinality must be one of"),
    ('cardinality = "one_to_many"\nmax_group = 1', "max_group must be a whole number in 2..50"),
    ('on_multiple = "pick_one"', "on_multiple must be one of"),
    ("tolerance = 3", r"unknown setting\(s\) \['tolerance'\]"),
])
def test_bad_pass_is_refused_naming_the_pass(extra: str, message: str) -> None:
    text = MINIMAL.replace('keys = ["ref"]', extra) if extra.startswith("keys") else MINIMAL + extra + "\n"
    with pytest.raises(RulesetError, match=message) as err:
        parse_ruleset(text, source="rules.toml")
    assert "rules.toml: [invoice] pass 1 ('id')" in str(err.value)


def test_unknown_domain_and_broken_toml_are_refused() -> None:
    with pytest.raises(RulesetError, match="unknown domain 'invoices'"):
        parse_ruleset(MINIMAL.replace("invoice.", "invoices."))
    with pytest.raises(RulesetError, match="not valid TOML"):
        parse_ruleset("[[invoice.passes]\n")
    with pytest.raises(RulesetError, match="at least one"):
        parse_ruleset("[invoice.compare]\nfields = []\n")
    with pytest.raises(RulesetError, match=r"compare: unknown field\(s\) \['colour'\]"):
        parse_ruleset(MINIMAL + '[invoice.compare]\nfields = ["colour"]\n')


def test_workspace_override_is_used_and_checked(ws, svc, tmp_path) -> None:
    (ws.path / "rules.toml").write_text(MINIMAL, encoding="utf-8")
    ws.config.ruleset = "rules.toml"
    ws.save_config()
    assert [p.name for p in svc.ruleset().domain("invoice").passes] == ["id"]
    runner = CliRunner()
    ok = runner.invoke(cli, ["rules", "check", "--workspace", str(ws.path)])
    assert ok.exit_code == 0 and "1 pass(es)" in ok.output
    shown = runner.invoke(cli, ["rules", "show", "--format", "json", "--workspace", str(ws.path)])
    assert '"pass": "id"' in shown.output
    (ws.path / "rules.toml").write_text(MINIMAL + "date_days = -1\n", encoding="utf-8")
    bad = runner.invoke(cli, ["rules", "check", "--workspace", str(ws.path)])
    assert bad.exit_code == 1 and "date_days must be" in bad.output


def test_manual_cross_currency_setting_is_validated_and_hashed_only_when_set() -> None:
    base = '[[invoice.passes]]\nname = "id"\nkeys = ["ref"]\n'
    plain = parse_ruleset(base)
    assert parse_ruleset(base + "[invoice.manual]\ncross_currency = false\n").hash == plain.hash
    assert not plain.domain("invoice").manual_cross_currency  # refused unless a ruleset says so
    allowed = parse_ruleset(base + "[invoice.manual]\ncross_currency = true\n")
    assert allowed.domain("invoice").manual_cross_currency and allowed.hash != plain.hash
    with pytest.raises(RulesetError, match=r"\[invoice\]\.manual: cross_currency must be true or false"):
        parse_ruleset(base + '[invoice.manual]\ncross_currency = "yes"\n')
    with pytest.raises(RulesetError, match=r"\[invoice\]\.manual: unknown setting\(s\) \['currency'\]"):
        parse_ruleset(base + "[invoice.manual]\ncurrency = true\n")


def test_default_ruleset_hash_is_stable_across_versions() -> None:
    """Match runs record this hash; a release that changes it tells every workspace its rules changed."""
    # changes only when the default rules change (the payment section came in with issue 11)
    assert load_ruleset().hash == "710d5a73eb613d414c807cf7053515afe039d63c91f0428b733b0ced05d9cba0"


def test_describe_lists_each_pass_in_order_with_its_settings() -> None:
    rules = parse_ruleset(MINIMAL + '[[invoice.passes]]\nname = "split"\nkeys = ["customer"]\n'
                                    'cardinality = "one_to_many"\nmax_group = 3\namount_pct = 0.5\n')
    assert rules.describe() == [
        {"domain": "invoice", "order": 1, "pass": "id", "keys": "ref", "amount_abs": None, "amount_pct": None,
         "date_days": None, "cardinality": "one_to_one", "max_group": 1, "on_multiple": "ambiguous"},
        {"domain": "invoice", "order": 2, "pass": "split", "keys": "customer", "amount_abs": 0, "amount_pct": "0.5",
         "date_days": None, "cardinality": "one_to_many", "max_group": 3, "on_multiple": "ambiguous"},
    ]
