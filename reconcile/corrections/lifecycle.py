"""The correction lifecycle and its maker-checker rule, enforced here (not in the UI).

    draft → proposed → approved → pushed
                               ↘ failed (retryable: pushed again under a plan) → pushed
    draft | proposed | approved | failed → cancelled (rejected, or withdrawn)

Every transition writes an audit event ``correction.<action>`` with the
period, the states before and after and who did it, in the transaction of
the change, so replaying the audit log replays each correction's history.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from tieout.reconcile.corrections.types import CorrectionError, Policy
from tieout.storage import audit, periods
from tieout.storage import corrections as store
from tieout.storage.db import utc_now

STATUSES = ("draft", "proposed", "approved", "pushed", "failed", "cancelled")
TRANSITIONS: dict[str, frozenset[str]] = {
    "draft": frozenset({"proposed", "cancelled"}),
    "proposed": frozenset({"approved", "cancelled"}),
    "approved": frozenset({"pushed", "failed", "cancelled"}),
    "failed": frozenset({"pushed", "failed", "cancelled"}),
    "pushed": frozenset(),
    "cancelled": frozenset(),
}


def require(session: Session, correction_id: int) -> dict[str, Any]:
    row = store.get(session, correction_id)
    if row is None:
        raise CorrectionError(f"correction {correction_id}: no such correction")
    return row


def move(session: Session, row: dict[str, Any], to: str, *, user: str, action: str, **changes: Any) -> None:
    """Change the status (and other columns) of ``row`` with its audit event; refuses an illegal step."""
    if to not in TRANSITIONS[row["status"]]:
        raise CorrectionError(f"correction {row['id']} is {row['status']}; it cannot become {to}")
    store.update(session, row["id"], status=to, **changes)
    record(session, row, user=user, action=action, to=to, **{k: v for k, v in changes.items()
                                                              if k in ("reason", "checker", "checker2", "plan_hash",
                                                                       "target_id", "attempts")})


def record(session: Session, row: dict[str, Any], *, user: str, action: str, to: str | None = None,
           **details: Any) -> None:
    """An audit event about one correction (a transition, or a finding such as a lookup)."""
    audit.record(session, user=user, action=f"correction.{action}", object_type="correction", object_id=row["id"],
                 details={"period": row["period"], "break_id": row["break_id"], "type": row["action"],
                          "from": row["status"], "to": to or row["status"], **details})


def approve(session: Session, correction_id: int, user: str, policy: Policy) -> dict[str, Any]:
    """Approve as ``user``: never the maker; above the workspace threshold, two different approvers."""
    row = require(session, correction_id)
    if row["status"] != "proposed":
        raise CorrectionError(f"correction {correction_id} is {row['status']}; only a proposed one can be approved")
    periods.ensure_open(session, row["period"], row["entity"])
    if user == row["maker"]:
        raise CorrectionError(f"correction {correction_id}: {user} proposed it, so a different user must approve it")
    now = utc_now()
    if policy.needs_second_approver(row["amount"], row["currency"]):
        if row["checker"] is None:
            store.update(session, correction_id, checker=user, approved_at=now)
            record(session, row, user=user, action="approve", checker=user, second_approver_needed=True)
            return require(session, correction_id)
        if user == row["checker"]:
            raise CorrectionError(f"correction {correction_id}: {user} approved it already; above the threshold a "
                                  "second, different user must approve it")
        move(session, row, "approved", user=user, action="approve", checker2=user, approved2_at=now)
    else:
        move(session, row, "approved", user=user, action="approve", checker=user, approved_at=now)
    return require(session, correction_id)


def reject(session: Session, correction_id: int, user: str, reason: str) -> dict[str, Any]:
    """Reject (checker) or withdraw (maker) a correction that has not been pushed; the reason is kept."""
    if not reason or not reason.strip():
        raise CorrectionError("rejecting a correction needs a reason (--reason)")
    row = require(session, correction_id)
    periods.ensure_open(session, row["period"], row["entity"])
    move(session, row, "cancelled", user=user, action="reject", reason=reason)
    return require(session, correction_id)
