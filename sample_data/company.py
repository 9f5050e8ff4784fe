"""The fictional company: two entities, its product catalogue and its customers with subscriptions.

Writes the NetSuite reference tables (subsidiary, accountingperiod, item, customer) and
the Stripe product, price, customer and subscription objects.
"""

from __future__ import annotations

import calendar
from random import Random
from typing import NamedTuple

from tieout.sample_data.ids import NewId
from tieout.sample_data.periods import MONTH_NAMES, PERIOD_IDS, add_months, ts
from tieout.sample_data.writer import Emit

ENTITIES = {"US": {"subsidiary": "1", "name": "Tieout Demo Inc."},
            "EU": {"subsidiary": "2", "name": "Tieout Demo GmbH"}}
TIERS = [("Starter", {"usd": 2900, "eur": 2700, "jpy": 3900}),
         ("Growth", {"usd": 9900, "eur": 8900, "jpy": 12900}),
         ("Enterprise", {"usd": 49900, "eur": 45900, "jpy": 64900})]
USAGE = "API calls (per 1,000)"
USAGE_UNIT = {"usd": 50, "eur": 45, "jpy": 70}  # per 1,000 API calls
TAX_BP = {"EU": 1900, "JPY": 1000}  # tax rate in basis points per tax kind (US: 7.25% for some customers)


class Price(NamedTuple):
    id: str
    product: str
    unit: int


class Catalogue(NamedTuple):
    """Prices by (tier or usage product, currency, interval), NetSuite item per product, tax rate per tax kind."""

    prices: dict[tuple[str, str, str], Price]
    items: dict[str, str]
    tax_rates: dict[str, str]


class Customer(NamedTuple):
    """One customer and its single subscription (a seat line, plus a metered usage line for some)."""

    id: str  # Stripe cus_
    ns_id: str  # NetSuite customer id
    entity: str  # "US" | "EU"
    cur: str  # lowercase Stripe currency
    tax_bp: int
    annual: bool
    tier: str
    qty: int
    anchor_month: int  # annual plans: month billed (9 or 10); 0 for monthly
    anchor_day: int
    usage: bool
    discount_pct: int
    prefix: str  # invoice number prefix
    sub: str
    si: str
    si_usage: str | None
    coupon: str | None
    meta: dict[str, str]
    subsidiary: str
    cur_code: str  # uppercase ISO code, as NetSuite shows it
    tax_kind: str  # "US" | "EU" | "JPY"


def write_reference(emit: Emit) -> None:
    """NetSuite subsidiaries and accounting periods."""
    for ent, info in ENTITIES.items():
        emit("netsuite/subsidiary", {"id": info["subsidiary"], "name": info["name"],
                                     "country": "US" if ent == "US" else "DE",
                                     "currency": "USD" if ent == "US" else "EUR", "custrecord_tieout_entity": ent})
    for p, name in MONTH_NAMES.items():
        y, m = int(p[:4]), int(p[5:])
        emit("netsuite/accountingperiod", {"id": PERIOD_IDS[p], "periodname": name, "startdate": f"{p}-01",
                                           "enddate": f"{p}-{calendar.monthrange(y, m)[1]:02d}", "isposting": "T"})


def write_catalogue(emit: Emit, new: NewId) -> Catalogue:
    """Stripe products and prices (monthly and annual per currency), NetSuite items, tax rate ids."""
    created0 = ts(2026, 1, 15, 9)
    prices: dict[tuple[str, str, str], Price] = {}
    items: dict[str, str] = {}
    products = [(t[0], t[1], "licensed") for t in TIERS] + [(USAGE, USAGE_UNIT, "usage")]
    for j, (pname, units, kind) in enumerate(products):
        prod = new("prod")
        items[prod] = str(500 + j)
        emit("netsuite/item", {"id": items[prod], "itemid": pname, "itemtype": "Service", "externalid": prod,
                               "incomeaccount": "Subscription Revenue" if kind == "licensed" else "Usage Revenue",
                               "deferredrevenueaccount": "Deferred Revenue"})
        prices_for_prod = []
        for cur in ("usd", "eur", "jpy"):
            for interval in (("month", "year") if kind == "licensed" else ("month",)):
                pid = new("price")
                unit = units[cur] * (10 if interval == "year" else 1)
                prices[(pname, cur, interval)] = Price(pid, prod, unit)
                prices_for_prod.append(pid)
                emit("stripe/price", {"id": pid, "object": "price", "active": True, "billing_scheme": "per_unit",
                                      "created": created0, "currency": cur, "livemode": False, "lookup_key": None,
                                      "metadata": {}, "nickname": None, "product": prod,
                                      "recurring": {"interval": interval, "interval_count": 1, "meter": None,
                                                    "usage_type": "licensed" if kind == "licensed" else "metered",
                                                    "trial_period_days": None},
                                      "tax_behavior": "exclusive", "type": "recurring", "unit_amount": unit,
                                      "unit_amount_decimal": str(unit)})
        emit("stripe/product", {"id": prod, "object": "product", "active": True, "created": created0,
                                "default_price": prices_for_prod[0], "description": None, "livemode": False,
                                "metadata": {}, "name": pname, "type": "service", "updated": created0})
    tax_rates = {"US": new("txr"), "EU": new("txr"), "JPY": new("txr")}
    return Catalogue(prices, items, tax_rates)


