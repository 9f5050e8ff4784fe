"""The corrections service: propose, approve, reject, list, plan and push (``svc.corrections``).

The CLI and the app call this; every rule (maker-checker, a locked period
refuses corrections, one live correction per break) is enforced here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import polars as pl

from tieout.connectors.base import Connector
from tieout.reconcile.corrections import lifecycle
from tieout.reconcile.corrections import plan as plans
from tieout.reconcile.corrections.push import Outcome, Pusher, PushReport
from tieout.reconcile.corrections.types import CorrectionError, Policy, Spec, default_type, type_named
from tieout.storage import corrections as store
from tieout.storage import periods
from tieout.storage.db import utc_now
from tieout.storage.vocabulary import SETTLED_STATUSES
from tieout.storage.workspace import Workspace

import tieout.reconcile.corrections.invoice  # noqa: F401  (registers the invoice domain's types)

BreakDetailFn = Callable[[str], Any]  # Service.break_detail


@dataclass
class _Facts:
    brk: dict[str, Any]
    billing: list[Any]
    erp: list[Any]
    key: str
    policy: Policy
    note: str | None
    ws: Workspace
    session: Any

    def billing_lines(self, table: str, parent_ref: str) -> list[dict[str, Any]]:
        return store.billing_lines(self.session, table, parent_ref)

    def erp_customer(self, billing_customer: str) -> str | None:
        return store.erp_customer_for(self.session, billing_customer)

    def subsidiary(self, entity: str | None) -> str:
        sub = (self.ws.config.entities.get(entity or "") or {}).get("netsuite_subsidiary")
        if sub is None:
            raise CorrectionError(f"entity {entity!r} has no netsuite_subsidiary in tieout.toml [entities]")
        return str(sub)

    def erp_source(self) -> str:
        if self.policy.erp_source:
            return self.policy.erp_source
        erp = sorted(n for n, s in self.ws.config.sources.items() if s.get("side") == "erp" and s.get("kind") != "file")
        if len(erp) != 1:
            raise CorrectionError("which ERP source takes new documents? set [corrections] erp_source in tieout.toml "
                                  f"(ERP sources: {', '.join(erp) or 'none'})")
        return erp[0]


def default_connect(ws: Workspace, **overrides: float) -> Callable[[str], Connector]:
    """Open a source's connector by name (secret from env/keyring); ``overrides`` tune timeouts for tests."""
    from tieout.connectors.credentials import require_secret
    from tieout.connectors.registry import MapContext
    from tieout.connectors.sources import settings_for
    from tieout.connectors.sync import make_connector

    def connect(name: str) -> Connector:
        settings = settings_for(ws, name)
        for key, value in overrides.items():
            setattr(settings, key, value)
        return make_connector(settings, require_secret(name), MapContext.from_config(ws.config.entities,
                                                                                     settings.entity))
    return connect


