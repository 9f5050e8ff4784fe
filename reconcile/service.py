"""The reconciliation service: the one API the CLI, the TUI and exports call.

Every state change goes through here and writes an audit event in the same
transaction as the change.  Reads return polars DataFrames (bulk, via ADBC)
or small dataclasses; nothing here knows about the terminal.
"""

from __future__ import annotations

import json
import os
import time
from datetime import date, timedelta
from dataclasses import asdict, dataclass, field
from typing import Any

import polars as pl
from sqlalchemy import text

from tieout.reconcile.breaks import classify
from tieout.reconcile.engine import pair_records
from tieout.reconcile.inputs import fingerprint, load_invoice_domain, load_manual_matches
from tieout.reconcile.persist import Scope, save_run, stored_matches
from tieout.reconcile.rules import Ruleset, load_ruleset
from tieout.storage import audit, periods
from tieout.storage.db import read_frame, utc_now
from tieout.storage.errors import TieoutError
from tieout.storage.workspace import Workspace, open_workspace as _open_storage

DOMAINS = ("invoice",)
USER_STATUSES = ("open", "investigating", "explained", "resolved")
REASON_CODES = {
    "timing": "timing difference, clears next period",
    "data_entry": "keyed wrongly in one system",
    "fx": "exchange-rate difference",
    "rounding": "rounding",
    "duplicate": "duplicate document",
    "missing_document": "document not created in one system",
    "mapping": "customer/item/account mapping",
    "write_off": "written off / uncollectible",
    "fixed_in_source": "corrected in the source system",
    "manual_match": "matched by hand",
    "other": "other (see note)",
}
BREAK_LIST_COLUMNS = ["id", "domain", "object_type", "kind", "status", "period", "entity", "currency", "amount",
                      "billing_amount", "erp_amount", "billing_ids", "erp_ids", "rule", "assignee", "reason", "note",
                      "opened_at", "updated_at", "resolved_at"]
MATCH_LIST_COLUMNS = ["id", "match_run_id", "domain", "object_type", "period", "entity", "currency", "rule",
                      "billing_ids", "erp_ids", "billing_amount", "erp_amount", "differences", "manual", "created_by",
                      "reason", "created_at"]
_DOMAIN_TABLES = {"invoice": ("invoice", "credit_note")}


class NotFound(TieoutError):
    """No break / match / record with that id."""


class ServiceError(TieoutError):
    """A request the service refuses (bad status, reason code, domain ...)."""


