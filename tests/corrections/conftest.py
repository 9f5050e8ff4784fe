"""Corrections end to end: both sandboxes over real HTTP, a synced and matched workspace, two users."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tieout.connectors.sandbox import Faults
from tieout.connectors.sync import sync_sources
from tieout.reconcile.corrections.service import default_connect
from tieout.reconcile.service import Service
from tieout.sample_data.generate import generate
from tieout.storage.workspace import Workspace
from tests.connectors.helpers import FAST, Sandboxes, sandboxes

PERIOD = "2026-10"
MAKER, CHECKER, CHECKER2 = "mia.maker", "carl.checker", "cora.second"


@pytest.fixture(scope="session")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("corrections") / "s50"
    generate(seed=11, invoices=50, out=str(out))
    return out


def sync(ws: Workspace) -> None:
    """Sync the invoice domain one source at a time (in this process: no worker start-up per test)."""
    for name in ("netsuite", "stripe"):
        assert all(r.ok for r in sync_sources(ws, [name], domains=["invoice"], **FAST))


@dataclass
class Books:
    ws: Workspace
    svc: Service
    boxes: Sandboxes

    def brk(self, kind: str, object_type: str = "invoice") -> dict:
        frame = self.svc.breaks(PERIOD, kind=kind)
        rows = [r for r in frame.to_dicts() if r["object_type"] == object_type]
        assert rows, f"no {kind} {object_type} break in the sample"
        return rows[0]

    def resync_and_match(self) -> int:
        sync(self.ws)
        return self.svc.match(PERIOD, domain="invoice").run_id  # type: ignore[return-value]

    def approve_and_push(self, correction_id: int):  # -> PushReport
        self.svc.corrections.approve(correction_id, user=CHECKER)
        plan = self.svc.corrections.plan(PERIOD, user=CHECKER)
        return self.svc.corrections.push(plan.hash, user=CHECKER)


@pytest.fixture
def books(ws: Workspace, sample: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Books]:
    faults = Faults(slow_seconds=1.0)
    with sandboxes(ws, sample, monkeypatch, stripe_faults=Faults(slow_seconds=1.0), netsuite_faults=faults) as boxes:
        sync(ws)
        svc = Service(ws)
        svc.match(PERIOD, domain="invoice")
        svc.corrections.connect = default_connect(ws, read_timeout=0.5, connect_timeout=0.5, backoff_base=0.01,
                                                  rate=10000)
        yield Books(ws, svc, boxes)
