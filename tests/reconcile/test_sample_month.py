"""On the committed sample month: every planted invoice-domain break is found, and nothing else."""

from __future__ import annotations

import json

import polars as pl
from typer.testing import CliRunner

from tieout.app.cli import cli

ANSWER_KEY = "answer_key.json"


def _planted(sample_dir) -> set[tuple[str, tuple[str, ...], tuple[str, ...]]]:
    key = json.loads((sample_dir / ANSWER_KEY).read_text(encoding="utf-8"))
    return {(k["kind"], tuple(sorted(k["billing_ids"])), tuple(sorted(k["erp_ids"])))
            for k in key if k["domain"] == "invoice"}


def test_precision_and_recall_are_one_on_the_sample_month(sample_svc, sample_month) -> None:
    summary = sample_svc.match("2026-10")
    found = sample_svc.breaks("2026-10", domain="invoice")
    got = {(r["kind"], tuple(sorted(r["billing_ids"])), tuple(sorted(r["erp_ids"])))
           for r in found.iter_rows(named=True)}
    planted = _planted(sample_month)
    assert planted - got == set(), "recall < 1: planted breaks not found"
    assert got - planted == set(), "precision < 1: breaks that were not planted"
    assert found.height == len(planted)
    assert summary.matched["invoice"] > 5 * len(planted)
    # credit notes are covered too, with their object type
    assert {"invoice", "credit_note"} <= set(found["object_type"])
    # planted amount differences are the amounts at stake
    key = json.loads((sample_month / ANSWER_KEY).read_text(encoding="utf-8"))
    stakes = {k["billing_ids"][0]: k["amount"] for k in key
              if k["domain"] == "invoice" and k["kind"] in ("amount_mismatch", "tax_mismatch")}
    by_id = {r["billing_ids"][0]: r["amount"] for r in
             found.filter(pl.col("kind").is_in(["amount_mismatch", "tax_mismatch"])).iter_rows(named=True)}
    assert by_id == stakes


def test_cli_match_and_breaks_json_on_the_sample_month(sample_svc) -> None:
    runner = CliRunner()
    ws = str(sample_svc.ws.path)
    run = runner.invoke(cli, ["match", "--period", "2026-10", "--workspace", ws])
    assert run.exit_code == 0, run.output
    assert "missing_in_erp" in run.output and "matched" in run.output
    out = runner.invoke(cli, ["breaks", "--period", "2026-10", "--kind", "tax_mismatch", "--format", "json",
                              "--domain", "invoice", "--workspace", ws])
    rows = json.loads(out.stdout)
    assert rows and {r["kind"] for r in rows} == {"tax_mismatch"}
    assert all(isinstance(r["amount"], int) and r["billing_ids"][0].startswith(("in_", "cn_")) for r in rows)
    one = rows[0]["id"]
    done = runner.invoke(cli, ["break", "set", one, "--status", "explained", "--reason", "data_entry",
                               "--note", "keyed wrong rate", "--workspace", ws])
    assert done.exit_code == 0
    shown = runner.invoke(cli, ["break", "show", one, "--format", "json", "--workspace", ws])
    detail = json.loads(shown.stdout)
    assert detail["brk"]["status"] == "explained" and detail["erp"][0]["lineage"]["source"] == "netsuite"
    bad = runner.invoke(cli, ["break", "show", "0000", "--workspace", ws])
    assert bad.exit_code == 1 and "no such break" in bad.output
    assert sample_svc.breaks("2026-10", status="explained")["id"].to_list() == [one]
    assert pl.DataFrame(rows)["currency"].is_in(["USD", "EUR", "JPY"]).all()
