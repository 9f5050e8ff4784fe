"""Replay of the audited review history: every object's current state must have an audited cause.

The hash chain proves the audit log was not edited; it cannot see a change made
to the data beside it.  A break set to ``resolved`` by a direct SQL update
passed verification and the workpaper showed it resolved.  Each check here
compares the current state of one kind of object with what its audited history
leads to, and names every object that differs:

- breaks: the status each break's event history ends in; every status change
  made by a person backed by its audit event (``break.status``, or the manual
  match / unmatch that made it); every change made by a match run dated at the
  finish of an audited run;
- manual matches: each has its ``match.manual`` event, and it is inactive
  exactly when a ``match.unmatch`` event says so;
- periods: the status the period's ``period.*`` events end in.

Another kind of audited object (corrections, say) adds its check with
:func:`check`; ``tieout audit verify`` runs them all.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One object whose stored state has no audited cause."""

    object_type: str
    object_id: str
    problem: str

    def __str__(self) -> str:
        return f"{self.object_type} {self.object_id}: {self.problem}"


Check = Callable[[sqlite3.Connection], Iterable[Problem]]
CHECKS: list[Check] = []


def check(fn: Check) -> Check:
    """Register a replay check (run by :func:`replay` in registration order)."""
    CHECKS.append(fn)
    return fn


def replay(conn: sqlite3.Connection) -> list[Problem]:
    """Every problem every registered check finds, in a stable order."""
    return [problem for fn in CHECKS for problem in fn(conn)]


@check
def break_statuses(conn: sqlite3.Connection) -> Iterable[Problem]:
    """Each break's status is the one its event history ends in (a break with no history has no cause)."""
    rows = conn.execute("""
        WITH last AS (
            SELECT break_id, to_status,
                   ROW_NUMBER() OVER (PARTITION BY break_id ORDER BY id DESC) AS n
            FROM break_event WHERE to_status IS NOT NULL)
        SELECT b.id, b.status, l.to_status FROM "break" b LEFT JOIN last l ON l.break_id = b.id AND l.n = 1
        WHERE l.to_status IS NULL OR l.to_status != b.status ORDER BY b.id""")
    for break_id, status, expected in rows:
        if expected is None:
            yield Problem("break", break_id, f"status {status!r} but it has no recorded history")
        else:
            yield Problem("break", break_id, f"status {status!r} but its audited history ends in {expected!r}")


@check
def break_changes_by_people(conn: sqlite3.Connection) -> Iterable[Problem]:
    """Every status change in a break's history made by a person has the audit event that records it."""
    rows = conn.execute("""
        WITH made AS (
            SELECT break_id, from_status, to_status, COUNT(*) AS n FROM break_event WHERE action = 'status'
            GROUP BY break_id, from_status, to_status),
        audited AS (
            SELECT object_id AS break_id, json_extract(details, '$.from') AS from_status,
                   json_extract(details, '$.to') AS to_status FROM audit_event WHERE action = 'break.status'
            UNION ALL
            SELECT j.key, j.value, 'resolved' FROM audit_event a, json_each(a.details, '$.breaks') j
            WHERE a.action = 'match.manual' AND json_type(a.details, '$.breaks') = 'object'
            UNION ALL
            SELECT j.value, 'resolved', 'open' FROM audit_event a, json_each(a.details, '$.breaks') j
            WHERE a.action = 'match.unmatch' AND json_type(a.details, '$.breaks') = 'array'),
        counted AS (
            SELECT break_id, from_status, to_status, COUNT(*) AS n FROM audited
            GROUP BY break_id, from_status, to_status)
        SELECT m.break_id, m.from_status, m.to_status, m.n - COALESCE(c.n, 0) FROM made m
        LEFT JOIN counted c ON c.break_id = m.break_id AND c.from_status IS m.from_status
                           AND c.to_status IS m.to_status
        WHERE m.n > COALESCE(c.n, 0) ORDER BY m.break_id""")
    for break_id, from_status, to_status, missing in rows:
        times = "" if missing == 1 else f" ({missing} times)"
        yield Problem("break", break_id, f"status change {from_status!r} -> {to_status!r}{times} has no audit event")


@check
def break_changes_by_runs(conn: sqlite3.Connection) -> Iterable[Problem]:
    """Every change a match run made (opened, reopened, auto-resolved) is dated at an audited run's finish."""
    rows = conn.execute("""
        SELECT e.break_id, e.action, e.at FROM break_event e
        WHERE e.action IN ('opened', 'reopened', 'auto_resolved') AND e.at NOT IN (
            SELECT r.finished_at FROM match_run r JOIN audit_event a
            ON a.action = 'match.run' AND a.object_id = CAST(r.id AS TEXT) WHERE r.finished_at IS NOT NULL)
        ORDER BY e.break_id, e.id""")
    for break_id, action, at in rows:
        yield Problem("break", break_id, f"{action!r} at {at} was not made by an audited match run")


@check
def manual_matches(conn: sqlite3.Connection) -> Iterable[Problem]:
    """Each manual match was audited when made, and is inactive exactly when its unmatch was audited."""
    rows = conn.execute("""
        SELECT m.id, m.active,
               EXISTS (SELECT 1 FROM audit_event a WHERE a.action = 'match.manual'
                       AND a.object_id = CAST(m.id AS TEXT)),
               EXISTS (SELECT 1 FROM audit_event a WHERE a.action = 'match.unmatch'
                       AND a.object_id = CAST(m.id AS TEXT))
        FROM "match" m WHERE m.manual = 1 ORDER BY m.id""")
    for match_id, active, made, unmatched in rows:
        if not made:
            yield Problem("match", str(match_id), "a manual match with no audit event")
        elif bool(active) == bool(unmatched):
            state = "active" if active else "inactive"
            yield Problem("match", str(match_id), f"{state}, but its audited history says "
                                                  f"{'unmatched' if unmatched else 'matched'}")


@check
def period_statuses(conn: sqlite3.Connection) -> Iterable[Problem]:
    """Each period's status is the one its sign-off events end in (never touched: open)."""
    rows = conn.execute("""
        WITH last AS (
            SELECT object_id, json_extract(details, '$.to') AS status,
                   ROW_NUMBER() OVER (PARTITION BY object_id ORDER BY id DESC) AS n
            FROM audit_event WHERE object_type = 'period' AND action LIKE 'period.%'),
        stored AS (
            SELECT period || '/' || CASE WHEN entity = '' THEN '*' ELSE entity END AS object_id, status FROM period)
        SELECT s.object_id, s.status, COALESCE(l.status, 'open') FROM stored s
        LEFT JOIN last l ON l.object_id = s.object_id AND l.n = 1
        WHERE s.status != COALESCE(l.status, 'open')
        UNION ALL
        SELECT l.object_id, NULL, l.status FROM last l
        WHERE l.n = 1 AND l.status != 'open' AND l.object_id NOT IN (SELECT object_id FROM stored)
        ORDER BY 1""")
    for object_id, status, expected in rows:
        if status is None:
            yield Problem("period", object_id, f"no stored sign-off, but its audited history ends in {expected!r}")
        else:
            yield Problem("period", object_id, f"status {status!r} but its audited history ends in {expected!r}")
