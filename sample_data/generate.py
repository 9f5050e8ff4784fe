"""Generate a deterministic Stripe + NetSuite sample (Sep/Oct 2026) with planted breaks.

    python -m tieout.sample_data.generate --seed 7 --invoices 2000 --out DIR

Everything is computed with integers (minor units); the only randomness is one
``random.Random(seed)`` stream consumed in a fixed order, so the same seed and
size give byte-identical files. Layout, shapes and break definitions:
``sample_data/README.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from random import Random
from typing import Any

from tieout.sample_data.amounts import ns_decimal, parse_ns_decimal  # re-exported (see __all__)
from tieout.sample_data.billing import Billing
from tieout.sample_data.company import customer_count, write_catalogue, write_customers, write_reference
from tieout.sample_data.ids import id_factory
from tieout.sample_data.netsuite_objects import NetSuite
from tieout.sample_data.payouts import Payouts
from tieout.sample_data.periods import PERIODS, PLANT_PERIOD, SNAPSHOT
from tieout.sample_data.plants import AnswerKey
from tieout.sample_data.revenue import Revenue, allocate  # allocate: re-exported
from tieout.sample_data.stripe_objects import Stripe
from tieout.sample_data.writer import Writer

__all__ = ["generate", "allocate", "ns_decimal", "parse_ns_decimal", "main"]

SCHEMA_VERSION = 1
STRIPE_API_VERSION = "2025-03-31.basil"
STRIPE_FILES = ["customer", "product", "price", "subscription", "invoice", "invoice_payment", "payment_intent",
                "charge", "refund", "credit_note", "balance_transaction", "payout", "payout_balance_transaction"]
NETSUITE_FILES = ["subsidiary", "accountingperiod", "item", "customer", "transaction", "transactionline",
                  "transactionlink", "revenueplanline", "deferredrevenuebalance"]


def _write_json(path: str, obj: Any) -> None:
    with open(path, "wb") as f:
        f.write(json.dumps(obj, indent=1, sort_keys=True).encode() + b"\n")


def generate(seed: int, invoices: int, out: str, gz: bool = True) -> dict:
    """Write the sample for ``seed`` with ~``invoices`` per month into ``out``; returns the manifest.

    The manifest also carries ``_seconds`` (wall time; not written to disk).
    """
    t0 = time.time()
    rng = Random(seed)
    new = id_factory(seed)
    os.makedirs(out, exist_ok=True)
    w = Writer(out, gz)
    for name in STRIPE_FILES:
        w.declare("stripe/" + name)
    for name in NETSUITE_FILES:
        w.declare("netsuite/" + name)
    emit = w.emit
    key = AnswerKey()

    write_reference(emit)
    cat = write_catalogue(emit, new)
    n_cust = customer_count(invoices)
    customers = write_customers(emit, new, rng, seed, n_cust, cat)

    stripe, ns, revenue, payouts = Stripe(emit, new, cat), NetSuite(emit), Revenue(emit), Payouts()
    billing = Billing(new, rng, customers, stripe, ns, revenue, payouts, key)
    for y, m in ((2026, 9), (2026, 10)):
        billing.bill_month(y, m)

    prng = Random(seed * 7919 + 1)  # a second stream: payout and roll-forward plants
    payouts.write(stripe, ns, new, prng, key)
    revenue.write_rollforward(prng, key)

    w.close()
    entries = key.sorted()
    _write_json(os.path.join(out, "answer_key.json"), entries)
    counts = w.counts
    files = {w.path(name): counts[name] for name in sorted(counts)}
    manifest: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION, "seed": seed, "invoices_per_month": invoices, "customers": n_cust,
        "periods": list(PERIODS), "plant_period": PLANT_PERIOD, "stripe_api_version": STRIPE_API_VERSION,
        "snapshot": SNAPSHOT, "gzip": gz, "files": files,
        "answer_key": {"entries": len(entries), "by_kind": key.by_kind()}}
    _write_json(os.path.join(out, "manifest.json"), manifest)
    manifest["_seconds"] = round(time.time() - t0, 2)
    return manifest


def main(argv: list[str] | None = None) -> int:
    """CLI entry point: ``python -m tieout.sample_data.generate``."""
    ap = argparse.ArgumentParser(prog="python -m tieout.sample_data.generate", description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--invoices", type=int, default=2000, help="invoices per month (roughly)")
    ap.add_argument("--out", required=True, help="output directory")
    ap.add_argument("--no-gzip", action="store_true", help="write plain .jsonl (faster, larger)")
    a = ap.parse_args(argv)
    m = generate(a.seed, a.invoices, a.out, gz=not a.no_gzip)
    inv = m["files"][("stripe/invoice.jsonl" + ("" if a.no_gzip else ".gz"))]
    print(f"wrote {a.out}: {inv} Stripe invoices, {m['answer_key']['entries']} planted breaks, "
          f"{m['_seconds']} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
