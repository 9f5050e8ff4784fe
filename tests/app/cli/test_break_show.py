"""`tieout break show`: the status, amounts formatted, raw payloads behind --raw, data never read as markup."""

from __future__ import annotations

import json

import polars as pl

from tieout.reconcile.service import Service
from tieout.storage.money import format_amount

PERIOD = "2026-10"


def _amount_break(svc: Service) -> dict:
    return svc.breaks(PERIOD, kind="amount_mismatch", domain="invoice").row(0, named=True)


def test_shows_status_and_formatted_amounts_not_minor_units(svc: Service, tieout) -> None:  # type: ignore[no-untyped-def]
    brk = _amount_break(svc)
    detail = svc.break_detail(brk["id"])
    record = detail.billing[0].fields
    out = tieout("break", "show", brk["id"])
    assert out.exit_code == 0, out.output
    assert "status: open" in out.stdout
    cur = brk["currency"]
    assert f"at stake {format_amount(brk['amount'], cur, code=True)}" in out.stdout
    for name in ("subtotal", "tax", "total"):
        line = next(row for row in out.stdout.splitlines() if row.split("│")[1:2] and
                    row.split("│")[1].strip() == name)
        assert format_amount(record[name], cur, code=True) in line, line
    billing, erp = detail.brk["details"]["amount"]
    assert f"amount: billing {format_amount(billing, cur, code=True)}, ERP {format_amount(erp, cur, code=True)}" \
        in out.stdout


def test_raw_payload_only_with_raw(svc: Service, tieout) -> None:  # type: ignore[no-untyped-def]
    brk = _amount_break(svc)
    payload = svc.break_detail(brk["id"]).billing[0].raw_payload
    marker = json.dumps(payload["id"])  # the Stripe invoice id as the payload spells it: "id": "in_..."
    plain = tieout("break", "show", brk["id"])
    raw = tieout("break", "show", brk["id"], "--raw")
    assert "raw payload of billing" not in plain.stdout and "raw payload of billing" in raw.stdout
    assert f'"id": {marker}' in raw.stdout and f'"id": {marker}' not in plain.stdout
    as_json = json.loads(tieout("break", "show", brk["id"], "--format", "json", "--raw").stdout)
    assert as_json["billing"][0]["raw_payload"] == payload
    assert "raw_payload" not in json.loads(tieout("break", "show", brk["id"], "--format", "json").stdout)["billing"][0]


def test_text_with_square_brackets_is_printed_as_written(svc: Service, tieout) -> None:  # type: ignore[no-untyped-def]
    """Notes, assignees and records may hold anything; Rich must not eat `[bold]` or `[workspace]`."""
    brk = _amount_break(svc)
    svc.add_note(brk["id"], "[bold]check[/bold] the [workspace] ruleset")
    svc.assign(brk["id"], "[workspace]")
    shown = tieout("break", "show", brk["id"])
    assert "[bold]check[/bold] the [workspace] ruleset" in shown.stdout
    assert "assignee [workspace]" in shown.stdout and "status: open" in shown.stdout
    listed = tieout("breaks", "-p", PERIOD, "--assignee", "[workspace]")
    assert listed.exit_code == 0 and "[workspace]" in listed.stdout
    assert tieout("breaks", "-p", PERIOD, "--assignee", "[workspace]", "-f", "json").stdout.count(brk["id"]) == 1

