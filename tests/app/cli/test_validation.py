"""Bad input is refused with one line and a non-zero exit, never answered with an empty list."""

from __future__ import annotations

from pathlib import Path

from tieout.reconcile.service import Service
from tieout.storage.workspace import init_workspace


def _refused(result, code: int, *words: str) -> None:  # type: ignore[no-untyped-def]
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    for word in words:
        assert word in result.output, result.output


def test_breaks_refuses_a_filter_no_break_can_meet(svc: Service, tieout) -> None:  # type: ignore[no-untyped-def]
    _refused(tieout("breaks", "-p", "2026-13"), 1, "2026-13")
    _refused(tieout("breaks", "--kind", "nonsense"), 1, "'nonsense'", "amount_mismatch")
    _refused(tieout("breaks", "-d", "invoice", "--kind", "payout_sum_mismatch"), 1, "in domain invoice")
    _refused(tieout("breaks", "-d", "ledger"), 1, "'ledger'")
    _refused(tieout("breaks", "--status", "closed"), 1, "'closed'", "auto_resolved")
    _refused(tieout("breaks", "--status", "open", "--all"), 2, "--all")


def test_commands_refuse_formats_they_do_not_write(tieout) -> None:  # type: ignore[no-untyped-def]
    _refused(tieout("match", "-p", "2026-10", "-f", "csv"), 2, "csv")
    _refused(tieout("break", "show", "0123456789", "-f", "parquet"), 2, "parquet")


def test_export_of_a_period_without_a_match_run_is_refused(svc: Service, tieout, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "wp.xlsx"
    _refused(tieout("export", "-p", "2026-09", "-o", str(out)), 1, "2026-09 has no match run",
             "tieout match --period 2026-09")
    assert not out.exists()
    assert tieout("export", "-p", "2026-10", "-e", "US", "-o", str(out)).exit_code == 0  # the all-entities run counts
    empty = init_workspace(tmp_path / "empty")
    _refused(tieout("export", "-p", "2026-10", "-f", "csv", "-o", str(tmp_path / "t"), workspace=empty.path), 1,
             "no match run")
