"""The review app shows the exception queue: records a sync could not map are never out of sight."""

from __future__ import annotations

from textual.widgets import Static

from tieout.app.tui.app import TieoutApp
from tieout.reconcile.service import Service
from tieout.storage.ingest import ensure_source, start_sync_run
from tieout.storage.quarantine import Rejected, settle
from .pilot import until
from tests.support import SAMPLE_PERIOD as PERIOD


async def test_dashboard_names_the_exception_queue(svc: Service) -> None:
    app = TieoutApp(svc, period=PERIOD)
    async with app.run_test(size=(160, 50)) as pilot:
        headline = await until(pilot, lambda: "Match run #" in str(app.screen.query_one("#headline", Static).render())
                               and app.screen.query_one("#headline", Static), "the dashboard")
        assert "exception queue" not in str(headline.render())
    conn = svc.ws.raw()
    conn.execute("BEGIN IMMEDIATE")
    source = ensure_source(conn, "netsuite", "netsuite", "erp")
    settle(conn, source, start_sync_run(conn, source), [],
           [Rejected("invoice", "1000001", {"id": "1000001", "foreigntotal": "514.275"}, "too many decimals")])
    conn.execute("COMMIT")
    conn.close()
    app = TieoutApp(svc, period=PERIOD)
    async with app.run_test(size=(160, 50)) as pilot:
        await until(pilot, lambda: "exception queue" in str(app.screen.query_one("#headline", Static).render()),
                    "the exception queue on the dashboard")
        assert "1 source record(s) could not be mapped" in str(app.screen.query_one("#headline", Static).render())