def customer_count(invoices: int) -> int:
    """Customers needed for ~``invoices`` per month (90% monthly; annual plans bill once a year)."""
    return max(20, -(-invoices * 100 // 95))


def _subscription_item(c: Customer, item_id: str, price: Price, created: int, start: int, end: int,
                       interval: str, usage_type: str) -> dict:
    item = {"id": item_id, "object": "subscription_item", "created": created, "current_period_start": start,
            "current_period_end": end, "discounts": [], "metadata": {},
            "price": {"id": price.id, "object": "price", "currency": c.cur, "product": price.product,
                      "unit_amount": price.unit,
                      "recurring": {"interval": interval, "interval_count": 1, "usage_type": usage_type}}}
    if usage_type == "licensed":  # metered items carry no quantity; key order follows Stripe's
        item["quantity"] = c.qty
    item["subscription"] = c.sub
    item["tax_rates"] = []
    return item


def write_customers(emit: Emit, new: NewId, rng: Random, seed: int, n_cust: int, cat: Catalogue) -> list[Customer]:
    """Draw ``n_cust`` customers from ``rng``; emit Stripe customers + subscriptions and NetSuite customers."""
    rnd = rng.random
    customers = []
    for k in range(n_cust):
        u = rnd()
        if u < 0.60:
            ent, cur, taxk = "US", "usd", "US"
        elif u < 0.97:
            ent, cur, taxk = "EU", "eur", "EU"
        else:
            ent, cur, taxk = "EU", "jpy", "JPY"
        tax_bp = 725 if (taxk == "US" and rnd() < 0.4) else (0 if taxk == "US" else TAX_BP[taxk])
        annual = rnd() < 0.10
        tier = TIERS[0 if rnd() < 0.6 else (1 if rnd() < 0.8 else 2)][0]
        qty = 1 + int(rnd() * 20)
        if annual:
            amonth = 9 if rnd() < 0.5 else 10
            aday = 1 + int(rnd() * 28)
        else:
            amonth = 0
            aday = 1 if rnd() < 0.65 else 2 + int(rnd() * 27)
        usage = (not annual) and rnd() < 0.4
        disc = (10 if rnd() < 0.5 else 20) if rnd() < 0.15 else 0
        cid = new("cus")
        sub = new("sub")
        si = new("si")
        c = Customer(cid, str(100000 + k), ent, cur, tax_bp, annual, tier, qty, amonth, aday, usage, disc,
                     f"{(k * 2654435761 + seed) % 0xFFFFFFFF:08X}", sub, si, new("si") if usage else None,
                     f"TIEOUT{disc}" if disc else None, {"tieout_entity": ent}, ENTITIES[ent]["subsidiary"],
                     cur.upper(), taxk)
        c_created = ts(2026, 1 + int(rnd() * 8), 1 + int(rnd() * 28), int(rnd() * 24))
        name = f"Customer {k:06d} {'LLC' if ent == 'US' else ('GmbH' if cur == 'eur' else 'KK')}"
        emit("stripe/customer", {"id": cid, "object": "customer", "balance": 0, "created": c_created,
                                 "currency": cur, "email": f"billing+{k}@customer{k}.example",
                                 "invoice_prefix": c.prefix, "livemode": False, "metadata": c.meta, "name": name,
                                 "tax_exempt": "none"})
        emit("netsuite/customer", {"id": c.ns_id, "entityid": f"CUST{k:06d}", "companyname": name,
                                   "externalid": cid, "subsidiary": c.subsidiary, "currency": c.cur_code})
        interval = "year" if annual else "month"
        # current period as of the snapshot
        if annual:
            cps, cpe = ts(2026, amonth, aday), ts(2027, amonth, aday)
        else:
            cps, cpe = ts(2026, 10, aday), ts(*add_months(2026, 10, 1), aday)
        sitems = [_subscription_item(c, si, cat.prices[(tier, cur, interval)], c_created, cps, cpe, interval,
                                     "licensed")]
        if usage:
            sitems.append(_subscription_item(c, c.si_usage, cat.prices[(USAGE, cur, "month")], c_created, cps, cpe,
                                             "month", "metered"))
        emit("stripe/subscription", {"id": sub, "object": "subscription", "billing_cycle_anchor": cps,
                                     "cancel_at": None, "canceled_at": None,
                                     "collection_method": "charge_automatically", "created": c_created,
                                     "currency": cur, "customer": cid, "discounts": [], "ended_at": None,
                                     "items": {"object": "list", "data": sitems, "has_more": False,
                                               "url": f"/v1/subscription_items?subscription={sub}"},
                                     "livemode": False, "metadata": c.meta, "status": "active"})
        customers.append(c)
    return customers
