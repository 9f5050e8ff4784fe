"""The write-back plan: every approved correction's exact request in one deterministic JSON, and its SHA-256.

Signing a plan records its hash in the audit chain under the signer's name
(``correction.plan.sign``).  Pushing names the hash; the push rebuilds each
correction's entry from the store and refuses the whole plan if any entry
differs from what was signed, so nothing can change between signing and
sending.  Statuses are not part of an entry: a failed, retryable correction
is pushed again under the same plan.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from tieout.reconcile.corrections.types import CorrectionError
from tieout.storage import audit, periods
from tieout.storage import corrections as store
from tieout.storage.db import utc_now

VERSION = 1


@dataclass(frozen=True)
class Plan:
    hash: str
    text: str  # the canonical JSON the hash covers
    period: str | None
    entries: list[dict[str, Any]]
    signed_by: str

    def as_dict(self) -> dict[str, Any]:
        return json.loads(self.text)


def entry(row: dict[str, Any]) -> dict[str, Any]:
    """What a plan says about one correction: the request and everything that guards it."""
    return {"id": row["id"], "break_id": row["break_id"], "type": row["action"], "period": row["period"],
            "entity": row["entity"], "source": row["source"], "request": json.loads(row["payload"] or "{}"),
            "target_path": row["target_path"], "target_modified": row["target_modified"],
            "expect": json.loads(row["expect"] or "{}"), "amount": row["amount"], "currency": row["currency"],
            "maker": row["maker"], "checker": row["checker"], "checker2": row["checker2"],
            "idempotency_key": row["idempotency_key"]}


def canonical(period: str | None, entries: list[dict[str, Any]]) -> str:
    return json.dumps({"version": VERSION, "period": period, "corrections": entries}, sort_keys=True,
                      ensure_ascii=False, separators=(",", ":"))


def make_and_sign(session: Session, period: str | None, user: str) -> Plan:
    """Plan every approved (or retryable failed) correction of ``period`` and sign it as ``user``."""
    rows = store.plannable(session, period)
    if not rows:
        scope = f" of {period}" if period else ""
        raise CorrectionError(f"no approved corrections{scope} to plan")
    for row in rows:
        periods.ensure_open(session, row["period"], row["entity"])
        if user == row["maker"]:
            raise CorrectionError(f"correction {row['id']}: {user} proposed it, so a different user must sign "
                                  "the plan that pushes it")
    entries = [entry(row) for row in rows]
    text = canonical(period, entries)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    store.save_plan(session, plan_hash=digest, period=period, body=text, user=user, now=utc_now())
    audit.record(session, user=user, action="correction.plan.sign", object_type="correction_plan",
                 object_id=digest, details={"period": period, "corrections": [e["id"] for e in entries]})
    return Plan(digest, text, period, entries, user)


def load_signed(session: Session, plan_hash: str) -> Plan:
    """The signed plan with this hash (or unique prefix of at least 8), refused if anything changed since."""
    if len(plan_hash) < 8:
        raise CorrectionError("give the plan hash (at least its first 8 characters)")
    found = store.plans_matching(session, plan_hash)
    if len(found) != 1:
        raise CorrectionError(f"plan {plan_hash}: " + ("no such signed plan (make one with `tieout correct plan`)"
                                                       if not found else "ambiguous; give more of the hash"))
    stored = store.get_plan(session, found[0])
    assert stored is not None
    text = stored["body"]
    if hashlib.sha256(text.encode("utf-8")).hexdigest() != stored["hash"]:
        raise CorrectionError(f"plan {stored['hash'][:12]}: its stored text no longer matches its hash; refused")
    if stored["signed_by"] not in store.plan_signers(session, stored["hash"]):
        raise CorrectionError(f"plan {stored['hash'][:12]}: no signature in the audit log; refused")
    entries = json.loads(text)["corrections"]
    for signed in entries:
        row = store.get(session, signed["id"])
        if row is None:
            raise CorrectionError(f"plan {stored['hash'][:12]}: correction {signed['id']} no longer exists; refused")
        now = entry(row)
        changed = sorted(k for k in signed if signed[k] != now.get(k))
        if changed:
            raise CorrectionError(f"plan {stored['hash'][:12]}: correction {signed['id']} changed after signing "
                                  f"({', '.join(changed)}); make and sign a new plan")
    return Plan(stored["hash"], text, stored["period"], entries, stored["signed_by"])
