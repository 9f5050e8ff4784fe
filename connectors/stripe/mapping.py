"""Stripe API objects -> canonical rows (pure functions, registered per object type).

Conventions: amounts are already integer minor units (zero-decimal
currencies too); currency is upper-cased; the entity is
``metadata.tieout_entity`` or the source's entity; dates are the UTC day of
a timestamp.  An invoice's posting date is its ``effective_at`` (when it was
finalised; drafts have none).  Invoice ``subtotal`` is after discounts and
before tax (``total_excluding_tax``), matching what an ERP books; a line's
``amount`` is likewise net of its discounts, with the discount kept in
``discount_amount``.  A line's service period ``[period.start, period.end)``
is stored with an inclusive end day.  Objects with no canonical table
(prices, subscriptions, payment intents) are kept as raw payloads only.
"""

from __future__ import annotations

from typing import Any

from tieout.connectors.fields import currency, period, utc_date
from tieout.connectors.registry import MapContext, mapper
from tieout.storage.ingest import Record

KIND = "stripe"
Payload = dict[str, Any]


def _entity(obj: Payload, ctx: MapContext) -> str | None:
    return (obj.get("metadata") or {}).get("tieout_entity") or ctx.entity


def _common(obj: Payload, ctx: MapContext) -> dict[str, Any]:
    return {"external_id": obj["id"], "entity": _entity(obj, ctx), "currency": currency(obj.get("currency"))}


def _sum(items: list[Payload] | None, key: str = "amount") -> int:
    return sum(int(i[key]) for i in items or ())


def _raw_only(object_type: str):
    @mapper(KIND, object_type)
    def map_raw(obj: Payload, ctx: MapContext) -> Record:
        return Record(object_type, obj["id"], obj)

    return map_raw


for _type in ("price", "subscription", "payment_intent"):
    _raw_only(_type)


@mapper(KIND, "customer")
def map_customer(obj: Payload, ctx: MapContext) -> Record:
    row = {**_common(obj, ctx), "name": obj.get("name"), "email": obj.get("email")}
    return Record("customer", obj["id"], obj, {"customer": [row]})


@mapper(KIND, "product")
def map_product(obj: Payload, ctx: MapContext) -> Record:
    row = {"external_id": obj["id"], "entity": ctx.entity, "name": obj.get("name")}
    return Record("product", obj["id"], obj, {"product": [row]})


def _line(line: Payload, invoice: Payload, no: int, ctx: MapContext) -> dict[str, Any]:
    discount = _sum(line.get("discount_amounts"))
    span = line.get("period") or {}
    end = span.get("end")
    price = ((line.get("pricing") or {}).get("price_details") or {})
    return {
        "external_id": line["id"],
        "entity": _entity(invoice, ctx),
        "currency": currency(line.get("currency") or invoice.get("currency")),
        "invoice_ref": invoice["id"],
        "line_no": no,
        "description": line.get("description"),
        "product_ref": price.get("product"),
        "quantity": int(line.get("quantity") or 1),
        "amount": int(line["amount"]) - discount,
        "discount_amount": discount,
        "tax": _sum(line.get("taxes")),
        "service_start": utc_date(span.get("start")),
        "service_end": utc_date(end - 1 if end and end != span.get("start") else end),
    }


@mapper(KIND, "invoice")
def map_invoice(obj: Payload, ctx: MapContext) -> Record:
    """An invoice with ALL its lines (the connector follows ``lines.has_more`` first)."""
    posted = utc_date(obj.get("effective_at"))
    total = int(obj["total"])
    tax = _sum(obj.get("total_taxes"))
    row = {
        **_common(obj, ctx),
        "number": obj.get("number"),
        "customer_ref": obj.get("customer"),
        "customer_billing_ref": obj.get("customer"),
        "status": obj["status"],
        "posting_date": posted,
        "posting_period": period(posted),
        "due_date": utc_date(obj.get("due_date")),
        "subtotal": int(obj.get("total_excluding_tax") if obj.get("total_excluding_tax") is not None else total - tax),
        "tax": tax,
        "total": total,
        "amount_paid": int(obj.get("amount_paid") or 0),
        "amount_due": int(obj.get("amount_remaining") or 0),
        "memo": obj.get("description"),
    }
    lines = [_line(line, obj, no, ctx) for no, line in enumerate((obj.get("lines") or {}).get("data") or (), 1)]
    return Record("invoice", obj["id"], obj, {"invoice": [row], "invoice_line": lines})


