"""Sync every configured source of a workspace, reporting progress as text (for the app and the demo)."""

from __future__ import annotations

from collections.abc import Callable

from tieout.connectors.sync import Progress, sync_sources
from tieout.storage.errors import TieoutError
from tieout.storage.workspace import Workspace

Report = Callable[..., None]
"""``report(text, fraction=None)``: one line of progress, ``fraction`` of sources done in 0..1."""


class SyncFailed(TieoutError):
    """At least one source failed to sync; the message names each one and why."""


def sync_all(ws: Workspace) -> Callable[[Report], None]:
    """A function that syncs every source of ``ws`` (secrets from env/keyring) and raises if any failed."""

    def run(report: Report) -> None:
        names = sorted(ws.config.sources)
        if not names:
            raise SyncFailed("no sources configured: add them with `tieout source add`")

        def on_page(p: Progress) -> None:
            done = names.index(p.source) / len(names) if p.source in names else None
            report(f"{p.source}: {p.object_type} · page {p.pages} · {p.records:,} records · {p.seconds:.1f} s", done)

        results = sync_sources(ws, names, on_page)
        for r in results:
            report(f"{r.source}: {r.records:,} records in {r.seconds:.1f} s" if r.ok
                   else f"{r.source}: FAILED: {r.error}", 1.0)
        failed = [f"{r.source} ({r.error})" for r in results if not r.ok]
        if failed:
            raise SyncFailed(f"sync failed for {', '.join(failed)}; nothing was re-matched")

    return run
