"""Failures of the machine underneath: read-only workspace, full disk, busy port, folder modes.

Each is met with one line naming the file and what to do, never a traceback.
"""

from __future__ import annotations

import hashlib
import os
import resource
import shutil
import signal
import socket
import stat
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tieout.app.cli import cli
from tieout.connectors.sources import add_source
from tieout.connectors.sync import sync_sources
from tieout.reconcile.service import Service
from tieout.storage import audit
from tieout.storage.workspace import DB_NAME, init_workspace, open_workspace

CLI = [sys.executable, "-c", "from tieout.app.cli import main; main()"]
NETSUITE_HEADER = ("Internal ID,Document Number,External ID,Name,Currency,Status,Date,Amount (Foreign Currency),"
                   "Tax Amount (Foreign Currency),Memo\n")


def _run(args: list[str], *, fsize: int | None = None) -> subprocess.CompletedProcess[str]:
    def limit() -> None:  # a file-size limit makes every write past it fail, as a full disk does
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))

    return subprocess.run(CLI + args, capture_output=True, text=True, timeout=300,
                          preexec_fn=limit if fsize else None, env={**os.environ, "TIEOUT_USER": "tester"})


def _one_line_error(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.startswith("error: ")]
    assert len(lines) == 1, proc.stderr
    return lines[0]


@contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """Make a workspace unwritable for this user: modes for a normal user, the immutable flag for root."""
    paths = [folder, *folder.iterdir()]
    if os.geteuid() != 0:
        for path in paths:
            path.chmod(0o500 if path.is_dir() else 0o400)
        try:
            yield
        finally:
            for path in paths:
                path.chmod(0o700 if path.is_dir() else 0o600)
        return
    if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", *map(str, paths)]).returncode != 0:
        pytest.skip("running as root without chattr +i: cannot make a folder read-only")
    try:
        assert not os.access(folder / DB_NAME, os.W_OK)
        yield
    finally:
        subprocess.run(["chattr", "-i", *map(str, paths)], check=True)


def test_read_only_workspace_reads_and_refuses_writes_in_one_line(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws", user="tester")
    Service(ws).match("2026-10")  # a period to export
    folder = ws.path
    ws.close()
    wp = tmp_path / "wp.xlsx"
    with read_only(folder):
        for args in (["breaks"], ["audit", "verify"], ["export", "--period", "2026-10", "--out", str(wp)]):
            result = CliRunner().invoke(cli, [*args, "--workspace", str(folder)])
            assert result.exit_code == 0, (args, result.output)
        assert wp.exists()
        assert "not recorded in its audit log" in result.stderr
        for args in (["period", "prepare", "--period", "2026-10"], ["match", "--period", "2026-10"],
                     ["source", "add", "x", "--kind", "stripe", "--side", "billing"]):
            result = CliRunner().invoke(cli, [*args, "--workspace", str(folder)])
            assert result.exit_code == 1, (args, result.output)
            assert isinstance(result.exception, SystemExit)
            assert result.stderr.startswith("error: ") and "read-only" in result.stderr, (args, result.stderr)
            assert len(result.stderr.strip().splitlines()) == 1
    left = sorted(p.name for p in folder.iterdir() if not p.name.endswith(("-wal", "-shm")))  # pinned: open
    assert left == ["tieout.anchor", "tieout.db", "tieout.lock", "tieout.toml"]


def test_a_sync_that_fills_the_disk_reports_the_disk_and_the_next_run_completes(tmp_path: Path) -> None:
    export = tmp_path / "invoices.csv"
    export.write_text(NETSUITE_HEADER + "".join(
        f"{i},INV{i},in_{i},1000{i},USD,Open,10/01/2026,{i}.25,0.00,{'memo ' * 20}\n" for i in range(1, 3001)))
    ws = init_workspace(tmp_path / "ws", user="tester")
    add_source(ws, "ns-file", kind="file", side="erp", path=str(export), mapping="netsuite-invoices")
    ws.close()
    proc = _run(["sync", "-w", str(ws.path)], fsize=ws.db_path.stat().st_size + 200_000)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    said = " ".join(proc.stderr.split())  # the sync report wraps to the terminal width
    assert "ns-file: FAILED" in said and f"{ws.db_path}: disk I/O error" in said, said
    assert "cannot rollback" not in said.split(" (rollback also failed")[0]
    ws = open_workspace(ws.path)
    with ws.session() as session:
        assert audit.verify(session).ok
    [result] = sync_sources(ws)
    assert result.ok and result.counts["invoice"]["new"] == 3000, result
    ws.close()


def test_exports_to_a_full_disk_name_the_file(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws", user="tester")
    for i in range(1500):  # an audit trail long enough that the workpaper outgrows the size limit below
        ws.audit("break.note", object_type="break", object_id=f"b{i}",
                 details={"period": "2026-10", "note": hashlib.sha256(str(i).encode()).hexdigest()})
    Service(ws).match("2026-10")
    ws.close()
    result = CliRunner().invoke(cli, ["breaks", "--format", "csv", "--out", "/dev/full", "-w", str(ws.path)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert result.stderr.startswith("error: /dev/full: cannot write: No space left on device"), result.stderr
    line = _one_line_error(_run(["export", "--period", "2026-10", "--out", str(tmp_path / "wp.xlsx"),
                                 "-w", str(ws.path)], fsize=64_000))
    assert str(tmp_path / "wp.xlsx") in line and "size limit" in line, line
    assert not list(tmp_path.glob("*.partial")) and not list(tmp_path.glob(".*.partial"))


def test_sandbox_on_a_busy_port_says_so() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(cli, ["sandbox", "stripe", "--port", str(port)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert result.stderr.strip() == f"error: port {port} on 127.0.0.1 is already in use; choose another --port, or --port 0 for any " \
                   "free one"


def test_init_refuses_to_change_an_existing_folders_mode_without_force(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o2775)
    result = CliRunner().invoke(cli, ["init", str(shared)])
    assert result.exit_code == 1
    assert "mode 2775" in result.stderr and "--force" in result.stderr
    assert stat.S_IMODE(shared.stat().st_mode) == 0o2775 and list(shared.iterdir()) == []
    result = CliRunner().invoke(cli, ["init", str(shared), "--force"])
    assert result.exit_code == 0, result.output
    assert f"changed the mode of {shared} from 2775 to 0700" in result.stderr
    assert stat.S_IMODE(shared.stat().st_mode) == 0o700


def test_settings_file_is_owner_only_like_the_database(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    ws.config.name = "renamed"
    ws.save_config()
    ws.close()
    for name in ("tieout.toml", "tieout.db"):
        assert stat.S_IMODE((ws.path / name).stat().st_mode) == 0o600, name
