"""Close periods and their sign-off: prepare → review (a different user) → lock.

A locked period refuses changes: every writer of period data calls
:func:`ensure_open` inside its transaction.  ``entity = ""`` is the whole
workspace; locking it locks every entity of the period.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from tieout.storage import audit
from tieout.storage.db import utc_now
from tieout.storage.errors import PeriodError
from tieout.storage.vocabulary import check_period


@dataclass(frozen=True)
class PeriodState:
    period: str
    entity: str
    status: str
    preparer: str | None
    prepared_at: str | None
    reviewer: str | None
    reviewed_at: str | None
    locked_by: str | None
    locked_at: str | None

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


_COLUMNS = "period, entity, status, preparer, prepared_at, reviewer, reviewed_at, locked_by, locked_at"


def get(session: Session, period: str, entity: str | None = None) -> PeriodState:
    """The sign-off state of ``period`` for ``entity`` (open and unsigned if never touched)."""
    row = session.execute(
        text(f"SELECT {_COLUMNS} FROM period WHERE period = :p AND entity = :e"),
        {"p": check_period(period), "e": entity or ""},
    ).first()
    if row is None:
        return PeriodState(period, entity or "", "open", None, None, None, None, None, None)
    return PeriodState(*row)


def list_periods(session: Session) -> list[PeriodState]:
    rows = session.execute(text(f"SELECT {_COLUMNS} FROM period ORDER BY period DESC, entity"))
    return [PeriodState(*row) for row in rows]


def is_locked(session: Session, period: str, entity: str | None = None) -> bool:
    """True if the period is locked for this entity or for the whole workspace.

    Without an entity (work on every entity at once) any entity's lock counts.
    """
    scope = "entity IN ('', :e)" if entity else "1 = 1"
    return (
        session.execute(
            text(f"SELECT 1 FROM period WHERE period = :p AND {scope} AND status = 'locked'"),
            {"p": period, "e": entity or ""},
        ).first()
        is not None
    )


def ensure_open(session: Session, period: str, entity: str | None = None) -> None:
    """Raise :class:`PeriodError` if the period is locked (call before any change to it)."""
    if is_locked(session, period, entity):
        scope = f" for {entity}" if entity else ""
        raise PeriodError(f"period {period}{scope} is locked (signed off); unlock it first with a reason")


def prepare(session: Session, period: str, entity: str | None, user: str) -> PeriodState:
    """The preparer signs: the reconciliation is complete and ready for review."""
    state = get(session, period, entity)
    _refuse_locked(state)
    _save(session, state, preparer=user, prepared_at=utc_now(), reviewer=None, reviewed_at=None)
    return _audited(session, state, "period.prepare", user)


def review(session: Session, period: str, entity: str | None, user: str) -> PeriodState:
    """The reviewer signs; must be a different person from the preparer (maker-checker)."""
    state = get(session, period, entity)
    _refuse_locked(state)
    if not state.preparer:
        raise PeriodError(f"period {period}: nobody has prepared it yet (`tieout period prepare`)")
    if state.preparer == user:
        raise PeriodError(f"period {period}: {user} prepared it, so a different user must review it")
    _save(session, state, reviewer=user, reviewed_at=utc_now())
    return _audited(session, state, "period.review", user)


def lock(session: Session, period: str, entity: str | None, user: str) -> PeriodState:
    """Lock a reviewed period: from now on it refuses changes."""
    state = get(session, period, entity)
    _refuse_locked(state)
    if not state.reviewer:
        raise PeriodError(f"period {period}: it must be prepared and reviewed before it is locked")
    _save(session, state, status="locked", locked_by=user, locked_at=utc_now())
    return _audited(session, state, "period.lock", user)


def unlock(session: Session, period: str, entity: str | None, user: str, reason: str) -> PeriodState:
    """Reopen a locked period; the reason goes into the audit log and the sign-offs are cleared."""
    if not reason.strip():
        raise PeriodError("unlocking a period needs a reason")
    state = get(session, period, entity)
    if state.status != "locked":
        raise PeriodError(f"period {period} is not locked")
    _save(session, state, status="open", locked_by=None, locked_at=None, reviewer=None, reviewed_at=None)
    return _audited(session, state, "period.unlock", user, reason=reason)


def _refuse_locked(state: PeriodState) -> None:
    if state.status == "locked":
        raise PeriodError(f"period {state.period} is locked (signed off by {state.locked_by})")


def _save(session: Session, state: PeriodState, **changes: Any) -> None:
    values = {**state.as_dict(), **changes}
    session.execute(
        text(
            f"INSERT INTO period ({_COLUMNS}) VALUES (:period, :entity, :status, :preparer, :prepared_at, "
            ":reviewer, :reviewed_at, :locked_by, :locked_at) ON CONFLICT(period, entity) DO UPDATE SET "
            "status=excluded.status, preparer=excluded.preparer, prepared_at=excluded.prepared_at, "
            "reviewer=excluded.reviewer, reviewed_at=excluded.reviewed_at, locked_by=excluded.locked_by, "
            "locked_at=excluded.locked_at"
        ),
        values,
    )


def _audited(session: Session, before: PeriodState, action: str, user: str, **extra: Any) -> PeriodState:
    after = get(session, before.period, before.entity)
    audit.record(
        session,
        user=user,
        action=action,
        object_type="period",
        object_id=f"{before.period}/{before.entity or '*'}",
        details={"from": before.status, "to": after.status, **extra},
    )
    return after
