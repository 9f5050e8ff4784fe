"""Output to a pipe or a file is not cut to the terminal's width: `tieout breaks | cat` shows whole values."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from tieout.app.cli import cli
from tieout.reconcile.service import Service
from tieout.storage.money import format_amount

PERIOD = "2026-10"


def test_piped_table_keeps_full_values(svc: Service) -> None:
    """CliRunner's stdout is not a terminal, like a pipe; COLUMNS=80 is the terminal around it."""
    out = CliRunner().invoke(cli, ["breaks", "-p", PERIOD, "-w", str(svc.ws.path)], env={"COLUMNS": "80"})
    assert out.exit_code == 0, out.output
    assert "…" not in out.stdout
    top = svc.breaks(PERIOD, status="open").row(0, named=True)
    line = next(row for row in out.stdout.splitlines() if top["id"] in row)
    assert format_amount(top["amount"], top["currency"], code=True) in line
    assert ", ".join(top["billing_ids"]) in line and len(line) > 80


def test_table_written_to_a_file_is_not_cut(svc: Service, tieout, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    note = "posted in November by the AP team after the supplier re-issued the document; " * 4
    svc.add_note(svc.breaks(PERIOD)["id"][0], note.strip())
    out = tmp_path / "audit.txt"
    assert tieout("audit", "log", "--limit", "1", "--out", str(out)).exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert note.strip() in text and "…" not in text
