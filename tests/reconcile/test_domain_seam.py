"""The domain seam: a domain registered from outside the service is matched, listed and exported.

The toy domain reads credit notes alone, keys on the billing reference and
compares only amounts; nothing in the service, CLI or workpaper names it.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from tieout import reconcile
from tieout.app.cli import cli
from tieout.reconcile import domains
from tieout.reconcile.domains import KindSpec
from tieout.reconcile.domains.invoice import QUEUE_COLUMNS, WORKPAPER_COLUMNS, DocumentDomain
from tieout.reconcile.workpaper import export_workbook
from tieout.storage.errors import ServiceError

TOY = DocumentDomain(
    name="toy", title="Toys", tables={"credit_note": "credit_note"},
    kinds=(KindSpec("amount_mismatch", "difference", field="amount"), KindSpec("missing_in_erp", "record_total"),
           KindSpec("missing_in_billing", "record_total")),
    key_fields=frozenset({"ref"}), compare_fields=("amount",), duplicate_fields=frozenset(),
    queue_columns=QUEUE_COLUMNS, workpaper_columns=WORKPAPER_COLUMNS,
)
TOY_RULES = """
[toy.compare]
fields = ["amount"]

[[toy.passes]]
name = "by_reference"
keys = ["ref"]
"""


@pytest.fixture
def toy(ws, books, invoice):
    """The toy domain registered, its rules in the workspace ruleset, and three credit notes a side."""
    domains.register(TOY)
    default = resources.files("tieout.reconcile.rules").joinpath("default.toml").read_text(encoding="utf-8")
    (ws.path / "rules.toml").write_text(default + TOY_RULES, encoding="utf-8")
    ws.config.ruleset = "rules.toml"
    ws.save_config()
    note = {"table": "credit_note", "tax": 0, "subtotal": 5000, "total": 5000}
    books.add("billing", invoice("cn_1", **note), invoice("cn_2", **note), invoice("cn_3", **note))
    books.add("erp", invoice("9001", "erp", ref="cn_1", **note),
              invoice("9002", "erp", ref="cn_2", **{**note, "total": 4900, "subtotal": 4900})).ingest()
    yield reconcile.open_workspace(ws.path)
    domains.unregister("toy")


def test_a_registered_domain_is_matched_listed_and_exported(toy: reconcile.Service, tmp_path: Path) -> None:
    summary = toy.match("2026-10", domain="toy")
    assert summary.matched == {"toy": 2}
    assert {k: v["amounts"] for k, v in summary.breaks_by_kind.items()} == {
        ("toy", "amount_mismatch"): {"USD": 100}, ("toy", "missing_in_erp"): {"USD": 5000}}

    listed = toy.breaks("2026-10", domain="toy").sort("kind")
    assert listed.select("kind", "billing_ids", "erp_ids", "amount").to_dicts() == [
        {"kind": "amount_mismatch", "billing_ids": ["cn_2"], "erp_ids": ["9002"], "amount": 100},
        {"kind": "missing_in_erp", "billing_ids": ["cn_3"], "erp_ids": [], "amount": 5000}]
    assert toy.summary("2026-10").filter(domain="toy").select("billing_total", "erp_total").row(0) == (15000, 9900)
    assert toy.break_detail(listed["id"][0]).erp[0].table == "credit_note"

    cli_rows = json.loads(CliRunner().invoke(cli, ["breaks", "-p", "2026-10", "--domain", "toy", "--format", "json",
                                                    "--workspace", str(toy.ws.path)]).stdout)
    assert sorted(r["kind"] for r in cli_rows) == ["amount_mismatch", "missing_in_erp"]

    out = tmp_path / "wp.xlsx"
    export_workbook(toy, "2026-10", out)
    sheet = openpyxl.load_workbook(out)["Toys"]
    header = [c.value for c in sheet[1]]
    kinds = [row[header.index("kind")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert sorted(k for k in kinds if k != "matched") == ["amount_mismatch", "missing_in_erp"]
    assert kinds.count("matched") == 2  # a pair with an amount break is still a match (as in invoices)


def test_an_unregistered_domain_is_refused_by_name(toy: reconcile.Service) -> None:
    with pytest.raises(ServiceError, match="'nope': not matched by this version"):
        toy.match("2026-10", domain="nope")
