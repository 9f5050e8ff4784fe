"""Load a generated sample_data folder straight into a workspace, "as if synced".

Creates the sources ``stripe`` (billing) and ``netsuite`` (erp), one sync
run each, and ingests every object through the same mappers the HTTP
connectors use, in pages of :data:`PAGE_SIZE` records.  Used by the demo,
tests and benchmarks that need a store full of data without HTTP.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Collection, Iterable, Iterator
from pathlib import Path

# importing the mapping modules registers their mappers
from tieout.connectors.bulk_gc import spaced_gc
from tieout.connectors.netsuite import mapping as ns_mapping
from tieout.connectors.prefetch import Prefetcher
from tieout.connectors.registry import MapContext, map_payload
from tieout.connectors.sample_set import SampleSet
from tieout.connectors.stripe.mapping import with_payout
from tieout.storage.ingest import Counts, Record, finish_sync_run, ingest_page
from tieout.storage.sources import begin_sync
from tieout.storage.load_indexes import drop_for_first_load, restore
from tieout.storage.workspace import Workspace

PAGE_SIZE = 10_000

STRIPE_TYPES = ("customer", "product", "price", "subscription", "invoice", "credit_note", "invoice_payment",
                "payment_intent", "charge", "refund", "payout")
NETSUITE_TABLES = {"customer": "customer", "item": "item", "revenueplanline": "revenue_plan_line",
                   "deferredrevenuebalance": "deferred_revenue_balance"}


def load_sample(
    ws: Workspace, data_dir: Path, *, only: Collection[str] | None = None
) -> dict[str, dict[str, dict[str, int]]]:
    """Ingest ``data_dir`` into ``ws``; returns per source, per object type {new, changed, unchanged}.

    ``only`` keeps just these object types (e.g. ``{"customer", "invoice", "credit_note", "credit_memo"}``
    for the invoice domain), so a benchmark can load a million invoices without their payments.
    """
    sample = SampleSet(data_dir)
    ctx = MapContext.from_config(ws.config.entities)
    wanted = (lambda object_type: object_type in only) if only is not None else (lambda object_type: True)
    conn = ws.raw()
    first_load = drop_for_first_load(conn)
    try:
        result = {
            "stripe": _load(conn, "stripe", "billing", _stripe_records(sample, ctx, wanted)),
            "netsuite": _load(conn, "netsuite", "erp", _netsuite_records(sample, ctx, wanted)),
        }
    finally:
        conn.close()
        if first_load:
            restore(ws.engine)
    ws.audit("sync.sample_load", object_type="sample", object_id=str(sample.path.name),
             details={name: {t: c["new"] + c["changed"] for t, c in counts.items()} for name, counts in result.items()})
    return result


def _load(conn: sqlite3.Connection, name: str, side: str, records: Iterable[Record]) -> dict[str, dict[str, int]]:
    start = begin_sync(conn, name, name, side)
    source_id, run_id = start.source_id, start.run_id
    total = Counts()
    try:
        with spaced_gc(), Prefetcher(_pages(records), depth=4) as pages:  # read + map in a thread while storing
            for page in pages:
                total.merge(ingest_page(conn, source_id=source_id, side=side, sync_run_id=run_id, records=page,
                                        cursor={"loaded": sum(sum(c.values()) for c in total.by_type.values())
                                                + len(page)}))
    except BaseException as exc:
        finish_sync_run(conn, run_id, error=str(exc) or type(exc).__name__)
        raise
    finish_sync_run(conn, run_id)
    return total.as_dict()


def _pages(records: Iterable[Record]) -> Iterator[list[Record]]:
    page: list[Record] = []
    for rec in records:
        page.append(rec)
        if len(page) >= PAGE_SIZE:
            yield page
            page = []
    if page:
        yield page


def _stripe_records(sample: SampleSet, ctx: MapContext, wanted: Callable[[str], bool]) -> Iterator[Record]:
    for object_type in filter(wanted, STRIPE_TYPES):
        for obj in sample.rows("stripe", object_type):
            yield map_payload("stripe", object_type, obj, ctx)
    if wanted("balance_transaction"):
        payout_of = {r["balance_transaction"]: r["payout"] for r in sample.rows("stripe", "payout_balance_transaction")}
        for obj in sample.rows("stripe", "balance_transaction"):
            yield map_payload("stripe", "balance_transaction", with_payout(obj, payout_of.get(obj["id"])), ctx)


def _netsuite_records(sample: SampleSet, ctx: MapContext, wanted: Callable[[str], bool]) -> Iterator[Record]:
    for table in ("customer", "item"):
        if wanted(NETSUITE_TABLES[table]):
            for row in sample.rows("netsuite", table):
                yield map_payload("netsuite", NETSUITE_TABLES[table], row, ctx)
    for txn in sample.netsuite_transactions():
        object_type = ns_mapping.transaction_object_type(txn)
        if wanted(object_type):
            yield map_payload("netsuite", object_type, txn, ctx)
    for table in ("revenueplanline", "deferredrevenuebalance"):
        if wanted(NETSUITE_TABLES[table]):
            for row in sample.rows("netsuite", table):
                yield map_payload("netsuite", NETSUITE_TABLES[table], row, ctx)
