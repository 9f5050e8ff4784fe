"""Close periods and their sign-off: prepare → review (a different user) → lock.

A locked period refuses changes: every writer of period data calls
:func:`ensure_open` inside its transaction.  ``entity = ""`` is the whole
workspace; locking it locks every entity of the period.

A close means it: preparing (and reviewing) needs every break of the period
resolved or explained, or carried forward on purpose into the next period
with a reason.  A carried break is open work of the next period too, so that
period cannot be prepared until it is dealt with (or carried again).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from tieout.storage import audit
from tieout.storage.db import utc_now
from tieout.storage.errors import PeriodError
from tieout.storage.vocabulary import OPEN_STATUSES, check_period


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


def next_period(period: str) -> str:
    year, month = map(int, check_period(period).split("-"))
    return f"{year + month // 12}-{month % 12 + 1:02d}"


def open_breaks(session: Session, period: str, entity: str | None) -> list[str]:
    """Ids of the breaks ``period`` must still deal with: its own open ones and open ones carried into it,
    minus those already carried out of it."""
    scope = " AND b.entity = :e" if entity else ""
    rows = session.execute(text(
        f'SELECT b.id FROM "break" b WHERE b.status IN {OPEN_STATUSES!r}{scope} AND ('
        "b.period = :p OR b.id IN (SELECT break_id FROM carry_forward WHERE to_period = :p)) "
        "AND b.id NOT IN (SELECT break_id FROM carry_forward WHERE period = :p) ORDER BY b.amount DESC, b.id"),
        {"p": period, "e": entity})
    return [r[0] for r in rows]


def carry_forward(session: Session, period: str, entity: str | None, user: str, break_ids: list[str],
                  reason: str) -> list[str]:
    """Carry open breaks of ``period`` into the next period, each with an audit event; returns their ids."""
    if not reason or not reason.strip():
        raise PeriodError("carrying breaks forward needs a reason (--reason)")
    still_open = set(open_breaks(session, period, entity))
    unknown = [b for b in break_ids if b not in still_open]
    if unknown:
        raise PeriodError(f"period {period}: break {unknown[0]} is not open in this period; only open breaks "
                          "can be carried forward")
    to_period, now = next_period(period), utc_now()
    for break_id in break_ids:
        session.execute(text("INSERT INTO carry_forward (break_id, period, to_period, reason, user, at) "
                             "VALUES (:b, :p, :t, :r, :u, :now)"),
                        {"b": break_id, "p": period, "t": to_period, "r": reason, "u": user, "now": now})
        session.execute(text("INSERT INTO break_event (break_id, at, user, action, reason, note) "
                             "VALUES (:b, :now, :u, 'carried_forward', NULL, :n)"),
                        {"b": break_id, "now": now, "u": user, "n": f"carried into {to_period}: {reason}"})
        audit.record(session, user=user, action="break.carry_forward", object_type="break", object_id=break_id,
                     details={"period": period, "to_period": to_period, "reason": reason})
    return break_ids


def carried(session: Session, period: str, entity: str | None, *, out_only: bool = False) -> list[dict[str, Any]]:
    """Breaks carried out of ``period`` (direction "out") and, unless ``out_only``, into it ("in")."""
    scope = " AND b.entity = :e" if entity else ""
    into = "" if out_only else " OR c.to_period = :p"
    rows = session.execute(text(
        "SELECT CASE WHEN c.period = :p THEN 'out' ELSE 'in' END AS direction, c.break_id, c.period AS from_period, "
        "c.to_period, c.reason, c.user, c.at, b.kind, b.status, b.currency, b.amount FROM carry_forward c "
        f'JOIN "break" b ON b.id = c.break_id WHERE (c.period = :p{into}){scope} ORDER BY c.id'),
        {"p": period, "e": entity}).mappings()
    return [dict(r) for r in rows]


def _require_closed(session: Session, period: str, entity: str | None, step: str) -> None:
    left = open_breaks(session, period, entity)
    if left:
        shown = ", ".join(left[:3]) + (", ..." if len(left) > 3 else "")
        raise PeriodError(f"period {period}: cannot {step}: {len(left)} break(s) still open ({shown}); resolve or "
                          "explain them, or carry them forward with --carry-forward BREAK_ID or --all-open, "
                          "and --reason")


def prepare(session: Session, period: str, entity: str | None, user: str, *,
            carry: list[str] | None = None, all_open: bool = False, reason: str | None = None) -> PeriodState:
    """The preparer signs: every break is resolved or explained, or carried forward here with a reason."""
    state = get(session, period, entity)
    _refuse_locked(state)
    chosen = open_breaks(session, period, entity) if all_open else list(carry or [])
    if chosen:
        carry_forward(session, period, entity, user, chosen, reason or "")
    elif reason and not (carry or all_open):
        raise PeriodError("--reason goes with --carry-forward BREAK_ID or --all-open")
    _require_closed(session, period, entity, "prepare")
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
    _require_closed(session, period, entity, "review")  # a re-match since the preparation may have opened more
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
