"""Matches, breaks, break events and match runs: every statement that reads or writes them.

The review service and the match run call these; they hold no SQL of their
own.  Bulk writes of a match run go through sqlite3 ``executemany`` inside
the caller's transaction (:func:`save_run`); bulk reads come back as polars
frames through :func:`tieout.storage.db.read_frame`.

A break's review history survives re-runs: :func:`save_run` upserts breaks
by their stable id, keeping status, assignee, reason and notes (an
auto-resolved break seen again reopens), and marks the scope's breaks this
run no longer finds ``auto_resolved`` (kept, with an event).  Matches of a
run replace the scope's earlier automatic matches; only the ones that differ
are written; manual matches are never touched by a run.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import Connection, text
from sqlmodel import Session

from tieout.storage import audit
from tieout.storage.db import read_frame, utc_now
from tieout.storage.vocabulary import BREAK_LIST_COLUMNS, MATCH_LIST_COLUMNS, SETTLED_STATUSES, Status

_BREAK_UPSERT = """
    INSERT INTO "break" (id, domain, object_type, kind, status, period, entity, currency, amount, billing_ids, erp_ids,
        billing_amount, erp_amount, rule, details, first_run_id, last_run_id, opened_at, updated_at)
    VALUES (?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT(id) DO UPDATE SET
        amount = excluded.amount, billing_amount = excluded.billing_amount, erp_amount = excluded.erp_amount,
        rule = excluded.rule, details = excluded.details, last_run_id = excluded.last_run_id,
        currency = excluded.currency, entity = excluded.entity, period = excluded.period,
        status = CASE WHEN "break".status = 'auto_resolved' THEN 'open' ELSE "break".status END,
        resolved_at = CASE WHEN "break".status = 'auto_resolved' THEN NULL ELSE "break".resolved_at END,
        updated_at = CASE WHEN "break".status = 'auto_resolved' THEN excluded.updated_at ELSE "break".updated_at END
"""
_MATCH_INSERT = (
    'INSERT INTO "match" (match_run_id, domain, object_type, period, entity, currency, rule, billing_ids, erp_ids, '
    "billing_amount, erp_amount, differences, manual, created_by, reason, created_at, active) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, NULL, ?, 1)"
)
_SETTLED = ", ".join(f"'{s}'" for s in SETTLED_STATUSES)

# the columns that make two automatic matches the same match
_IDENTITY_TYPES = {"object_type": pl.String, "period": pl.String, "entity": pl.String, "currency": pl.String,
                   "rule": pl.String, "billing_ids": pl.String, "erp_ids": pl.String, "billing_amount": pl.Int64,
                   "erp_amount": pl.Int64, "differences": pl.String}
MATCH_IDENTITY = list(_IDENTITY_TYPES)
_MATCH_TYPES = {"id": pl.Int64, "match_run_id": pl.Int64, "domain": pl.String, "object_type": pl.String,
                "period": pl.String, "entity": pl.String, "currency": pl.String, "rule": pl.String,
                "billing_ids": pl.String, "erp_ids": pl.String, "billing_amount": pl.Int64, "erp_amount": pl.Int64,
                "differences": pl.String, "manual": pl.Int64, "created_by": pl.String, "reason": pl.String,
                "created_at": pl.String}


@dataclass(frozen=True)
class Scope:
    """What one match run covers: a period, one entity or all (None), one domain."""

    period: str
    entity: str | None
    domain: str

    def where(self, alias: str = "") -> tuple[str, list[Any]]:
        """SQL condition (and its parameters) selecting the rows of this scope."""
        p = f"{alias}." if alias else ""
        sql = f"{p}domain = ? AND {p}period = ?"
        params: list[Any] = [self.domain, self.period]
        if self.entity:
            sql += f" AND {p}entity = ?"
            params.append(self.entity)
        return sql, params


# ------------------------------------------------------------------ reads (bulk, polars)


def _filters(pairs: tuple[tuple[str, Any], ...]) -> tuple[list[str], list[Any]]:
    """``col = ?`` for each value given, ``col IN (?, ...)`` for a tuple or list of values."""
    conds, params = [], []
    for col, value in pairs:
        if isinstance(value, (tuple, list)):
            conds.append(f"{col} IN ({', '.join('?' * len(value))})")
            params.extend(value)
        elif value is not None:
            conds.append(f"{col} = ?")
            params.append(value)
    return conds, params


def _decode_ids(column: str) -> pl.Expr:
    return pl.col(column).str.json_decode(pl.List(pl.String)).alias(column)


def _typed_breaks(frame: pl.DataFrame) -> pl.DataFrame:
    ints = {"amount", "billing_amount", "erp_amount"}
    frame = frame.select(pl.col(c).cast(pl.Int64 if c in ints else pl.String) for c in BREAK_LIST_COLUMNS)
    return frame.with_columns(_decode_ids("billing_ids"), _decode_ids("erp_ids"))


def list_breaks(db_path: Path, *, period: str | None = None, domain: str | None = None, kind: str | None = None,
                status: str | Sequence[str] | None = None, entity: str | None = None, assignee: str | None = None,
                limit: int | None = None) -> pl.DataFrame:
    """Breaks matching every given filter (``status``: one or any of several), largest amount first (only the
    first ``limit`` if given)."""
    conds, params = _filters((("period", period), ("domain", domain), ("kind", kind), ("status", status),
                              ("entity", entity), ("assignee", assignee)))
    where = f" WHERE {' AND '.join(conds)}" if conds else ""
    sql = f'SELECT {", ".join(BREAK_LIST_COLUMNS)} FROM "break"{where} ORDER BY amount DESC, id'
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return _typed_breaks(read_frame(db_path, sql, params))


def break_ids_starting(session: Session, prefix: str, limit: int) -> list[str]:
    """Ids of up to ``limit`` breaks whose id starts with ``prefix`` (lower-case hex), in id order."""
    return list(session.execute(text('SELECT id FROM "break" WHERE id GLOB :p ORDER BY id LIMIT :n'),
                                {"p": prefix + "*", "n": limit}).scalars())


def break_with_details(db_path: Path, break_id: str) -> dict[str, Any] | None:
    """One break as listed, plus its ``details`` (decoded JSON); None if there is no such break."""
    frame = read_frame(db_path, f'SELECT {", ".join(BREAK_LIST_COLUMNS)}, details FROM "break" WHERE id = ?',
                       [break_id])
    if frame.height == 0:
        return None
    brk = _typed_breaks(frame.drop("details")).to_dicts()[0]
    brk["details"] = json.loads(frame["details"][0] or "{}")
    return brk


def list_matches(db_path: Path, period: str, *, domain: str | None = None,
                 entity: str | None = None) -> pl.DataFrame:
    """Active matches (automatic ones of the latest run, and manual ones) of a period."""
    conds, params = _filters((("period", period), ("domain", domain), ("entity", entity)))
    frame = read_frame(db_path, f'SELECT {", ".join(MATCH_LIST_COLUMNS)} FROM "match" '
                                f"WHERE active = 1 AND {' AND '.join(conds)} ORDER BY id", params)
    frame = frame.select(pl.col(c).cast(t) for c, t in _MATCH_TYPES.items())
    return frame.with_columns(_decode_ids("billing_ids"), _decode_ids("erp_ids"), pl.col("manual").cast(pl.Boolean))


def manual_matches(db_path: Path, domain: str) -> pl.DataFrame:
    """Active manual matches of the domain (id lists as JSON text): their records leave automatic matching."""
    return _active_matches(db_path, domain, manual_only=True).drop("manual")


def active_matches(db_path: Path, domain: str) -> pl.DataFrame:
    """Every active match of the domain, a run's or a manual one (id lists as JSON text): no record is matched twice."""
    return _active_matches(db_path, domain, manual_only=False)


def _active_matches(db_path: Path, domain: str, *, manual_only: bool) -> pl.DataFrame:
    only = " AND manual = 1" if manual_only else ""
    frame = read_frame(db_path, f'SELECT id, manual, billing_ids, erp_ids FROM "match" '
                                f"WHERE active = 1{only} AND domain = ? ORDER BY id", [domain])
    schema = {"id": pl.Int64, "manual": pl.Int64, "billing_ids": pl.String, "erp_ids": pl.String}
    if frame.height == 0:
        return pl.DataFrame(schema=schema)
    return frame.select(pl.col(c).cast(t) for c, t in schema.items())


def stored_matches(db_path: Path, scope: Scope) -> pl.DataFrame:
    """The scope's automatic matches as stored (id lists as JSON text), with their row ids."""
    where, params = scope.where()
    frame = read_frame(db_path, f'SELECT id, {", ".join(MATCH_IDENTITY)} FROM "match" '
                                f"WHERE manual = 0 AND {where}", params)
    return frame.select(pl.col(c).cast(t) for c, t in {"id": pl.Int64, **_IDENTITY_TYPES}.items())


def break_events(db_path: Path, break_id: str) -> list[dict[str, Any]]:
    """The break's review history, oldest first."""
    frame = read_frame(db_path, "SELECT at, user, action, from_status, to_status, reason, note, assignee "
                                "FROM break_event WHERE break_id = ? ORDER BY id", [break_id])
    return frame.to_dicts()


def last_run(session: Session, period: str, entity: str | None = None) -> dict[str, Any] | None:
    """The latest successful run covering the period, summary decoded.

    For an entity, a run of that entity or one over all entities (which covers
    every entity; its figures filtered to the entity are that entity's);
    without one, the latest all-entities run.
    """
    sql = "SELECT * FROM match_run WHERE period = :p AND status = 'ok' AND "
    sql += "(entity = :e OR entity IS NULL)" if entity else "entity IS NULL"
    row = session.execute(text(sql + " ORDER BY id DESC LIMIT 1"), {"p": period, "e": entity}).mappings().first()
    if row is None:
        return None
    data = dict(row)
    data["summary"] = json.loads(data["summary"])
    return data


def latest_matched_period(session: Session) -> str | None:
    """The period of the newest successful match run, if any."""
    row = session.execute(text("SELECT period FROM match_run WHERE status = 'ok' ORDER BY id DESC LIMIT 1")).first()
    return row[0] if row else None


# ------------------------------------------------------------------ review writes (one transaction each, by the caller)


def review_state(session: Session, break_id: str) -> dict[str, Any] | None:
    """status, period, entity and assignee of one break; None if there is no such break."""
    row = session.execute(text('SELECT status, period, entity, assignee FROM "break" WHERE id = :id'),
                          {"id": break_id}).mappings().first()
    return dict(row) if row else None


def set_status(session: Session, break_id: str, status: str, *, reason: str | None, note: str | None,
               now: str) -> None:
    """Move one break to ``status``; a reason or note given replaces the stored one."""
    session.execute(text('UPDATE "break" SET status = :st, reason = COALESCE(:r, reason), note = COALESCE(:n, note), '
                         "updated_at = :now, resolved_at = :res WHERE id = :id"),
                    {"st": status, "r": reason, "n": note, "now": now, "id": break_id,
                     "res": now if status in SETTLED_STATUSES else None})


def set_note(session: Session, break_id: str, note: str, now: str) -> None:
    session.execute(text('UPDATE "break" SET note = :n, updated_at = :now WHERE id = :id'),
                    {"n": note, "now": now, "id": break_id})


def set_assignee(session: Session, break_id: str, assignee: str | None, now: str) -> None:
    session.execute(text('UPDATE "break" SET assignee = :a, updated_at = :now WHERE id = :id'),
                    {"a": assignee, "now": now, "id": break_id})


def add_event(session: Session, break_id: str, user: str, action: str, **values: Any) -> None:
    """One line of a break's review history (status change, note, assignment)."""
    session.execute(text("INSERT INTO break_event (break_id, at, user, action, from_status, to_status, reason, note, "
                         "assignee) VALUES (:b, :at, :u, :a, :fs, :ts, :r, :n, :as_)"),
                    {"b": break_id, "at": utc_now(), "u": user, "a": action, "fs": values.get("from_status"),
                     "ts": values.get("to_status"), "r": values.get("reason"), "n": values.get("note"),
                     "as_": values.get("assignee")})


def breaks_of_records(session: Session, domain: str, billing_ids: list[str], erp_ids: list[str],
                      status: str | None = None) -> list[tuple[str, str, str]]:
    """(id, status, period) of the domain's breaks involving any of these records: unsettled ones, or in ``status``."""
    which = "b.status = :st" if status else f"b.status NOT IN ({_SETTLED})"
    sql = text(f"""
        SELECT DISTINCT b.id, b.status, b.period FROM "break" b
        WHERE b.domain = :d AND {which} AND (
            EXISTS (SELECT 1 FROM json_each(b.billing_ids) j WHERE j.value IN (SELECT value FROM json_each(:bi)))
            OR EXISTS (SELECT 1 FROM json_each(b.erp_ids) j WHERE j.value IN (SELECT value FROM json_each(:ei))))
        ORDER BY b.id""")
    rows = session.execute(sql, {"d": domain, "bi": json.dumps(billing_ids), "ei": json.dumps(erp_ids), "st": status})
    return [(r[0], r[1], r[2]) for r in rows]


def insert_manual_match(session: Session, *, domain: str, object_type: str, period: str, entity: str | None,
                        currency: str, billing_ids: list[str], erp_ids: list[str], billing_amount: int,
                        erp_amount: int, user: str, reason: str, now: str) -> int:
    """Store a match made by hand; returns its id."""
    result = session.execute(text(
        'INSERT INTO "match" (match_run_id, domain, object_type, period, entity, currency, rule, billing_ids, '
        "erp_ids, billing_amount, erp_amount, differences, manual, created_by, reason, created_at, active) "
        "VALUES (NULL, :d, :ot, :p, :e, :c, 'manual', :b, :x, :ba, :ea, '{}', 1, :u, :r, :now, 1)"),
        {"d": domain, "ot": object_type, "p": period, "e": entity, "c": currency,
         "b": json.dumps(sorted(billing_ids)), "x": json.dumps(sorted(erp_ids)), "ba": billing_amount,
         "ea": erp_amount, "u": user, "r": reason, "now": now})
    return int(result.lastrowid)  # type: ignore[attr-defined]


def resolve_by_manual_match(session: Session, break_id: str, note: str, now: str) -> None:
    session.execute(text("UPDATE \"break\" SET status = 'resolved', reason = 'manual_match', note = :n, "
                         "updated_at = :now, resolved_at = :now WHERE id = :id"), {"n": note, "now": now, "id": break_id})


def match_row(session: Session, match_id: int) -> Any:
    """manual, active, period, entity, domain, billing_ids, erp_ids of one match (None if unknown)."""
    return session.execute(text('SELECT manual, active, period, entity, domain, billing_ids, erp_ids FROM "match" '
                                "WHERE id = :id"), {"id": match_id}).first()


def deactivate_match(session: Session, match_id: int) -> None:
    session.execute(text('UPDATE "match" SET active = 0 WHERE id = :id'), {"id": match_id})


def reopen_manually_resolved(session: Session, break_id: str, now: str) -> bool:
    """Reopen a break that a manual match had resolved (an unmatch); False if it was resolved for another
    reason (by a person) and stays resolved."""
    return bool(session.execute(text("UPDATE \"break\" SET status = 'open', updated_at = :now, resolved_at = NULL "
                                     "WHERE id = :id AND reason = 'manual_match'"),
                                {"now": now, "id": break_id}).rowcount)


# ------------------------------------------------------------------ a match run's outcome


def json_list(column: str) -> pl.Expr:
    """A List[String] column as JSON array text, escaped (vectorised: no Python per row)."""
    quoted = pl.lit('"') + pl.element().str.replace_all("\\", "\\\\", literal=True).str.replace_all(
        '"', '\\"', literal=True) + pl.lit('"')
    return pl.concat_str(pl.lit("["), pl.col(column).list.eval(quoted).list.join(","), pl.lit("]")).alias(column)


def save_run(conn: Connection, *, scope: Scope, user: str, started_at: str, ruleset_hash: str, fingerprint: str,
             summary: dict[str, Any], matches: pl.DataFrame, breaks: pl.DataFrame, stored: pl.DataFrame) -> int:
    """Write run, matches, breaks, break events and the audit event inside ``conn``'s transaction.

    ``stored`` is :func:`stored_matches` of the scope, read before the transaction.
    """
    raw: sqlite3.Connection = conn.connection.driver_connection  # type: ignore[assignment]
    now = utc_now()
    run_id = raw.execute(
        "INSERT INTO match_run (period, entity, domain, started_at, finished_at, user, status, ruleset_hash, "
        "input_fingerprint, summary) VALUES (?, ?, ?, ?, ?, ?, 'ok', ?, ?, ?)",
        (scope.period, scope.entity, scope.domain, started_at, now, user, ruleset_hash, fingerprint,
         json.dumps(summary, sort_keys=True)),
    ).lastrowid
    assert run_id is not None
    _save_matches(raw, scope, run_id, user, now, matches, stored)
    _save_breaks(raw, scope, run_id, user, now, breaks)
    audit.record(conn, user=user, action="match.run", object_type="match_run", object_id=run_id,
                 details={"period": scope.period, "entity": scope.entity, "domain": scope.domain,
                          "ruleset_hash": ruleset_hash, "input_fingerprint": fingerprint, **summary})
    return int(run_id)


def _save_matches(raw: sqlite3.Connection, scope: Scope, run_id: int, user: str, now: str, matches: pl.DataFrame,
                  stored: pl.DataFrame) -> None:
    """Insert the new matches and delete the vanished ones; identical matches keep their row (and run id).

    A re-run after a sync changes few matches, so this writes little; if the
    stored matches changed since they were read, everything is rewritten.
    """
    where, params = scope.where()
    count = raw.execute(f'SELECT COUNT(*) FROM "match" WHERE manual = 0 AND {where}', params).fetchone()[0]
    if count != stored.height:
        raw.execute(f'DELETE FROM "match" WHERE manual = 0 AND {where}', params)
        stored = stored.clear()
    rows = matches.select(*(json_list(c) if c in ("billing_ids", "erp_ids") else pl.col(c).cast(t)
                            for c, t in _IDENTITY_TYPES.items()))
    fresh = rows.join(stored, on=MATCH_IDENTITY, how="anti", nulls_equal=True)
    gone = stored.join(rows, on=MATCH_IDENTITY, how="anti", nulls_equal=True)
    raw.executemany('DELETE FROM "match" WHERE id = ?', ((i,) for i in gone["id"]))
    raw.executemany(_MATCH_INSERT, fresh.select(
        pl.lit(run_id).alias("run"), pl.lit(scope.domain).alias("domain"), *MATCH_IDENTITY,
        pl.lit(user).alias("by"), pl.lit(now).alias("at")).iter_rows())


def _save_breaks(raw: sqlite3.Connection, scope: Scope, run_id: int, user: str, now: str, breaks: pl.DataFrame) -> None:
    raw.execute("CREATE TEMP TABLE IF NOT EXISTS run_break (id TEXT PRIMARY KEY)")
    raw.execute("DELETE FROM run_break")
    raw.executemany("INSERT INTO run_break (id) VALUES (?)", ((i,) for i in breaks["id"]))
    before = dict(raw.execute('SELECT b.id, b.status FROM "break" b JOIN run_break r ON r.id = b.id').fetchall())
    rows = breaks.select(
        "id", "domain", "object_type", "kind", "period", "entity", "currency", "amount",
        json_list("billing_ids"), json_list("erp_ids"), "billing_amount", "erp_amount", "rule", "details",
        pl.lit(run_id).alias("first"), pl.lit(run_id).alias("last"), pl.lit(now).alias("opened"),
        pl.lit(now).alias("updated"),
    )
    raw.executemany(_BREAK_UPSERT, rows.iter_rows())
    auto = Status.AUTO_RESOLVED.value
    events = [(i, now, user, "opened", None, "open") for i in breaks["id"] if i not in before]
    events += [(i, now, user, "reopened", auto, "open") for i, s in before.items() if s == auto]
    where, params = scope.where("b")
    vanished = raw.execute(
        f'SELECT b.id, b.status FROM "break" b WHERE {where} AND b.status NOT IN ({_SETTLED}) '
        "AND b.id NOT IN (SELECT id FROM run_break)", params).fetchall()
    raw.executemany(
        "UPDATE \"break\" SET status = 'auto_resolved', resolved_at = ?, updated_at = ?, last_run_id = ? WHERE id = ?",
        [(now, now, run_id, i) for i, _ in vanished])
    events += [(i, now, user, auto, s, auto) for i, s in vanished]
    raw.executemany(
        "INSERT INTO break_event (break_id, at, user, action, from_status, to_status) VALUES (?, ?, ?, ?, ?, ?)",
        events)
    raw.execute("DELETE FROM run_break")
