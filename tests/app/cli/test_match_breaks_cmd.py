"""`tieout match` / `breaks` on a small workspace: exit codes, dry run, machine-readable output."""

from __future__ import annotations

import io
import json

import polars as pl
from sqlalchemy import text
from typer.testing import CliRunner

from tieout.app.cli import cli


def _run(ws, *args: str):
    return CliRunner().invoke(cli, [*args, "--workspace", str(ws.path)], env={"TIEOUT_USER": "cli-user"})


def test_match_dry_run_json_then_real_run_and_csv_parquet_exports(books, invoice, ws, tmp_path) -> None:
    books.add("billing", invoice("in_1"), invoice("in_2", customer_billing_ref="cus_2"))
    books.add("erp", invoice("101", "erp", ref="in_1", tax=900, total=10900)).ingest()
    dry = _run(ws, "match", "--period", "2026-10", "--dry-run", "--format", "json")
    assert dry.exit_code == 0, dry.output
    summary = json.loads(dry.stdout)
    assert summary["run_id"] is None and summary["breaks_by_kind"] == {
        "invoice/missing_in_erp": {"count": 1, "amounts": {"USD": 10800}},
        "invoice/tax_mismatch": {"count": 1, "amounts": {"USD": 100}}}
    assert _run(ws, "breaks", "--format", "json").stdout.strip() == "[]"  # nothing stored
    assert _run(ws, "match", "--period", "2026-10").exit_code == 0
    out = tmp_path / "breaks.parquet"
    assert _run(ws, "breaks", "--period", "2026-10", "--format", "parquet", "--out", str(out)).exit_code == 0
    frame = pl.read_parquet(out)
    assert frame.schema["amount"] == pl.Int64 and sorted(frame["kind"]) == ["missing_in_erp", "tax_mismatch"]
    csv = _run(ws, "breaks", "--status", "open", "--kind", "tax_mismatch", "--format", "csv").stdout
    assert pl.read_csv(io.StringIO(csv))["billing_ids"].to_list() == ['["in_1"]']
    log = _run(ws, "audit", "log", "--format", "json")
    assert [e["action"] for e in json.loads(log.stdout)][0] == "match.run"


def test_errors_exit_1_with_one_line(ws) -> None:
    bad = _run(ws, "match", "--period", "2026-13")
    assert bad.exit_code == 1 and "expected YYYY-MM" in bad.output and "Traceback" not in bad.output
    unknown = _run(ws, "break", "set", "nope", "--status", "open")
    assert unknown.exit_code == 1 and "no such break" in unknown.output


def test_breaks_csv_neutralises_formula_like_text(tmp_path) -> None:
    """`tieout breaks --format csv` is opened in spreadsheets too: a formula-like note stays text."""
    from tieout.storage.workspace import init_workspace

    ws = init_workspace(tmp_path / "w")
    with ws.session() as s:
        s.execute(text(
            'INSERT INTO "break" (id, domain, object_type, kind, status, period, entity, currency, amount, '
            "billing_ids, erp_ids, details, note, opened_at, updated_at) VALUES ('b1', 'invoice', 'invoice', "
            "'missing_in_erp', 'open', '2026-10', 'US', 'USD', -100, '[\"in_1\",\"in_2\"]', '[]', '{}', "
            "'=HYPERLINK(\"http://x\",\"y\")', 't', 't')"))
    out = CliRunner().invoke(cli, ["breaks", "-p", "2026-10", "--format", "csv", "-w", str(ws.path)])
    assert out.exit_code == 0, out.output
    assert "'=HYPERLINK" in out.output and ",-100," in out.output and '"[""in_1"",""in_2""]"' in out.output