@mapper(KIND, "credit_note")
def map_credit_note(obj: Payload, ctx: MapContext) -> Record:
    posted = utc_date(obj.get("effective_at") or obj.get("created"))
    tax = _sum(obj.get("total_taxes"))
    row = {
        **_common(obj, ctx),
        "number": obj.get("number"),
        "invoice_ref": obj.get("invoice"),
        "customer_ref": obj.get("customer"),
        "customer_billing_ref": obj.get("customer"),
        "status": obj.get("status") or "issued",
        "reason": obj.get("reason"),
        "posting_date": posted,
        "posting_period": period(posted),
        "subtotal": int(obj["total"]) - tax,
        "tax": tax,
        "total": int(obj["total"]),
    }
    lines = [
        {
            "external_id": line["id"],
            "entity": row["entity"],
            "currency": row["currency"],
            "credit_note_ref": obj["id"],
            "invoice_line_ref": line.get("invoice_line_item"),
            "description": line.get("description"),
            "amount": int(line["amount"]) - int(line.get("discount_amount") or 0),
            "tax": _sum(line.get("taxes")),
        }
        for line in (obj.get("lines") or {}).get("data") or ()
    ]
    return Record("credit_note", obj["id"], obj, {"credit_note": [row], "credit_note_line": lines})


def _payment(obj: Payload, ctx: MapContext, kind: str, amount: int, date_ts: int | None, **extra: Any) -> dict[str, Any]:
    posted = utc_date(date_ts)
    return {
        **_common(obj, ctx),
        "kind": kind,
        "customer_ref": obj.get("customer"),
        "customer_billing_ref": obj.get("customer"),
        "status": obj.get("status"),
        "posting_date": posted,
        "posting_period": period(posted),
        "amount": amount,
        "net": amount,
        **extra,
    }


@mapper(KIND, "invoice_payment")
def map_invoice_payment(obj: Payload, ctx: MapContext) -> Record:
    """An invoice payment (API 2025-03-31+): the payment applied to one invoice."""
    paid_at = (obj.get("status_transitions") or {}).get("paid_at") or obj.get("created")
    amount = int(obj.get("amount_paid") or 0)
    paid_by = obj.get("payment") or {}
    # the payment intent (or charge) that paid it: the charge's counterpart_ref, so a charge finds its invoice
    row = _payment(obj, ctx, "payment", amount, paid_at, invoice_ref=obj.get("invoice"),
                   counterpart_ref=paid_by.get("payment_intent") or paid_by.get("charge"))
    app = {"external_id": obj["id"], "entity": row["entity"], "currency": row["currency"],
           "payment_ref": obj["id"], "invoice_ref": obj["invoice"], "amount": amount}
    return Record("invoice_payment", obj["id"], obj, {"payment": [row], "payment_application": [app]})


@mapper(KIND, "charge")
def map_charge(obj: Payload, ctx: MapContext) -> Record:
    # counterpart_ref: the payment intent it settles, which the invoice payment names (API 2025-03-31+:
    # neither the charge nor the invoice names the other)
    row = _payment(obj, ctx, "charge", int(obj["amount"]), obj.get("created"),
                   counterpart_ref=obj.get("payment_intent"))
    return Record("charge", obj["id"], obj, {"payment": [row]})


@mapper(KIND, "refund")
def map_refund(obj: Payload, ctx: MapContext) -> Record:
    row = _payment(obj, ctx, "refund", int(obj["amount"]), obj.get("created"), counterpart_ref=obj.get("charge"))
    return Record("refund", obj["id"], obj, {"payment": [row]})


@mapper(KIND, "balance_transaction")
def map_balance_transaction(obj: Payload, ctx: MapContext) -> Record:
    """A balance transaction; ``payout`` is the payout whose list it came from
    (``GET /v1/balance_transactions?payout=po_...``), added by the connector."""
    row = {
        **_common(obj, ctx),
        "payout_ref": obj.get("payout"),
        "type": obj.get("type") or "charge",
        "source_ref": obj.get("source"),
        "created_date": utc_date(obj.get("created")),
        "amount": int(obj["amount"]),
        "fee": int(obj.get("fee") or 0),
        "net": int(obj["net"]),
    }
    return Record("balance_transaction", obj["id"], obj, {"payout_item": [row]})


@mapper(KIND, "payout")
def map_payout(obj: Payload, ctx: MapContext) -> Record:
    arrival = utc_date(obj.get("arrival_date"))
    row = {**_common(obj, ctx), "status": obj.get("status"), "arrival_date": arrival,
           "posting_period": period(arrival), "amount": int(obj["amount"])}
    return Record("payout", obj["id"], obj, {"payout": [row]})


def with_payout(balance_transaction: Payload, payout: str | None) -> Payload:
    """The balance transaction as listed under its payout, with that payout id recorded."""
    return {**balance_transaction, "payout": payout} if payout else balance_transaction
