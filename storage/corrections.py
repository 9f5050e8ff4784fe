"""SQL of corrections, signed plans and the breaks a pushed correction resolves.

Rows go in and out as plain dicts; the lifecycle rules live in
:mod:`reconcile.corrections`.  Every writer here runs inside the caller's
transaction, next to the audit event that describes the change.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import text
from sqlmodel import Session

from tieout.storage.db import read_frame
from tieout.storage.vocabulary import SETTLED_STATUSES

COLUMNS = ["id", "break_id", "source_id", "domain", "period", "entity", "action", "target_ref", "payload", "expect",
           "target_path", "target_modified", "currency", "amount", "note", "status", "maker", "proposed_at",
           "checker", "approved_at", "checker2", "approved2_at", "pushed_at", "idempotency_key", "attempts",
           "outcome_unknown", "retryable", "reason", "target_id", "plan_hash", "result"]
LIST_COLUMNS = ["id", "break_id", "domain", "period", "entity", "action", "status", "currency", "amount", "maker",
                "checker", "checker2", "source", "target_ref", "target_id", "attempts", "reason", "plan_hash",
                "proposed_at", "approved_at", "pushed_at"]
_INT = {"id", "source_id", "amount", "attempts"}
_BOOL = {"outcome_unknown", "retryable"}


def insert(session: Session, values: dict[str, Any]) -> int:
    names = sorted(values)
    result = session.execute(
        text(f"INSERT INTO correction ({', '.join(names)}) VALUES ({', '.join(':' + n for n in names)})"), values)
    return int(result.lastrowid)  # type: ignore[attr-defined]


def update(session: Session, correction_id: int, **changes: Any) -> None:
    sets = ", ".join(f"{name} = :{name}" for name in sorted(changes))
    session.execute(text(f"UPDATE correction SET {sets} WHERE id = :_id"), {**changes, "_id": correction_id})


def get(session: Session, correction_id: int) -> dict[str, Any] | None:
    row = session.execute(
        text(f"SELECT c.{', c.'.join(COLUMNS)}, s.name AS source FROM correction c "
             "LEFT JOIN source s ON s.id = c.source_id WHERE c.id = :id"), {"id": correction_id}).mappings().first()
    return _typed(row) if row else None


def by_ids(session: Session, ids: list[int]) -> list[dict[str, Any]]:
    return [row for i in sorted(ids) if (row := get(session, i)) is not None]


def plannable(session: Session, period: str | None) -> list[dict[str, Any]]:
    """Corrections ready to push, oldest first: approved ones and failed ones that may be retried."""
    sql = ("SELECT id FROM correction WHERE (status = 'approved' OR (status = 'failed' AND retryable = 1))"
           + (" AND period = :p" if period else "") + " ORDER BY id")
    ids = [r[0] for r in session.execute(text(sql), {"p": period})]
    return by_ids(session, ids)


def live_for_break(session: Session, break_id: str) -> list[int]:
    """Ids of the break's corrections still under way (not pushed, not cancelled)."""
    rows = session.execute(text("SELECT id FROM correction WHERE break_id = :b AND status NOT IN "
                                "('pushed', 'cancelled') ORDER BY id"), {"b": break_id})
    return [r[0] for r in rows]


def source_id(session: Session, name: str) -> int | None:
    row = session.execute(text("SELECT id FROM source WHERE name = :n"), {"n": name}).first()
    return int(row[0]) if row else None


def break_row(session: Session, break_id: str) -> dict[str, Any] | None:
    row = session.execute(text('SELECT id, domain, object_type, kind, status, period, entity, currency, amount, '
                               'billing_ids, erp_ids, details FROM "break" WHERE id = :id'),
                          {"id": break_id}).mappings().first()
    return dict(row) if row else None


def billing_lines(session: Session, table: str, parent_ref: str) -> list[dict[str, Any]]:
    """The billing-side lines of an invoice (``invoice_line``) or credit note (``credit_note_line``)."""
    parent = "invoice_ref" if table == "invoice_line" else "credit_note_ref"
    order = "line_no, external_id" if table == "invoice_line" else "external_id"
    rows = session.execute(text(f"SELECT * FROM {table} WHERE side = 'billing' AND {parent} = :p ORDER BY {order}"),
                           {"p": parent_ref}).mappings()
    return [dict(r) for r in rows]


def erp_customer_for(session: Session, billing_customer: str) -> str | None:
    """The ERP customer's external id whose counterpart is this billing customer."""
    row = session.execute(text("SELECT external_id FROM customer WHERE side = 'erp' AND counterpart_ref = :c "
                               "ORDER BY id LIMIT 1"), {"c": billing_customer}).first()
    return row[0] if row else None


