"""Shared helpers for connector tests: sandboxes wired to a workspace, store snapshots."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tieout.connectors.sandbox import Faults, NetSuiteSandbox, StripeSandbox
from tieout.connectors.sandbox.netsuite import default_secret
from tieout.connectors.sources import add_source
from tieout.storage.workspace import Workspace

STRIPE_SECRET = "sk_test_S3cr3tValueThatMustNotLeak"
FAST = {"read_timeout": 0.5, "connect_timeout": 0.5, "backoff_base": 0.01, "rate": 10000}


@dataclass
class Sandboxes:
    stripe: StripeSandbox
    netsuite: NetSuiteSandbox


@contextmanager
def sandboxes(ws: Workspace, data: Path, monkeypatch: pytest.MonkeyPatch, *, stripe_faults: Faults | None = None,
              netsuite_faults: Faults | None = None, **stripe_options: int) -> Iterator[Sandboxes]:
    """Both sandboxes serving ``data``, configured in ``ws`` as sources 'stripe' and 'netsuite'."""
    ns_secret = default_secret()
    monkeypatch.setenv("TIEOUT_SECRET_STRIPE", STRIPE_SECRET)
    monkeypatch.setenv("TIEOUT_SECRET_NETSUITE", ns_secret)
    stripe = StripeSandbox(data, secret=STRIPE_SECRET, faults=stripe_faults, **stripe_options)
    netsuite = NetSuiteSandbox(data, secret=ns_secret, faults=netsuite_faults)
    with stripe.serving() as s_url, netsuite.serving() as n_url:
        add_source(ws, "stripe", kind="stripe", side="billing", url=s_url)
        add_source(ws, "netsuite", kind="netsuite", side="erp", url=n_url)
        yield Sandboxes(stripe, netsuite)


CANONICAL = ("customer", "product", "invoice", "invoice_line", "credit_note", "credit_note_line", "payment",
             "payment_application", "payout", "payout_item", "bank_deposit", "bank_deposit_line",
             "revenue_schedule_line")


def snapshot(db: Path) -> dict[str, object]:
    """Everything that should be equal after equivalent syncs: raw payload hashes and canonical rows."""
    with sqlite3.connect(db) as conn:
        out: dict[str, object] = {
            "raw": sorted(conn.execute(
                "SELECT s.name, object_type, external_id, version, payload_hash FROM raw_record r "
                "JOIN source s ON s.id = r.source_id")),
        }
        for table in CANONICAL:
            cols = [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')
                    if r[1] not in ("id", "raw_record_id", "sync_run_id", "source_id")]
            out[table] = sorted(conn.execute(f'SELECT {", ".join(cols)} FROM "{table}"'), key=repr)
    return out


def raw_counts(db: Path, source: str) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        return dict(conn.execute(
            "SELECT object_type, count(*) FROM raw_record r JOIN source s ON s.id = r.source_id "
            "WHERE s.name = ? GROUP BY object_type", (source,)))
