"""On the committed sample month: every planted payment-domain break is found, and nothing else."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from tieout.app.cli import cli

ANSWER_KEY = "answer_key.json"


def _planted(sample_dir, *, matched: bool = False) -> dict[tuple[str, tuple[str, ...], tuple[str, ...]], int | None]:
    """Planted payment breaks (or, with ``matched``, the planted matches the engine must make)."""
    key = json.loads((sample_dir / ANSWER_KEY).read_text(encoding="utf-8"))
    return {(k["kind"], tuple(sorted(k["billing_ids"])), tuple(sorted(k["erp_ids"]))): k.get("amount")
            for k in key if k["domain"] == "payment" and (k["kind"] == "matched") == matched}


def test_payment_precision_and_recall_are_one_on_the_sample_month(sample_svc, sample_month) -> None:
    summary = sample_svc.match("2026-10", domain="payment")
    found = sample_svc.breaks("2026-10", domain="payment")
    got = {(r["kind"], tuple(sorted(r["billing_ids"])), tuple(sorted(r["erp_ids"]))): r["amount"]
           for r in found.iter_rows(named=True)}
    planted = _planted(sample_month)
    assert set(planted) - set(got) == set(), "recall < 1: planted payment breaks not found"
    assert set(got) - set(planted) == set(), "precision < 1: payment breaks that were not planted"
    # the planted differences are the amounts at stake
    assert {k: got[k] for k, amount in planted.items() if amount is not None} == {
        k: amount for k, amount in planted.items() if amount is not None}
    assert summary.matched["payment"] > 10 * len(planted)
    assert {"charge", "refund", "payout"} <= set(found["object_type"])
    assert {"ambiguous", "partially_applied", "unapplied", "payout_failed", "in_transit"} <= set(found["kind"])
    # one receipt for several charges, no ids: matched as a group
    matches = sample_svc.matches("2026-10", domain="payment")
    groups = {("matched", tuple(b), tuple(e)) for b, e, rule in matches.select("billing_ids", "erp_ids", "rule").rows()
              if rule == "subset_sum"}
    assert groups == set(_planted(sample_month, matched=True))


def test_match_and_breaks_by_domain_from_the_cli(sample_svc) -> None:
    runner = CliRunner()
    ws = str(sample_svc.ws.path)
    run = runner.invoke(cli, ["match", "--period", "2026-10", "--domain", "payment", "--format", "json",
                              "--workspace", ws])
    assert run.exit_code == 0, run.output
    assert set(json.loads(run.stdout)["matched"]) == {"payment"}
    out = runner.invoke(cli, ["breaks", "--period", "2026-10", "--domain", "payment", "--format", "json",
                              "--workspace", ws])
    rows = json.loads(out.stdout)
    invoice_fields = set(sample_svc.breaks("2026-10").columns)
    assert rows and all(set(r) == invoice_fields and r["domain"] == "payment" for r in rows)
    fee = next(r for r in rows if r["kind"] == "fee_mismatch")
    shown = runner.invoke(cli, ["break", "show", fee["id"], "--workspace", ws])
    assert shown.exit_code == 0, shown.output
    proof = next(line for line in shown.output.splitlines() if line.startswith("proof:"))
    assert "gross" in proof and "− fees" in proof and "= deposit" in proof and "left over" in proof