class CorrectionService:
    def __init__(self, ws: Workspace, break_detail: BreakDetailFn,
                 connect: Callable[[str], Connector] | None = None) -> None:
        self.ws = ws
        self._detail = break_detail
        self.connect = connect or default_connect(ws)

    @property
    def policy(self) -> Policy:
        return Policy.from_config(self.ws.config.corrections)

    def _key(self, correction_id: int) -> str:
        """The correction's idempotency key: the workspace's name and the correction id (eid-safe)."""
        slug = re.sub(r"[^A-Za-z0-9_-]+", "-", self.ws.config.name).strip("-")[:40] or "ws"
        return f"tieout-{slug}-c{correction_id}"

    # ------------------------------------------------------------ maker

    def propose(self, break_id: str, *, type_: str | None = None, note: str | None = None,
                user: str | None = None) -> dict[str, Any]:
        """Propose a correction for a break: its type's default unless ``type_``; stores the exact request
        and, for a change to an existing record, the record's lastModifiedDate as read now."""
        user = user or self.ws.user
        policy = self.policy
        with self.ws.session() as s:
            brk = store.break_row(s, break_id)
            if brk is None:
                raise CorrectionError(f"break {break_id!r}: no such break")
            periods.ensure_open(s, brk["period"], brk["entity"])
            if brk["status"] in SETTLED_STATUSES:
                raise CorrectionError(f"break {break_id} is {brk['status']}; nothing to correct")
            live = store.live_for_break(s, break_id)
            if live:
                raise CorrectionError(f"break {break_id} already has correction {live[0]} under way; "
                                      "reject it first")
        ctype = type_named(type_, brk["domain"]) if type_ else default_type(brk["domain"], brk["kind"])
        detail = self._detail(break_id)
        with self.ws.session() as s:
            self._build(s, brk, detail, ctype.build, "tieout-check", policy, note)  # refuse before anything is kept
        with self.ws.session() as s:
            correction_id = store.insert(s, {
                "break_id": break_id, "domain": brk["domain"], "period": brk["period"], "entity": brk["entity"],
                "action": ctype.name, "status": "draft", "maker": user, "proposed_at": utc_now(), "note": note,
                "payload": "{}", "expect": "{}", "attempts": 0, "outcome_unknown": False, "retryable": True})
            lifecycle.record(s, lifecycle.require(s, correction_id), user=user, action="draft")
        key = self._key(correction_id)
        with self.ws.session() as s:
            spec = self._build(s, brk, detail, ctype.build, key, policy, note)
        modified = self._modified(spec)
        with self.ws.session() as s:
            row = lifecycle.require(s, correction_id)
            lifecycle.move(s, row, "proposed", user=user, action="propose", payload=_json(spec.request_json()),
                           expect=_json(spec.expect), target_path=spec.target_path, target_modified=modified,
                           target_ref=spec.target_ref, amount=spec.amount, currency=spec.currency,
                           idempotency_key=key, source_id=store.source_id(s, spec.source) if spec.source else None)
            return lifecycle.require(s, correction_id)

    def _build(self, s: Any, brk: dict[str, Any], detail: Any, build: Callable[[Any], Spec], key: str,
               policy: Policy, note: str | None) -> Spec:
        facts = _Facts(brk=brk, billing=detail.billing, erp=detail.erp, key=key, policy=policy, note=note,
                       ws=self.ws, session=s)
        return build(facts)

    def _modified(self, spec: Spec) -> str | None:
        """The target's lastModifiedDate now, for a change to an existing record."""
        if not spec.stale_check or spec.source is None or spec.target_path is None:
            return None
        connector = self.connect(spec.source)
        try:
            record = connector.read(spec.target_path)
            if record is None:
                raise CorrectionError(f"{spec.source}: {spec.target_path} is not there; sync and match again")
            modified = connector.modified_at(record)
        finally:
            connector.close()
        if modified is None:
            raise CorrectionError(f"{spec.source}: {spec.target_path} has no lastModifiedDate to guard the write")
        return modified

    # ------------------------------------------------------------ checker

    def approve(self, correction_id: int, *, user: str | None = None) -> dict[str, Any]:
        with self.ws.session() as s:
            return lifecycle.approve(s, correction_id, user or self.ws.user, self.policy)

    def reject(self, correction_id: int, *, reason: str, user: str | None = None) -> dict[str, Any]:
        with self.ws.session() as s:
            return lifecycle.reject(s, correction_id, user or self.ws.user, reason)

    # ------------------------------------------------------------ reads

    def get(self, correction_id: int) -> dict[str, Any]:
        with self.ws.session() as s:
            return lifecycle.require(s, correction_id)

    def list(self, *, status: str | None = None, period: str | None = None) -> pl.DataFrame:
        if status is not None and status not in lifecycle.STATUSES:
            raise CorrectionError(f"status {status!r}: one of {', '.join(lifecycle.STATUSES)}")
        return store.list_frame(self.ws.db_path, status=status, period=period)

    # ------------------------------------------------------------ plan and push

    def plan(self, period: str | None = None, *, user: str | None = None) -> plans.Plan:
        """Plan and sign every approved correction (of ``period``): the signer's name goes into the audit chain."""
        if period is not None:
            periods.check_period(period)
        with self.ws.session() as s:
            return plans.make_and_sign(s, period, user or self.ws.user)

    def signed_plan(self, plan_hash: str) -> plans.Plan:
        with self.ws.session() as s:
            return plans.load_signed(s, plan_hash)

    def push(self, plan_hash: str, *, dry_run: bool = False, user: str | None = None,
             progress: Callable[[Outcome, int, int], None] | None = None) -> PushReport:
        """Push exactly the signed plan (refused if anything in it changed); ``dry_run`` sends nothing."""
        plan = self.signed_plan(plan_hash)
        report = PushReport(plan.hash)
        if dry_run:
            return report
        pusher = Pusher(self.ws, self.connect, user or self.ws.user, plan.hash)
        try:
            for n, entry in enumerate(plan.entries, 1):
                outcome = pusher.push(entry["id"])
                report.outcomes.append(outcome)
                if progress:
                    progress(outcome, n, len(plan.entries))
        finally:
            pusher.close()
        return report


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)
