"""Push one correction so that a retry or a crash never writes twice and a stale target is never overwritten.

For each correction, in order:

1. A locked period refuses it.
2. If its last attempt has an unknown outcome (a timeout, a 5xx, or a crash
   between sending and recording), look the target up first and record what
   was found; if the write is there, it is pushed and nothing is re-sent.
3. For a change to an existing record, re-read it: if its ``lastModifiedDate``
   moved since the proposal, stop the correction as stale.
4. Mark the attempt *before* sending (``outcome_unknown``), commit, send once.
5. Read the record back and compare it with what the correction expects; a
   mismatch fails the correction.  Store the target id and the response.

A NetSuite refusal keeps its ``o:errorDetails`` message as the reason and
stays retryable; "Record has been changed" counts as stale.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tieout.connectors.base import Connector, WriteRequest
from tieout.connectors.errors import ConnectorError, OutcomeUnknown, WriteRefused
from tieout.reconcile.corrections import lifecycle
from tieout.storage import corrections as store
from tieout.storage import audit, periods
from tieout.storage.db import utc_now
from tieout.storage.workspace import Workspace

STALE_CODES = {"RCRD_HAS_BEEN_CHANGED"}


@dataclass
class Outcome:
    id: int
    status: str  # pushed | failed | skipped
    detail: str
    found_by_lookup: bool = False


@dataclass
class PushReport:
    plan_hash: str
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(o.status != "failed" for o in self.outcomes)


def unmet(expect: dict[str, Any], record: dict[str, Any] | None) -> list[str]:
    """What the record read back does not show of what the correction expects (empty: all of it)."""
    if record is None:
        return ["the record is not there"]
    problems = []
    for path, wanted in (expect.get("fields") or {}).items():
        value: Any = record
        for part in path.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if str(value) != str(wanted):
            problems.append(f"{path} is {value!r}, expected {wanted!r}")
    lines = expect.get("lines")
    if lines:
        count = own_lines(lines, record)
        if count != lines["count"]:
            problems.append(f"{count} {lines['sublist']} line(s) with {lines['where']}, expected {lines['count']}")
    return problems


def own_lines(lines: dict[str, Any], record: dict[str, Any]) -> int:
    """How many lines of the record's sublist are the correction's (match every ``where`` field)."""
    items = (record.get(lines["sublist"]) or {}).get("items") or []
    return sum(all(item.get(k) == v for k, v in lines["where"].items()) for item in items)


class Pusher:
    """Pushes corrections of one plan through connectors opened on demand (one per source)."""

    def __init__(self, ws: Workspace, connect: Callable[[str], Connector], user: str, plan_hash: str) -> None:
        self.ws, self.connect, self.user, self.plan_hash = ws, connect, user, plan_hash
        self._connectors: dict[str, Connector] = {}

    def close(self) -> None:
        for connector in self._connectors.values():
            connector.close()

    def _connector(self, source: str) -> Connector:
        if source not in self._connectors:
            self._connectors[source] = self.connect(source)
        return self._connectors[source]

    def push(self, correction_id: int) -> Outcome:
        with self.ws.session() as s:
            row = lifecycle.require(s, correction_id)
            if row["status"] == "pushed":
                return Outcome(row["id"], "skipped", "already pushed")
            if row["status"] not in ("approved", "failed") or (row["status"] == "failed" and not row["retryable"]):
                return Outcome(row["id"], "skipped", f"{row['status']}, not retryable: {row['reason']}")
            if periods.is_locked(s, row["period"], row["entity"]):
                return self._fail(row, f"period {row['period']} is locked; a locked period refuses corrections",
                                  retryable=True)
        request = json.loads(row["payload"] or "{}")
        expect = json.loads(row["expect"] or "{}")
        if request.get("side") == "record":
            return self._pushed(row, {"record_only": True, **expect}, target_id=row["target_ref"])
        try:
            connector = self._connector(row["source"])
            if row["outcome_unknown"]:
                found = self._lookup(row, connector, expect)
                if found is not None:
                    return found
            if row["target_modified"] is not None:
                current = connector.read(row["target_path"])
                if current is None:
                    return self._fail(row, f"stale: {row['target_path']} is gone since it was proposed",
                                      retryable=False)
                moved = connector.modified_at(current)
                if moved != row["target_modified"]:
                    return self._fail(row, f"stale: {row['target_path']} was changed at {moved}, after the proposal "
                                           f"(as of {row['target_modified']}); propose it again", retryable=False)
            self._mark_sending(row)
            result = connector.write(WriteRequest(request["method"], request["path"], request["body"],
                                                  request.get("idempotency_key")))
        except WriteRefused as exc:  # a definite no: nothing was written
            stale = exc.code in STALE_CODES
            return self._fail(row, ("stale: " if stale else "") + str(exc), retryable=not stale, answered=True)
        except OutcomeUnknown as exc:
            return self._fail(row, f"outcome unknown ({exc}); the next push looks it up before re-sending",
                              retryable=True)
        except ConnectorError as exc:
            return self._fail(row, str(exc), retryable=True)
        back = connector.read(row["target_path"])
        problems = unmet(expect, back)
        response = {"status": result.status, "location": result.location, "body": result.body}
        if problems:
            return self._fail(row, "read-back differs: " + "; ".join(problems), retryable=False, answered=True,
                              result={"response": response, "read_back": back})
        return self._pushed(row, {"response": response, "read_back": _summary(back)}, target_id=str(back["id"]))

    # ------------------------------------------------------------ steps

    def _lookup(self, row: dict[str, Any], connector: Connector, expect: dict[str, Any]) -> Outcome | None:
        """After an unknown outcome: is the write there?  Records the finding; None means "send it"."""
        record = connector.read(row["target_path"])
        problems = unmet(expect, record)
        with self.ws.session() as s:
            lifecycle.record(s, row, user=self.user, action="lookup", found=not problems, problems=problems,
                             plan_hash=self.plan_hash)
        if not problems:
            return self._pushed(row, {"found_by_lookup": True, "read_back": _summary(record)},
                                target_id=str(record["id"]), found=True)  # type: ignore[index]
        lines = expect.get("lines")
        if row["target_modified"] is not None and lines and record is not None:
            count = own_lines(lines, record)
            if count:  # part of a keyless PATCH is there: re-sending would append it again
                return self._fail(row, f"lookup found {count} line(s) of this correction but not the expected "
                                       "result; not re-sent (keyless sublist); review it in the ERP",
                                  retryable=False, answered=True)
        return None

    def _mark_sending(self, row: dict[str, Any]) -> None:
        """Committed before the request leaves: a crash after sending leaves ``outcome_unknown`` behind."""
        with self.ws.session() as s:
            store.update(s, row["id"], attempts=row["attempts"] + 1, outcome_unknown=True, plan_hash=self.plan_hash)
            lifecycle.record(s, row, user=self.user, action="send", attempt=row["attempts"] + 1,
                             plan_hash=self.plan_hash)

    def _pushed(self, row: dict[str, Any], result: dict[str, Any], *, target_id: str | None,
                found: bool = False) -> Outcome:
        now = utc_now()
        with self.ws.session() as s:
            current = lifecycle.require(s, row["id"])
            lifecycle.move(s, current, "pushed", user=self.user, action="push", pushed_at=now, outcome_unknown=False,
                           reason=None, target_id=target_id, plan_hash=self.plan_hash,
                           result=json.dumps(result, sort_keys=True, default=str))
            note = f"correction {row['id']} ({row['action']}) pushed under plan {self.plan_hash[:12]}"
            before = store.resolve_break(s, row["break_id"], user=self.user, now=now, note=note) \
                if row["break_id"] else None
            if before is not None:
                audit.record(s, user=self.user, action="break.status", object_type="break", object_id=row["break_id"],
                             details={"period": row["period"], "from": before, "to": "resolved",
                                      "reason": "fixed_in_source", "note": note, "correction": row["id"]})
        return Outcome(row["id"], "pushed", "found by lookup, not re-sent" if found else f"target {target_id}",
                       found_by_lookup=found)

    def _fail(self, row: dict[str, Any], reason: str, *, retryable: bool, answered: bool = False,
              result: dict[str, Any] | None = None) -> Outcome:
        """Fail the correction; ``answered``: the source gave a definite answer, so the outcome is known."""
        with self.ws.session() as s:
            current = lifecycle.require(s, row["id"])
            changes: dict[str, Any] = {"reason": reason, "retryable": retryable, "plan_hash": self.plan_hash}
            if answered:
                changes["outcome_unknown"] = False
            if result is not None:
                changes["result"] = json.dumps(result, sort_keys=True, default=str)
            lifecycle.move(s, current, "failed", user=self.user, action="fail", **changes)
        return Outcome(row["id"], "failed", reason)


def _summary(record: dict[str, Any] | None) -> dict[str, Any]:
    """The read-back fields worth keeping with the correction (not the whole record)."""
    if not record:
        return {}
    keep = ("id", "externalId", "tranId", "total", "taxTotal", "status", "memo", "lastModifiedDate", "metadata")
    return {k: record[k] for k in keep if k in record}
