"""Store a match run's outcome in ONE transaction, keeping each break's review history.

Matches of the run replace the earlier automatic matches of the same scope
(period, entity, domain) — only the ones that differ are written; manual
matches are never touched here.  Breaks are
upserted by their stable id: a break seen again keeps its status, assignee,
reason and notes (an auto-resolved one reopens); a break of the scope that
this run no longer finds becomes ``auto_resolved`` (kept, with an event).
Bulk rows go through sqlite3 ``executemany``; the audit event is written in
the same transaction, so a crash leaves either the whole run or none of it.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import Connection

from tieout.storage import audit
from tieout.storage.db import read_frame, utc_now

_MATCH_INSERT = (
    'INSERT INTO "match" (match_run_id, domain, object_type, period, entity, currency, rule, billing_ids, erp_ids, '
    "billing_amount, erp_amount, differences, manual, created_by, reason, created_at, active) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, NULL, ?, 1)"
)
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


# the columns that make two automatic matches the same match
_IDENTITY_TYPES = {"object_type": pl.String, "period": pl.String, "entity": pl.String, "currency": pl.String,
                   "rule": pl.String, "billing_ids": pl.String, "erp_ids": pl.String, "billing_amount": pl.Int64,
                   "erp_amount": pl.Int64, "differences": pl.String}
MATCH_IDENTITY = list(_IDENTITY_TYPES)


@dataclass(frozen=True)
class Scope:
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
    _save_matches(raw, scope, run_id, user, now, matches, stored)
    _save_breaks(raw, scope, run_id, user, now, breaks)
    audit.record(conn, user=user, action="match.run", object_type="match_run", object_id=run_id,
                 details={"period": scope.period, "entity": scope.entity, "domain": scope.domain,
                          "ruleset_hash": ruleset_hash, "input_fingerprint": fingerprint, **summary})
    return int(run_id)  # type: ignore[arg-type]


def stored_matches(db_path: Path, scope: Scope) -> pl.DataFrame:
    """The scope's automatic matches as stored (id lists as JSON text), with their row ids."""
    where, params = scope.where()
    frame = read_frame(db_path, f'SELECT id, {", ".join(MATCH_IDENTITY)} FROM "match" '
                                f"WHERE manual = 0 AND {where}", params)
    return frame.select(pl.col(c).cast(t) for c, t in {"id": pl.Int64, **_IDENTITY_TYPES}.items())


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
    events = [(i, now, user, "opened", None, "open") for i in breaks["id"] if i not in before]
    events += [(i, now, user, "reopened", "auto_resolved", "open") for i, s in before.items() if s == "auto_resolved"]
    where, params = scope.where("b")
    vanished = raw.execute(
        f'SELECT b.id, b.status FROM "break" b WHERE {where} AND b.status NOT IN (\'auto_resolved\', \'resolved\') '
        "AND b.id NOT IN (SELECT id FROM run_break)", params).fetchall()
    raw.executemany(
        "UPDATE \"break\" SET status = 'auto_resolved', resolved_at = ?, updated_at = ?, last_run_id = ? WHERE id = ?",
        [(now, now, run_id, i) for i, _ in vanished])
    events += [(i, now, user, "auto_resolved", s, "auto_resolved") for i, s in vanished]
    raw.executemany(
        "INSERT INTO break_event (break_id, at, user, action, from_status, to_status) VALUES (?, ?, ?, ?, ?, ?)",
        events)
    raw.execute("DELETE FROM run_break")
