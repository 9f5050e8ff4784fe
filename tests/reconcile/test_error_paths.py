"""Requests the service and the CLI must refuse, each with one clear line and nothing changed."""

from __future__ import annotations

import sqlite3

import pytest
from typer.testing import CliRunner

from tieout.app.cli import cli
from tieout.reconcile.service import NotFound, ServiceError
from tieout.storage import periods


def _counts(ws) -> tuple[int, int, int]:
    with sqlite3.connect(ws.db_path) as conn:
        return tuple(conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0]  # type: ignore[return-value]
                     for t in ("match", "break_event", "audit_event"))


def _lock(ws, period: str = "2026-10", entity: str = "US") -> None:
    with ws.session() as s:
        periods.prepare(s, period, entity, "ana")
        periods.review(s, period, entity, "rita")
        periods.lock(s, period, entity, "rita")


@pytest.fixture
def two_missing(books, svc, invoice):
    """in_1 never posted, 900 posted under a typo: a missing break on each side."""
    books.add("billing", invoice("in_1")).add("erp", invoice("900", "erp", ref="in_typo", total=10900)).ingest()
    svc.match("2026-10")
    return svc


def test_manual_match_refuses_records_an_automatic_match_already_holds(books, svc, invoice, ws) -> None:
    books.add("billing", invoice("in_1"), invoice("in_2", customer_billing_ref="cus_2"))
    books.add("erp", invoice("101", "erp", ref="in_1"), invoice("900", "erp", ref="in_typo"))
    books.ingest()
    svc.match("2026-10")
    before = _counts(ws)
    with pytest.raises(ServiceError, match=r"in_1.*already matched"):
        svc.manual_match("invoice", ["in_1"], ["900"], reason="looks the same")
    with pytest.raises(ServiceError, match=r"101.*already matched"):
        svc.manual_match("invoice", ["in_2"], ["101"], reason="looks the same")
    assert _counts(ws) == before


def test_manual_match_refuses_records_of_an_active_manual_match(two_missing, ws) -> None:
    two_missing.manual_match("invoice", ["in_1"], ["900"], reason="typo in externalid")
    before = _counts(ws)
    with pytest.raises(ServiceError, match=r"in_1.*already"):
        two_missing.manual_match("invoice", ["in_1"], ["900"], reason="again")
    assert _counts(ws) == before


def test_unmatch_of_an_unknown_match_id(two_missing) -> None:
    with pytest.raises(NotFound, match=r"match 9999: no such match"):
        two_missing.unmatch(9999, reason="tidy up")


def test_unmatching_an_automatic_match_is_refused(books, svc, invoice, ws) -> None:
    books.add("billing", invoice("in_1")).add("erp", invoice("101", "erp", ref="in_1")).ingest()
    svc.match("2026-10")
    auto = svc.matches("2026-10")["id"][0]
    before = _counts(ws)
    with pytest.raises(ServiceError, match=rf"match {auto} was made by a match run"):
        svc.unmatch(auto, reason="I disagree")
    assert _counts(ws) == before and svc.matches("2026-10")["id"].to_list() == [auto]


def test_manual_match_and_unmatch_in_a_locked_period_are_refused(two_missing, ws) -> None:
    match_id = two_missing.manual_match("invoice", ["in_1"], ["900"], reason="typo in externalid")
    _lock(ws)
    before = _counts(ws)
    with pytest.raises(periods.PeriodError, match="2026-10 for US is locked"):
        two_missing.unmatch(match_id, reason="wrong pair")
    assert _counts(ws) == before
    assert two_missing.matches("2026-10")["manual"].to_list() == [True]


def test_manual_match_in_a_locked_period_is_refused(two_missing, ws) -> None:
    two_missing.bulk_set_status(two_missing.breaks("2026-10")["id"].to_list(), "explained", reason="timing")
    _lock(ws)  # sign-off needs every break resolved or explained
    before = _counts(ws)
    with pytest.raises(periods.PeriodError, match="2026-10 for US is locked"):
        two_missing.manual_match("invoice", ["in_1"], ["900"], reason="typo in externalid")
    assert _counts(ws) == before


CROSS_CURRENCY_RULES = """
[[invoice.passes]]
name = "external_id"
keys = ["ref"]
[invoice.manual]
cross_currency = {allowed}
"""


@pytest.mark.parametrize("ruleset", [None, "false"], ids=["default_rules", "explicitly_off"])
def test_manual_match_across_currencies_is_refused(books, svc, invoice, ws, ruleset) -> None:
    if ruleset:
        (ws.path / "rules.toml").write_text(CROSS_CURRENCY_RULES.format(allowed=ruleset), encoding="utf-8")
        ws.config.ruleset = "rules.toml"
        ws.save_config()
    books.add("billing", invoice("in_1")).add("erp", invoice("900", "erp", ref="x", currency="EUR")).ingest()
    svc.match("2026-10")
    before = _counts(ws)
    with pytest.raises(ServiceError, match=r"currencies differ \(EUR, USD\)"):
        svc.manual_match("invoice", ["in_1"], ["900"], reason="same deal, booked in EUR")
    assert _counts(ws) == before


def test_manual_match_across_currencies_when_the_ruleset_allows_it(books, svc, invoice, ws) -> None:
    (ws.path / "rules.toml").write_text(CROSS_CURRENCY_RULES.format(allowed="true"), encoding="utf-8")
    ws.config.ruleset = "rules.toml"
    ws.save_config()
    books.add("billing", invoice("in_1")).add("erp", invoice("900", "erp", ref="x", currency="EUR")).ingest()
    svc.match("2026-10")
    match_id = svc.manual_match("invoice", ["in_1"], ["900"], reason="same deal, booked in EUR")
    assert svc.matches("2026-10").filter(id=match_id)["manual"].to_list() == [True]


# ------------------------------------------------------------------ CLI

def _cli(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_match_for_an_unknown_entity_is_refused_like_export(two_missing, ws) -> None:
    before = _counts(ws)
    for command in (["match", "--period", "2026-10"], ["export", "--period", "2026-10", "--out",
                                                       str(ws.path / "wp.xlsx")]):
        out = _cli(*command, "--entity", "XX", "--workspace", str(ws.path))
        assert out.exit_code == 1, out.output
        assert out.output.strip().splitlines() == ["error: entity 'XX': not in this workspace (entities: EU, US)"]
    assert _counts(ws) == before


def test_export_to_an_unwritable_path_is_one_line(two_missing, ws, tmp_path) -> None:
    taken = tmp_path / "already-a-folder.xlsx"
    taken.mkdir()
    (taken / "keep.txt").write_text("x")
    out = _cli("export", "--period", "2026-10", "--out", str(taken), "--workspace", str(ws.path))
    assert out.exit_code == 1, out.output
    lines = out.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and str(taken) in lines[0], out.output
    assert "Traceback" not in out.output
    assert sorted(p.name for p in taken.iterdir()) == ["keep.txt"]  # nothing written, nothing left behind
    assert not list(tmp_path.glob(".*partial"))