@dataclass
class MatchSummary:
    run_id: int | None
    period: str
    entity: str | None
    domain: str | None
    matched: dict[str, int] = field(default_factory=dict)
    breaks_by_kind: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    ruleset_hash: str = ""
    input_fingerprint: str = ""
    timings: dict[str, float] = field(default_factory=dict)  # seconds per phase: load, match, persist

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly: break keys become "domain/kind"."""
        data = asdict(self)
        data["breaks_by_kind"] = {f"{d}/{k}": v for (d, k), v in self.breaks_by_kind.items()}
        return data


@dataclass
class RecordView:
    table: str
    external_id: str
    fields: dict[str, Any]
    raw_payload: dict[str, Any]
    lineage: dict[str, Any]


@dataclass
class BreakDetail:
    brk: dict[str, Any]
    billing: list[RecordView]
    erp: list[RecordView]
    events: list[dict[str, Any]]


def open_workspace(path: str | os.PathLike[str] | None = None) -> "Service":
    """Open a workspace for reconciliation (``import reconcile; reconcile.open_workspace(p)``)."""
    return Service(_open_storage(path))


class Service:
    def __init__(self, ws: Workspace) -> None:
        self.ws = ws

    # ------------------------------------------------------------ rules and runs

    def ruleset(self) -> Ruleset:
        """The workspace's ruleset (tieout.toml ``[workspace] ruleset``), else the default one."""
        return load_ruleset(self.ws.config.ruleset, base=self.ws.path)

    def match(self, period: str, *, entity: str | None = None, domain: str | None = None, dry_run: bool = False,
              user: str | None = None) -> MatchSummary:
        """Match one period (optionally one entity / domain) and store matches and breaks."""
        _check_period(period)
        domains = _domains(domain)
        ruleset = self.ruleset()
        user = user or self.ws.user
        if not dry_run:
            with self.ws.session() as s:
                periods.ensure_open(s, period, entity)  # a signed-off period's breaks stay as signed
        summary = MatchSummary(run_id=None, period=period, entity=entity, domain=domain,
                               ruleset_hash=ruleset.hash)
        for name in domains:
            started = utc_now()
            rules = ruleset.domain(name)
            clock = time.perf_counter()
            frame = load_invoice_domain(self.ws.db_path, period, entity)
            manual = load_manual_matches(self.ws.db_path, name)
            frame = _without_manual(frame, manual)
            summary.input_fingerprint = fingerprint(frame, manual)
            clock = _lap(summary.timings, "load", clock)
            outcome = classify(frame, pair_records(frame, rules), rules, name)
            clock = _lap(summary.timings, "match", clock)
            summary.matched[name] = outcome.matches.height
            for row in (outcome.breaks.group_by("kind", "currency").agg(pl.len().alias("n"), pl.col("amount").sum())
                        .sort("kind", "currency").iter_rows(named=True)):
                entry = summary.breaks_by_kind.setdefault((name, row["kind"]), {"count": 0, "amounts": {}})
                entry["count"] += row["n"]
                entry["amounts"][row["currency"] or ""] = int(row["amount"] or 0)
            if dry_run:
                continue
            scope = Scope(period, entity, name)
            stored = stored_matches(self.ws.db_path, scope)
            with self.ws.engine.begin() as conn:
                summary.run_id = save_run(
                    conn, scope=scope, user=user, started_at=started, stored=stored,
                    ruleset_hash=ruleset.hash, fingerprint=summary.input_fingerprint,
                    summary={"matched": outcome.matches.height, "breaks": outcome.breaks.height,
                             "by_kind": {k: v for (d, k), v in summary.breaks_by_kind.items() if d == name}},
                    matches=outcome.matches, breaks=outcome.breaks)
            _lap(summary.timings, "persist", clock)
        return summary

    def last_run(self, period: str, entity: str | None = None) -> dict[str, Any] | None:
        """The latest successful run of the period (for that entity, or for all entities)."""
        sql = "SELECT * FROM match_run WHERE period = :p AND status = 'ok' AND "
        sql += "entity = :e" if entity else "entity IS NULL"
        with self.ws.session() as s:
            row = s.execute(text(sql + " ORDER BY id DESC LIMIT 1"), {"p": period, "e": entity}).mappings().first()
        if row is None:
            return None
        data = dict(row)
        data["summary"] = json.loads(data["summary"])
        return data

    def current_period(self, today: date | None = None) -> str:
        """The period to open on: the latest one matched, else the month before ``today`` (the close month)."""
        with self.ws.session() as s:
            latest = s.execute(text("SELECT period FROM match_run WHERE status = 'ok' ORDER BY id DESC LIMIT 1")).first()
        if latest:
            return latest[0]
        first_of_month = (today or date.today()).replace(day=1)
        return (first_of_month - timedelta(days=1)).strftime("%Y-%m")

    # ------------------------------------------------------------ reads

    def breaks(self, period: str | None = None, *, domain: str | None = None, kind: str | None = None,
               status: str | None = None, entity: str | None = None, assignee: str | None = None,
               limit: int | None = None) -> pl.DataFrame:
        """Breaks matching every given filter, largest amount first (only the first ``limit`` if given)."""
        conds, params = [], []
        for col, value in (("period", period), ("domain", domain), ("kind", kind), ("status", status),
                           ("entity", entity), ("assignee", assignee)):
            if value is not None:
                conds.append(f"{col} = ?")
                params.append(value)
        where = f" WHERE {' AND '.join(conds)}" if conds else ""
        frame = read_frame(self.ws.db_path, f'SELECT {", ".join(BREAK_LIST_COLUMNS)} FROM "break"{where} '
                                            "ORDER BY amount DESC, id" + (" LIMIT ?" if limit is not None else ""),
                           [*params, limit] if limit is not None else params)
        return _typed_breaks(frame)

    def matches(self, period: str, *, domain: str | None = None, entity: str | None = None) -> pl.DataFrame:
        """Active matches (automatic ones of the latest run, and manual ones) of a period."""
        conds, params = ["active = 1", "period = ?"], [period]
        for col, value in (("domain", domain), ("entity", entity)):
            if value is not None:
                conds.append(f"{col} = ?")
                params.append(value)
        frame = read_frame(self.ws.db_path, f'SELECT {", ".join(MATCH_LIST_COLUMNS)} FROM "match" '
                                            f"WHERE {' AND '.join(conds)} ORDER BY id", params)
        schema = {"id": pl.Int64, "match_run_id": pl.Int64, "domain": pl.String, "object_type": pl.String,
                  "period": pl.String, "entity": pl.String, "currency": pl.String, "rule": pl.String,
                  "billing_ids": pl.String, "erp_ids": pl.String, "billing_amount": pl.Int64,
                  "erp_amount": pl.Int64, "differences": pl.String, "manual": pl.Int64, "created_by": pl.String,
                  "reason": pl.String, "created_at": pl.String}
        frame = frame.select(pl.col(c).cast(t) for c, t in schema.items())
        return frame.with_columns(_decode_ids("billing_ids"), _decode_ids("erp_ids"), pl.col("manual").cast(pl.Boolean))

    def break_detail(self, break_id: str) -> BreakDetail:
        """One break with both sides' records, their raw payloads and lineage, and its history."""
        frame = read_frame(self.ws.db_path, f'SELECT {", ".join(BREAK_LIST_COLUMNS)}, details FROM "break" '
                                            "WHERE id = ?", [break_id])
        if frame.height == 0:
            raise NotFound(f"break {break_id!r}: no such break")
        brk = _typed_breaks(frame.drop("details")).to_dicts()[0]
        brk["details"] = json.loads(frame["details"][0] or "{}")
        conn = self.ws.raw()
        try:
            conn.row_factory = _dict_row
            tables = _DOMAIN_TABLES.get(brk["domain"], ())
            billing = [_record_view(conn, tables, "billing", i) for i in brk["billing_ids"]]
            erp = [_record_view(conn, tables, "erp", i) for i in brk["erp_ids"]]
            events = conn.execute(
                "SELECT at, user, action, from_status, to_status, reason, note, assignee FROM break_event "
                "WHERE break_id = ? ORDER BY id", (break_id,)).fetchall()
        finally:
            conn.close()
        return BreakDetail(brk=brk, billing=billing, erp=erp, events=events)

    def summary(self, period: str, entity: str | None = None) -> pl.DataFrame:
        """Per domain and currency: both sides' counts and totals, matches, open and all breaks."""
        ent = " AND entity = ?" if entity else ""
        extra = [entity] if entity else []
        parts = []
        for domain, tables in _DOMAIN_TABLES.items():
            union = " UNION ALL ".join(
                f"SELECT side, currency, total FROM \"{t}\" WHERE posting_period = ?{ent} "
                f"AND NOT (side = 'billing' AND status = 'draft')" for t in tables)
            sides = read_frame(self.ws.db_path, f"SELECT side, currency, COUNT(*) AS n, SUM(total) AS total "
                                                f"FROM ({union}) GROUP BY side, currency",
                               [v for _ in tables for v in (period, *extra)])
            sides = sides.select(pl.col("side").cast(pl.String), pl.col("currency").cast(pl.String),
                                 pl.col("n").cast(pl.Int64), pl.col("total").cast(pl.Int64))
            wide = (sides.filter(pl.col("side") == "billing").select("currency", pl.col("n").alias("billing_count"),
                                                                     pl.col("total").alias("billing_total"))
                    .join(sides.filter(pl.col("side") == "erp").select("currency", pl.col("n").alias("erp_count"),
                                                                       pl.col("total").alias("erp_total")),
                          on="currency", how="full", coalesce=True))
            matched = self.matches(period, domain=domain, entity=entity).group_by("currency").agg(
                pl.len().cast(pl.Int64).alias("matched_count"))
            brk = self.breaks(period, domain=domain, entity=entity).group_by("currency").agg(
                pl.col("status").is_in(["open", "investigating"]).sum().cast(pl.Int64).alias("open_breaks"),
                pl.col("amount").filter(pl.col("status").is_in(["open", "investigating"])).sum()
                .cast(pl.Int64).alias("open_amount"),
                pl.len().cast(pl.Int64).alias("breaks"))
            parts.append(wide.join(matched, on="currency", how="full", coalesce=True)
                         .join(brk, on="currency", how="full", coalesce=True)
                         .with_columns(pl.lit(domain).alias("domain")))
        out = pl.concat(parts, how="diagonal_relaxed")
        counts = ["billing_count", "billing_total", "erp_count", "erp_total", "matched_count", "open_breaks",
                  "open_amount", "breaks"]
        return out.select("domain", "currency", *(pl.col(c).fill_null(0).cast(pl.Int64) for c in counts)).sort(
            "domain", "currency")

    def sources(self) -> pl.DataFrame:
        """Configured sources with their latest sync run's outcome."""
        return read_frame(self.ws.db_path, """
            SELECT s.name, s.kind, s.side, s.entity, r.started_at AS last_sync_at, r.status AS last_sync_status,
                   r.error AS last_sync_error
            FROM source s LEFT JOIN sync_run r ON r.id = (SELECT MAX(id) FROM sync_run WHERE source_id = s.id)
            ORDER BY s.name""")

    def audit_events(self, period: str | None = None) -> pl.DataFrame:
        """Audit events, oldest first; with ``period``, those whose details name that period."""
        sql = "SELECT id, at, user, action, object_type, object_id, details, hash FROM audit_event"
        params: list[Any] = []
        if period:
            sql += " WHERE json_extract(details, '$.period') = ?"
            params.append(period)
        return read_frame(self.ws.db_path, sql + " ORDER BY id", params)

    # ------------------------------------------------------------ review actions

    def set_status(self, break_id: str, status: str, *, reason: str | None = None, note: str | None = None,
                   user: str | None = None) -> None:
        """Move a break to ``status`` (open, investigating, explained, resolved) with a reason code and note."""
        self.bulk_set_status([break_id], status, reason=reason, note=note, user=user)

    def bulk_set_status(self, break_ids: list[str], status: str, *, reason: str | None = None,
                        note: str | None = None, user: str | None = None) -> int:
        """Set the status of several breaks in one transaction; returns how many changed."""
        if status not in USER_STATUSES:
            raise ServiceError(f"status {status!r}: must be one of {', '.join(USER_STATUSES)} "
                               "(auto_resolved is set only by a match run)")
        if reason is not None and reason not in REASON_CODES:
            raise ServiceError(f"reason {reason!r}: unknown reason code (known: {', '.join(REASON_CODES)})")
        if status in ("explained", "resolved") and reason is None:
            raise ServiceError(f"status {status!r} needs a reason code (one of {', '.join(REASON_CODES)})")
        user = user or self.ws.user
        changed = 0
        with self.ws.session() as s:
            for break_id in break_ids:
                current = self._current(s, break_id)
                now = utc_now()
                s.execute(text('UPDATE "break" SET status = :st, reason = COALESCE(:r, reason), '
                               "note = COALESCE(:n, note), updated_at = :now, resolved_at = :res WHERE id = :id"),
                          {"st": status, "r": reason, "n": note, "now": now, "id": break_id,
                           "res": now if status == "resolved" else None})
                self._event(s, break_id, user, "status", from_status=current["status"], to_status=status,
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
            current = self._current(s, break_id)
            s.execute(text('UPDATE "break" SET note = :n, updated_at = :now WHERE id = :id'),
                      {"n": note, "now": utc_now(), "id": break_id})
            self._event(s, break_id, user, "note", note=note)
            audit.record(s, user=user, action="break.note", object_type="break", object_id=break_id,
                         details={"period": current["period"], "note": note})

    def assign(self, break_id: str, assignee: str | None, *, user: str | None = None) -> None:
        """Give the break to ``assignee`` (None: unassigned)."""
        user = user or self.ws.user
        with self.ws.session() as s:
            current = self._current(s, break_id)
            s.execute(text('UPDATE "break" SET assignee = :a, updated_at = :now WHERE id = :id'),
                      {"a": assignee, "now": utc_now(), "id": break_id})
            self._event(s, break_id, user, "assign", assignee=assignee)
            audit.record(s, user=user, action="break.assign", object_type="break", object_id=break_id,
                         details={"period": current["period"], "from": current["assignee"], "to": assignee})

    def manual_match(self, domain: str, billing_ids: list[str], erp_ids: list[str], *, reason: str,
                     user: str | None = None) -> int:
        """Match chosen records by hand; their open breaks become resolved.  Returns the match id."""
        tables = _DOMAIN_TABLES.get(domain)
        if tables is None:
            raise ServiceError(f"domain {domain!r}: unknown (known: {', '.join(_DOMAIN_TABLES)})")
        if not billing_ids or not erp_ids:
            raise ServiceError("a manual match needs at least one billing and one ERP record")
        if not reason or not reason.strip():
            raise ServiceError("a manual match needs a reason (who decided, and why)")
        user = user or self.ws.user
        conn = self.ws.raw()
        try:
            conn.row_factory = _dict_row
            billing = [_record_view(conn, tables, "billing", i) for i in billing_ids]
            erp = [_record_view(conn, tables, "erp", i) for i in erp_ids]
        finally:
            conn.close()
        taken = self._already_matched(domain, billing_ids, erp_ids)
        if taken:
            raise ServiceError(f"already in an active manual match: {', '.join(taken)}; unmatch it first")
        first = billing[0].fields
        now = utc_now()
        with self.ws.session() as s:
            periods.ensure_open(s, first["posting_period"], first["entity"])
            match_id = s.execute(text(
                'INSERT INTO "match" (match_run_id, domain, object_type, period, entity, currency, rule, billing_ids, '
                "erp_ids, billing_amount, erp_amount, differences, manual, created_by, reason, created_at, active) "
                "VALUES (NULL, :d, :ot, :p, :e, :c, 'manual', :b, :x, :ba, :ea, '{}', 1, :u, :r, :now, 1)"),
                {"d": domain, "ot": billing[0].table, "p": first["posting_period"], "e": first["entity"],
                 "c": first["currency"], "b": json.dumps(sorted(billing_ids)), "x": json.dumps(sorted(erp_ids)),
                 "ba": sum(r.fields["total"] for r in billing), "ea": sum(r.fields["total"] for r in erp), "u": user,
                 "r": reason, "now": now}).lastrowid
            for break_id, status, period in self._breaks_of(s, domain, billing_ids, erp_ids):
                s.execute(text("UPDATE \"break\" SET status = 'resolved', reason = 'manual_match', note = :n, "
                               "updated_at = :now, resolved_at = :now WHERE id = :id"),
                          {"n": reason, "now": now, "id": break_id})
                self._event(s, break_id, user, "status", from_status=status, to_status="resolved",
                            reason="manual_match", note=reason)
            audit.record(s, user=user, action="match.manual", object_type="match", object_id=match_id,
                         details={"period": first["posting_period"], "domain": domain, "billing_ids": billing_ids,
                                  "erp_ids": erp_ids, "reason": reason})
        return int(match_id)

    def unmatch(self, match_id: int, *, reason: str, user: str | None = None) -> None:
        """Undo a manual match: breaks it resolved reopen, and the next run treats its records like any others."""
        if not reason or not reason.strip():
            raise ServiceError("unmatching needs a reason")
        user = user or self.ws.user
        with self.ws.session() as s:
            row = s.execute(text('SELECT manual, active, period, entity, domain, billing_ids, erp_ids FROM "match" '
                                 "WHERE id = :id"), {"id": match_id}).first()
            if row is None:
                raise NotFound(f"match {match_id}: no such match")
            periods.ensure_open(s, row.period, row.entity)
            if not row.manual:
                raise ServiceError(f"match {match_id} was made by a match run; change the rules or re-run instead")
            if not row.active:
                raise ServiceError(f"match {match_id} is already unmatched")
            s.execute(text('UPDATE "match" SET active = 0 WHERE id = :id'), {"id": match_id})
            now = utc_now()
            for break_id, _, _ in self._breaks_of(s, row.domain, json.loads(row.billing_ids),
                                                  json.loads(row.erp_ids), status="resolved"):
                s.execute(text("UPDATE \"break\" SET status = 'open', updated_at = :now, resolved_at = NULL "
                               "WHERE id = :id AND reason = 'manual_match'"), {"now": now, "id": break_id})
                self._event(s, break_id, user, "status", from_status="resolved", to_status="open",
                            reason="manual_match", note=f"unmatched: {reason}")
            audit.record(s, user=user, action="match.unmatch", object_type="match", object_id=match_id,
                         details={"period": row.period, "reason": reason})

    # ------------------------------------------------------------ helpers

    def _current(self, s: Any, break_id: str) -> dict[str, Any]:
        """The break's current state, refusing any change while its period is locked."""
        row = s.execute(text('SELECT status, period, entity, assignee FROM "break" WHERE id = :id'),
                        {"id": break_id}).mappings().first()
        if row is None:
            raise NotFound(f"break {break_id!r}: no such break")
        periods.ensure_open(s, row["period"], row["entity"])
        return dict(row)

    @staticmethod
    def _event(s: Any, break_id: str, user: str, action: str, **values: Any) -> None:
        s.execute(text("INSERT INTO break_event (break_id, at, user, action, from_status, to_status, reason, note, "
                       "assignee) VALUES (:b, :at, :u, :a, :fs, :ts, :r, :n, :as_)"),
                  {"b": break_id, "at": utc_now(), "u": user, "a": action, "fs": values.get("from_status"),
                   "ts": values.get("to_status"), "r": values.get("reason"), "n": values.get("note"),
                   "as_": values.get("assignee")})

    @staticmethod
    def _breaks_of(s: Any, domain: str, billing_ids: list[str], erp_ids: list[str],
                   status: str | None = None) -> list[tuple[str, str, str]]:
        """Breaks of the domain involving any of these records: unresolved ones, or those in ``status``."""
        which = "b.status = :st" if status else "b.status NOT IN ('resolved', 'auto_resolved')"
        sql = text(f"""
            SELECT DISTINCT b.id, b.status, b.period FROM "break" b
            WHERE b.domain = :d AND {which} AND (
                EXISTS (SELECT 1 FROM json_each(b.billing_ids) j WHERE j.value IN (SELECT value FROM json_each(:bi)))
                OR EXISTS (SELECT 1 FROM json_each(b.erp_ids) j WHERE j.value IN (SELECT value FROM json_each(:ei))))
            ORDER BY b.id""")
        return [tuple(r) for r in s.execute(sql, {"d": domain, "bi": json.dumps(billing_ids),
                                                   "ei": json.dumps(erp_ids), "st": status})]

    def _already_matched(self, domain: str, billing_ids: list[str], erp_ids: list[str]) -> list[str]:
        manual = load_manual_matches(self.ws.db_path, domain)
        ids = _manual_ids(manual)
        return sorted(set(billing_ids) & set(ids["billing"]) | set(erp_ids) & set(ids["erp"]))


def _lap(timings: dict[str, float], phase: str, since: float) -> float:
    now = time.perf_counter()
    timings[phase] = timings.get(phase, 0.0) + round(now - since, 3)
    return now


def _check_period(period: str) -> None:
    try:
        periods.check_period(period)
    except periods.PeriodError:
        raise ServiceError(f"period {period!r}: expected YYYY-MM, e.g. 2026-10") from None


def _domains(domain: str | None) -> tuple[str, ...]:
    if domain is None:
        return DOMAINS
    if domain not in DOMAINS:
        raise ServiceError(f"domain {domain!r}: not matched by this version (known: {', '.join(DOMAINS)})")
    return (domain,)


def _manual_ids(manual: pl.DataFrame) -> dict[str, list[str]]:
    return {side: [i for text_ in manual[f"{side}_ids"] for i in json.loads(text_)] for side in ("billing", "erp")}


def _without_manual(frame: pl.DataFrame, manual: pl.DataFrame) -> pl.DataFrame:
    """Records in an active manual match are settled; automatic matching leaves them alone."""
    if manual.height == 0:
        return frame
    ids = _manual_ids(manual)
    taken = ((pl.col("side") == "billing") & pl.col("key").is_in(ids["billing"])) | (
        (pl.col("side") == "erp") & pl.col("key").is_in(ids["erp"]))
    return frame.filter(~taken)


def _decode_ids(column: str) -> pl.Expr:
    return pl.col(column).str.json_decode(pl.List(pl.String)).alias(column)


def _typed_breaks(frame: pl.DataFrame) -> pl.DataFrame:
    ints = {"amount", "billing_amount", "erp_amount"}
    frame = frame.select(pl.col(c).cast(pl.Int64 if c in ints else pl.String) for c in BREAK_LIST_COLUMNS)
    return frame.with_columns(_decode_ids("billing_ids"), _decode_ids("erp_ids"))


def _dict_row(cursor: Any, row: tuple) -> dict[str, Any]:
    return {d[0]: v for d, v in zip(cursor.description, row)}


def _record_view(conn: Any, tables: tuple[str, ...], side: str, external_id: str) -> RecordView:
    for table in tables:
        row = conn.execute(
            f'SELECT t.*, r.payload AS _payload, r.version AS _version, r.payload_hash AS _hash, '
            f'r.fetched_at AS _fetched, s.name AS _source, s.kind AS _kind FROM "{table}" t '
            f"LEFT JOIN raw_record r ON r.id = t.raw_record_id LEFT JOIN source s ON s.id = t.source_id "
            f"WHERE t.side = ? AND t.external_id = ?", (side, external_id)).fetchone()
        if row:
            lineage = {"source": row.pop("_source"), "source_kind": row.pop("_kind"),
                       "sync_run_id": row["sync_run_id"], "fetched_at": row.pop("_fetched"),
                       "version": row.pop("_version"), "payload_hash": row.pop("_hash")}
            payload = row.pop("_payload")
            return RecordView(table=table, external_id=external_id, fields=row,
                              raw_payload=json.loads(payload) if payload else {}, lineage=lineage)
    raise NotFound(f"{side} record {external_id!r}: not in {' or '.join(tables)}")
