"""Close work: sync the sources, then match a period — the one place both happen, for the CLI and the app.

Every state change writes an audit event in the same transaction as the change.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import polars as pl

from tieout.reconcile import domains
from tieout.reconcile.inputs import fingerprint, without_manual
from tieout.reconcile.rules import Ruleset, load_ruleset
from tieout.storage import breaks as store
from tieout.storage import periods
from tieout.storage.db import utc_now
from tieout.storage.errors import PeriodError, ServiceError, SyncFailed
from tieout.storage.vocabulary import check_period
from tieout.storage.workspace import Workspace

Report = Callable[..., None]
"""``report(text, fraction=None)``: one line of progress, ``fraction`` of the sources done in 0..1."""


@dataclass
class MatchSummary:
    """What a match run found, per domain: matched counts, and breaks by kind with their amounts per currency."""

    run_id: int | None  # the last domain's run (each domain's run is in ``run_ids``)
    period: str
    entity: str | None
    domain: str | None
    matched: dict[str, int] = field(default_factory=dict)
    run_ids: dict[str, int] = field(default_factory=dict)  # domain -> its match run
    breaks_by_kind: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    ruleset_hash: str = ""
    input_fingerprint: str = ""
    timings: dict[str, float] = field(default_factory=dict)  # seconds per phase: load, match, persist

    @property
    def runs(self) -> str:
        """``#1 invoice, #2 payment``: each domain's match run, for a one-line report."""
        return ", ".join(f"#{run} {dom}" for dom, run in self.run_ids.items())

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly: break keys become "domain/kind"."""
        data = asdict(self)
        data["breaks_by_kind"] = {f"{d}/{k}": v for (d, k), v in self.breaks_by_kind.items()}
        return data


class CloseWork:
    """Sync and match runs of one workspace."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws

    def ruleset(self) -> Ruleset:
        """The workspace's ruleset (tieout.toml ``[workspace] ruleset``), else the default one."""
        return load_ruleset(self.ws.config.ruleset, base=self.ws.path)

    def match(self, period: str, *, entity: str | None = None, domain: str | None = None, dry_run: bool = False,
              user: str | None = None) -> MatchSummary:
        """Match one period (optionally one entity / domain) and store matches and breaks."""
        try:
            check_period(period)
        except PeriodError as exc:
            raise ServiceError(str(exc)) from None
        self.ws.check_entity(entity)
        ruleset = self.ruleset()
        # all domains: those the ruleset has rules for (a workspace ruleset may cover only some)
        chosen = domains.select(domain) if domain else tuple(d for d in domains.matched() if d.name in ruleset.domains)
        user = user or self.ws.user
        if not dry_run:
            with self.ws.session() as s:
                periods.ensure_open(s, period, entity)  # a signed-off period's breaks stay as signed
        summary = MatchSummary(run_id=None, period=period, entity=entity, domain=domain, ruleset_hash=ruleset.hash)
        for dom in chosen:
            started = utc_now()
            rules = ruleset.domain(dom.name)
            clock = time.perf_counter()
            manual = store.manual_matches(self.ws.db_path, dom.name)
            frame = without_manual(dom.load(self.ws.db_path, period, entity), manual)
            summary.input_fingerprint = fingerprint(frame, manual)
            clock = _lap(summary.timings, "load", clock)
            outcome = dom.reconcile(frame, rules)
            clock = _lap(summary.timings, "match", clock)
            summary.matched[dom.name] = outcome.matches.height
            for row in (outcome.breaks.group_by("kind", "currency").agg(pl.len().alias("n"), pl.col("amount").sum())
                        .sort("kind", "currency").iter_rows(named=True)):
                entry = summary.breaks_by_kind.setdefault((dom.name, row["kind"]), {"count": 0, "amounts": {}})
                entry["count"] += row["n"]
                entry["amounts"][row["currency"] or ""] = int(row["amount"] or 0)
            if dry_run:
                continue
            scope = store.Scope(period, entity, dom.name)
            stored = store.stored_matches(self.ws.db_path, scope)
            with self.ws.transaction() as conn:
                summary.run_id = store.save_run(
                    conn, scope=scope, user=user, started_at=started, stored=stored,
                    ruleset_hash=ruleset.hash, fingerprint=summary.input_fingerprint,
                    summary={"matched": outcome.matches.height, "breaks": outcome.breaks.height,
                             "by_kind": {k: v for (d, k), v in summary.breaks_by_kind.items() if d == dom.name}},
                    matches=outcome.matches, breaks=outcome.breaks)
            summary.run_ids[dom.name] = summary.run_id
            _lap(summary.timings, "persist", clock)
        return summary

    def can_sync(self) -> bool:
        """Whether the workspace has sources to sync."""
        return bool(self.ws.config.sources)

    def sync(self, report: Report) -> None:
        """Sync every configured source (secrets from env/keyring); raises :class:`SyncFailed` naming each failure."""
        from tieout.connectors.sync import Progress, sync_sources  # the app starts without the connector stack

        names = sorted(self.ws.config.sources)
        if not names:
            raise SyncFailed("no sources configured: add them with `tieout source add`")

        def on_page(p: Progress) -> None:
            done = names.index(p.source) / len(names) if p.source in names else None
            report(f"{p.source}: {p.object_type} · page {p.pages} · {p.records:,} records · {p.seconds:.1f} s", done)

        results = sync_sources(self.ws, names, on_page)
        for r in results:
            report(f"{r.source}: {r.records:,} records in {r.seconds:.1f} s" if r.ok
                   else f"{r.source}: FAILED: {r.error}", 1.0)
        failed = [f"{r.source} ({r.error})" for r in results if not r.ok]
        if failed:
            raise SyncFailed(f"sync failed for {', '.join(failed)}; nothing was re-matched")

    def sync_and_match(self, period: str, report: Report, *, entity: str | None = None,
                       user: str | None = None) -> MatchSummary:
        """Sync every source, then re-match the period (nothing is matched if a source failed)."""
        self.sync(report)
        report("matching…", None)
        return self.match(period, entity=entity, user=user)


def _lap(timings: dict[str, float], phase: str, since: float) -> float:
    now = time.perf_counter()
    timings[phase] = timings.get(phase, 0.0) + round(now - since, 3)
    return now
