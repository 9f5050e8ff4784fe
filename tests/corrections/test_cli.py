"""`tieout correct …` as people and schedulers use it, and a push killed between sending and recording."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from typer.testing import CliRunner

from tieout.app.cli import cli
from tests.corrections.books import CHECKER, MAKER, PERIOD, Books


def run(books: Books, user: str, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["correct", *args, "-w", str(books.ws.path)], env={"TIEOUT_USER": user})
    return result.exit_code, result.stdout, result.stderr


def test_propose_list_approve_plan_dry_run_push(books: Books) -> None:
    brk = books.brk("missing_in_erp")
    code, out, _ = run(books, MAKER, "propose", brk["id"][:10], "--note", "create it")  # a unique prefix will do
    assert code == 0 and "create_erp_document" in out and "PUT /services/rest/record/v1/invoice/eid:" in out
    code, out, _ = run(books, MAKER, "list", "--status", "proposed", "--format", "json")
    (row,) = json.loads(out)
    assert row["maker"] == MAKER and row["status"] == "proposed" and row["break_id"] == brk["id"]
    code, _, err = run(books, MAKER, "approve", str(row["id"]))
    assert code == 1 and err.strip().count("\n") == 0 and "different user must approve" in err
    assert run(books, CHECKER, "approve", str(row["id"]))[0] == 0
    code, out, _ = run(books, CHECKER, "plan", "--period", PERIOD)
    plan_hash = out.strip().splitlines()[-1]
    assert code == 0 and len(plan_hash) == 64
    written = json.loads((books.ws.path / "plans" / f"{plan_hash}.json").read_text())
    assert written["corrections"][0]["request"]["method"] == "PUT"
    before = books.boxes.netsuite.requests
    code, out, _ = run(books, CHECKER, "push", "--plan", plan_hash, "--dry-run")
    assert code == 0 and "nothing sent" in out and books.boxes.netsuite.requests == before
    code, out, _ = run(books, CHECKER, "push", "--plan", plan_hash[:12])
    assert code == 0 and "1 pushed, 0 failed" in out
    code, _, err = run(books, CHECKER, "reject", str(row["id"]), "--reason", "too late")
    assert code == 1 and "pushed; it cannot become cancelled" in err


def test_crash_between_sending_and_recording_is_found_by_the_next_push(
    books: Books, monkeypatch: pytest.MonkeyPatch
) -> None:
    brk = books.brk("missing_in_erp")
    correction = books.svc.corrections.propose(brk["id"], user=MAKER)
    books.svc.corrections.approve(correction["id"], user=CHECKER)
    plan = books.svc.corrections.plan(PERIOD, user=CHECKER)
    # the write is applied, then the answer stalls; the pushing process is killed while it waits
    books.boxes.netsuite.faults.slow_seconds = 30
    books.boxes.netsuite.faults.rates = {"write_timeout": 1.0}
    env = {**os.environ, "TIEOUT_USER": CHECKER}
    proc = subprocess.Popen([sys.executable, "-c", "from tieout.app.cli import main; main()", "correct", "push",
                             "--plan", plan.hash, "-w", str(books.ws.path)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not [t for t in books.boxes.netsuite.tables["transaction"] if t.get("externalid") == brk["billing_ids"][0]]:
            assert time.monotonic() < deadline and proc.poll() is None, "the push never reached the sandbox"
            time.sleep(0.05)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    books.boxes.netsuite.faults.rates = {}
    left = books.svc.corrections.get(correction["id"])
    assert left["status"] == "approved" and left["outcome_unknown"] is True and left["attempts"] == 1
    report = books.svc.corrections.push(plan.hash, user=CHECKER)
    assert report.outcomes[0].status == "pushed" and report.outcomes[0].found_by_lookup
    assert len([t for t in books.boxes.netsuite.tables["transaction"]
                if t.get("externalid") == brk["billing_ids"][0]]) == 1
    assert books.svc.corrections.get(correction["id"])["attempts"] == 1  # found, not sent again