def resolve_break(session: Session, break_id: str, *, user: str, now: str, note: str) -> str | None:
    """Mark the break resolved as fixed in the source; returns its previous status (None if already closed)."""
    row = session.execute(text('SELECT status FROM "break" WHERE id = :id'), {"id": break_id}).first()
    if row is None or row[0] in SETTLED_STATUSES:
        return None
    session.execute(text("UPDATE \"break\" SET status = 'resolved', reason = 'fixed_in_source', note = :n, "
                         "updated_at = :now, resolved_at = :now WHERE id = :id"),
                    {"n": note, "now": now, "id": break_id})
    session.execute(text("INSERT INTO break_event (break_id, at, user, action, from_status, to_status, reason, note) "
                         "VALUES (:b, :now, :u, 'status', :f, 'resolved', 'fixed_in_source', :n)"),
                    {"b": break_id, "now": now, "u": user, "f": row[0], "n": note})
    return str(row[0])


def save_plan(session: Session, *, plan_hash: str, period: str | None, body: str, user: str, now: str) -> None:
    session.execute(text("INSERT INTO correction_plan (hash, period, body, signed_by, signed_at) "
                         "VALUES (:h, :p, :b, :u, :now) ON CONFLICT(hash) DO NOTHING"),
                    {"h": plan_hash, "p": period, "b": body, "u": user, "now": now})


def get_plan(session: Session, plan_hash: str) -> dict[str, Any] | None:
    row = session.execute(text("SELECT hash, period, body, signed_by, signed_at FROM correction_plan "
                               "WHERE hash = :h"), {"h": plan_hash}).mappings().first()
    return dict(row) if row else None


def plan_signers(session: Session, plan_hash: str) -> list[str]:
    """Who signed this plan, as the audit chain records it."""
    rows = session.execute(text("SELECT user FROM audit_event WHERE action = 'correction.plan.sign' "
                                "AND object_type = 'correction_plan' AND object_id = :h ORDER BY id"), {"h": plan_hash})
    return [r[0] for r in rows]


def plans_matching(session: Session, prefix: str) -> list[str]:
    rows = session.execute(text("SELECT hash FROM correction_plan WHERE hash LIKE :p ORDER BY hash"),
                           {"p": prefix.lower() + "%"})
    return [r[0] for r in rows]


def list_frame(db_path: Path, *, status: str | None = None, period: str | None = None) -> pl.DataFrame:
    """Corrections for people and programs, oldest first (money in minor units)."""
    conds, params = [], []
    for col, value in (("c.status", status), ("c.period", period)):
        if value is not None:
            conds.append(f"{col} = ?")
            params.append(value)
    where = f" WHERE {' AND '.join(conds)}" if conds else ""
    cols = ", ".join("s.name AS source" if c == "source" else f"c.{c}" for c in LIST_COLUMNS)
    frame = read_frame(db_path, f"SELECT {cols} FROM correction c LEFT JOIN source s ON s.id = c.source_id"
                                f"{where} ORDER BY c.id", params)
    return frame.select(pl.col(c).cast(pl.Int64 if c in _INT else pl.String) for c in LIST_COLUMNS)


WORKPAPER_COLUMNS = {"type": pl.String, "id": pl.Int64, "break_id": pl.String, "break_status": pl.String,
                     "status": pl.String, "entity": pl.String, "currency": pl.String, "amount": pl.Int64,
                     "maker": pl.String, "proposed_at": pl.String, "checker": pl.String, "approved_at": pl.String,
                     "checker2": pl.String, "plan_hash": pl.String, "request": pl.String, "response": pl.String,
                     "target_id": pl.String, "pushed_at": pl.String, "reason": pl.String}


def workpaper_frame(db_path: Path, period: str, entity: str | None) -> pl.DataFrame:
    """The period's corrections for the workpaper: maker, checker(s), plan hash, request, response, and the
    status of the break each one corrects."""
    sql = ('SELECT c.action AS type, c.id, c.break_id, b.status AS break_status, c.status, c.entity, c.currency, '
           "c.amount, c.maker, c.proposed_at, c.checker, c.approved_at, c.checker2, c.plan_hash, "
           "c.payload AS request, c.result AS response, c.target_id, c.pushed_at, c.reason FROM correction c "
           'LEFT JOIN "break" b ON b.id = c.break_id WHERE c.period = ?' + (" AND c.entity = ?" if entity else "")
           + " ORDER BY c.id")
    frame = read_frame(db_path, sql, [period, entity] if entity else [period])
    return frame.select(pl.col(c).cast(t) for c, t in WORKPAPER_COLUMNS.items())


def _typed(row: Any) -> dict[str, Any]:
    out = dict(row)
    for key in _BOOL:
        out[key] = bool(out[key])
    return out
