"""Review actions on breaks: status, note, assignee, manual match and unmatch.

Each action is one transaction that changes the break (or match), appends
to the break's history and writes an audit event; a locked (signed-off)
period refuses every one of them.
"""

from __future__ import annotations

import json
from typing import Any

from tieout.reconcile import domains
from tieout.reconcile.queries import record_view
from tieout.reconcile.rules import load_ruleset
from tieout.storage import audit, periods
from tieout.storage import breaks as store
from tieout.storage.db import utc_now
from tieout.storage.errors import NotFound, ServiceError
from tieout.storage.vocabulary import NEEDS_REASON, REASON_CODES, REVIEW_STATUSES
from tieout.storage.workspace import Workspace


class ReviewActions:
    """What a reviewer does to breaks; ``user`` defaults to the workspace's user."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws

    def set_status(self, break_id: str, status: str, *, reason: str | None = None, note: str | None = None,
                   user: str | None = None) -> None:
        """Move a break to ``status`` (open, investigating, explained, resolved) with a reason code and note."""
        self.bulk_set_status([break_id], status, reason=reason, note=note, user=user)

    def bulk_set_status(self, break_ids: list[str], status: str, *, reason: str | None = None,
                        note: str | None = None, user: str | None = None) -> int:
        """Set the status of several breaks in one transaction; returns how many changed."""
        if status not in REVIEW_STATUSES:
            raise ServiceError(f"status {status!r}: must be one of {', '.join(REVIEW_STATUSES)} "
                               "(auto_resolved is set only by a match run)")
        if reason is not None and reason not in REASON_CODES:
            raise ServiceError(f"reason {reason!r}: unknown reason code (known: {', '.join(REASON_CODES)})")
        if status in NEEDS_REASON and reason is None:
            raise ServiceError(f"status {status!r} needs a reason code (one of {', '.join(REASON_CODES)})")
        user = user or self.ws.user
        changed = 0
        with self.ws.session() as s:
            for break_id in break_ids:
                current = _current(s, break_id)
                store.set_status(s, break_id, status, reason=reason, note=note, now=utc_now())
                store.add_event(s, break_id, user, "status", from_status=current["status"], to_status=status,
                                reason=reason, note=note)
                audit.record(s, user=user, action="break.status", object_type="break", object_id=break_id,
                             details={"period": current["period"], "from": current["status"], "to": status,
                                      "reason": reason, "note": note})
                changed += 1
        return changed

    def add_note(self, break_id: str, note: str, *, user: str | None = None) -> None:
        """Add a note (the break shows the latest; the history keeps every one)."""
        if not note or not note.strip():
            raise ServiceError("a note cannot be empty")
        user = user or self.ws.user
        with self.ws.session() as s:
            current = _current(s, break_id)
            store.set_note(s, break_id, note, utc_now())
            store.add_event(s, break_id, user, "note", note=note)
            audit.record(s, user=user, action="break.note", object_type="break", object_id=break_id,
                         details={"period": current["period"], "note": note})

    def assign(self, break_id: str, assignee: str | None, *, user: str | None = None) -> None:
        """Give the break to ``assignee`` (None: unassigned)."""
        user = user or self.ws.user
        with self.ws.session() as s:
            current = _current(s, break_id)
            store.set_assignee(s, break_id, assignee, utc_now())
            store.add_event(s, break_id, user, "assign", assignee=assignee)
            audit.record(s, user=user, action="break.assign", object_type="break", object_id=break_id,
                         details={"period": current["period"], "from": current["assignee"], "to": assignee})

    def manual_match(self, domain: str, billing_ids: list[str], erp_ids: list[str], *, reason: str,
                     user: str | None = None) -> int:
        """Match chosen records by hand; their open breaks become resolved.  Returns the match id."""
        dom = domains.get(domain)
        if not billing_ids or not erp_ids:
            raise ServiceError("a manual match needs at least one billing and one ERP record")
        if not reason or not reason.strip():
            raise ServiceError("a manual match needs a reason (who decided, and why)")
        user = user or self.ws.user
        conn = self.ws.raw()
        try:
            billing = [record_view(conn, dom, "billing", i) for i in billing_ids]
            erp = [record_view(conn, dom, "erp", i) for i in erp_ids]
        finally:
            conn.close()
        self._refuse_matched(domain, billing_ids, erp_ids)
        currencies = sorted({r.fields["currency"] for r in billing + erp})
        if len(currencies) > 1 and not load_ruleset(self.ws.config.ruleset, base=self.ws.path).domain(
                domain).manual_cross_currency:
            raise ServiceError(f"currencies differ ({', '.join(currencies)}): the ruleset does not allow manual "
                               f"matches across currencies ([{domain}.manual] cross_currency = true would)")
        first = billing[0].fields
        now = utc_now()
        with self.ws.session() as s:
            periods.ensure_open(s, first["posting_period"], first["entity"])
            match_id = store.insert_manual_match(
                s, domain=domain, object_type=billing[0].table, period=first["posting_period"],
                entity=first["entity"], currency=first["currency"], billing_ids=billing_ids, erp_ids=erp_ids,
                billing_amount=sum(r.fields[dom.amount_field] for r in billing),
                erp_amount=sum(r.fields[dom.amount_field] for r in erp),
                user=user, reason=reason, now=now)
            resolved: dict[str, str] = {}  # break id -> its status before (the audit replay checks each)
            for break_id, status, _period in store.breaks_of_records(s, domain, billing_ids, erp_ids):
                store.resolve_by_manual_match(s, break_id, reason, now)
                store.add_event(s, break_id, user, "status", from_status=status, to_status="resolved",
                                reason="manual_match", note=reason)
                resolved[break_id] = status
            audit.record(s, user=user, action="match.manual", object_type="match", object_id=match_id,
                         details={"period": first["posting_period"], "domain": domain, "billing_ids": billing_ids,
                                  "erp_ids": erp_ids, "reason": reason, "breaks": resolved})
        return match_id

    def _refuse_matched(self, domain: str, billing_ids: list[str], erp_ids: list[str]) -> None:
        """A record in an active match (a run's or a manual one) cannot be matched again."""
        for row in store.active_matches(self.ws.db_path, domain).iter_rows(named=True):
            taken = sorted(set(billing_ids) & set(json.loads(row["billing_ids"]))
                           | set(erp_ids) & set(json.loads(row["erp_ids"])))
            if taken and row["manual"]:
                raise ServiceError(f"{', '.join(taken)}: already matched by manual match {row['id']}; "
                                   "unmatch it first")
            if taken:
                raise ServiceError(f"{', '.join(taken)}: already matched by a match run (match {row['id']}); "
                                   "a manual match is for records no rule matched")

    def unmatch(self, match_id: int, *, reason: str, user: str | None = None) -> None:
        """Undo a manual match: breaks it resolved reopen, and the next run treats its records like any others."""
        if not reason or not reason.strip():
            raise ServiceError("unmatching needs a reason")
        user = user or self.ws.user
        with self.ws.session() as s:
            row = store.match_row(s, match_id)
            if row is None:
                raise NotFound(f"match {match_id}: no such match")
            periods.ensure_open(s, row.period, row.entity)
            if not row.manual:
                raise ServiceError(f"match {match_id} was made by a match run; change the rules or re-run instead")
            if not row.active:
                raise ServiceError(f"match {match_id} is already unmatched")
            store.deactivate_match(s, match_id)
            now = utc_now()
            held = manual_ids_of_row(row)
            reopened: list[str] = []
            for break_id, _, _ in store.breaks_of_records(s, row.domain, held["billing"], held["erp"],
                                                           status="resolved"):
                if store.reopen_manually_resolved(s, break_id, now):  # resolved for another reason: stays so
                    store.add_event(s, break_id, user, "status", from_status="resolved", to_status="open",
                                    reason="manual_match", note=f"unmatched: {reason}")
                    reopened.append(break_id)
            audit.record(s, user=user, action="match.unmatch", object_type="match", object_id=match_id,
                         details={"period": row.period, "reason": reason, "breaks": reopened})


def manual_ids_of_row(row: Any) -> dict[str, list[str]]:
    """The record ids of one stored match row (id lists as JSON text)."""
    return {"billing": json.loads(row.billing_ids), "erp": json.loads(row.erp_ids)}


def _current(s: Any, break_id: str) -> dict[str, Any]:
    """The break's current state, refusing any change while its period is locked."""
    state = store.review_state(s, break_id)
    if state is None:
        raise NotFound(f"break {break_id!r}: no such break")
    periods.ensure_open(s, state["period"], state["entity"])
    return state
