"""Support for the corrections tests: both sandboxes over real HTTP, a synced and matched workspace, users."""

from __future__ import annotations

from dataclasses import dataclass

from tieout.connectors.sync import sync_sources
from tieout.reconcile.service import Service
from tieout.storage.workspace import Workspace
from tests.connectors.helpers import FAST, Sandboxes

PERIOD = "2026-10"
MAKER, CHECKER, CHECKER2 = "mia.maker", "carl.checker", "cora.second"


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
