"""NetSuite SuiteQL rows -> canonical rows (pure functions, registered per object type).

A transaction payload is the ``transaction`` row as SuiteQL returns it, plus
what the connector gathers with it: ``lines`` (its ``transactionline``
rows), ``links`` (``transactionlink`` rows pointing at it: the invoices a
payment applies to, the credit memo a refund pays out) and
``customerexternalid`` (the customer's externalid, i.e. its Stripe id).
Amounts are decimal text in the transaction currency, parsed exactly.  The
entity comes from the subsidiary (``[entities.E] netsuite_subsidiary``);
``counterpart_ref`` is the record's externalid (the Stripe id).
"""

from __future__ import annotations

from typing import Any

from tieout.connectors.errors import MappingError
from tieout.connectors.fields import currency, period, period_from_name
from tieout.connectors.registry import MapContext, map_payload, mapper
from tieout.storage.ingest import Record
from tieout.storage.money import parse_amount

KIND = "netsuite"
Payload = dict[str, Any]

TRANSACTION_TYPES = {
    "CustInvc": "invoice",
    "CustCred": "credit_memo",
    "CustPymt": "customer_payment",
    "CustRfnd": "customer_refund",
    "Deposit": "deposit",
}
"""NetSuite transaction type -> tieout object type."""

INVOICE_STATUS = {"A": "open", "B": "paid", "D": "void", "E": "draft", "V": "void"}
CREDIT_MEMO_STATUS = {"A": "open", "B": "applied", "V": "void"}


def _entity(obj: Payload, ctx: MapContext) -> str | None:
    sub = obj.get("subsidiary")
    return ctx.subsidiaries.get(str(sub), ctx.entity) if sub is not None else ctx.entity


def _money(obj: Payload, key: str, cur: str | None, *, what: str) -> int:
    value = obj.get(key)
    if value is None or value == "":
        return 0
    if cur is None:
        raise MappingError(f"netsuite {what}: {key} {value!r} has no currency")
    try:
        return parse_amount(str(value), cur, thousands_sep=None)
    except ValueError as exc:
        raise MappingError(f"netsuite {what}: field {key}: {exc}") from None


def _status(obj: Payload, table: dict[str, str]) -> str:
    code = str(obj.get("status") or "")
    return table.get(code.rpartition(":")[2], code.lower() or "open")


def _head(obj: Payload, ctx: MapContext) -> dict[str, Any]:
    """Columns every transaction row shares."""
    posted = obj.get("trandate")
    return {
        "external_id": str(obj["id"]),
        "entity": _entity(obj, ctx),
        "currency": currency(obj.get("currency")),
        "counterpart_ref": obj.get("externalid"),
        "posting_date": posted,
        "posting_period": period_from_name(obj.get("postingperiodname")) or period(posted),
    }


def _party(obj: Payload) -> dict[str, Any]:
    return {"customer_ref": obj.get("entity"), "customer_billing_ref": obj.get("customerexternalid")}


@mapper(KIND, "customer")
def map_customer(obj: Payload, ctx: MapContext) -> Record:
    row = {"external_id": str(obj["id"]), "entity": _entity(obj, ctx), "currency": currency(obj.get("currency")),
           "name": obj.get("companyname"), "email": obj.get("email"), "counterpart_ref": obj.get("externalid")}
    return Record("customer", row["external_id"], obj, {"customer": [row]})


@mapper(KIND, "item")
def map_item(obj: Payload, ctx: MapContext) -> Record:
    row = {"external_id": str(obj["id"]), "entity": ctx.entity, "name": obj.get("itemid")}
    return Record("item", row["external_id"], obj, {"product": [row]})


def _totals(obj: Payload, cur: str, what: str) -> dict[str, int]:
    """A document's total, tax and subtotal (NetSuite's foreigntotal includes tax)."""
    total = _money(obj, "foreigntotal", cur, what=what)
    tax = _money(obj, "taxtotal", cur, what=what)
    return {"subtotal": total - tax, "tax": tax, "total": total}


@mapper(KIND, "invoice")
def map_invoice(obj: Payload, ctx: MapContext) -> Record:
    head = _head(obj, ctx)
    what = f"invoice {head['external_id']}"
    cur = head["currency"]
    row = {**head, **_party(obj), **_totals(obj, cur, what), "number": obj.get("tranid"),
           "status": _status(obj, INVOICE_STATUS), "memo": obj.get("memo")}
    lines = [
        {
            "external_id": f"{head['external_id']}:{line['id']}",
            "entity": head["entity"],
            "currency": cur,
            "invoice_ref": head["external_id"],
            "counterpart_ref": line.get("custcol_stripe_line_id"),
            "line_no": int(line.get("linesequencenumber") or line["id"]),
            "product_ref": line.get("item"),
            "quantity": int(line.get("quantity") or 1),
            "amount": _money(line, "foreignamount", cur, what=f"{what} line {line['id']}"),
            "tax": _money(line, "taxamount", cur, what=f"{what} line {line['id']}"),
        }
        for line in obj.get("lines") or ()
    ]
    return Record("invoice", head["external_id"], obj, {"invoice": [row], "invoice_line": lines})


@mapper(KIND, "credit_memo")
def map_credit_memo(obj: Payload, ctx: MapContext) -> Record:
    head = _head(obj, ctx)
    what = f"credit memo {head['external_id']}"
    cur = head["currency"]
    row = {**head, **_party(obj), **_totals(obj, cur, what), "number": obj.get("tranid"),
           "invoice_ref": obj.get("createdfrom"), "status": _status(obj, CREDIT_MEMO_STATUS)}
    lines = [
        {
            "external_id": f"{head['external_id']}:{line['id']}",
            "entity": head["entity"],
            "currency": cur,
            "credit_note_ref": head["external_id"],
            "amount": _money(line, "foreignamount", cur, what=f"{what} line {line['id']}"),
            "tax": _money(line, "taxamount", cur, what=f"{what} line {line['id']}"),
        }
        for line in obj.get("lines") or ()
    ]
    return Record("credit_memo", head["external_id"], obj, {"credit_note": [row], "credit_note_line": lines})


def _cash(obj: Payload, ctx: MapContext, object_type: str, kind: str) -> Record:
    """A customer payment or refund with the documents it applies to."""
    head = _head(obj, ctx)
    what = f"{object_type} {head['external_id']}"
    cur = head["currency"]
    amount = _money(obj, "foreigntotal", cur, what=what)
    apps = [
        {
            "external_id": f"{head['external_id']}:{link['previousdoc']}",
            "entity": head["entity"],
            "currency": cur,
            "payment_ref": head["external_id"],
            "invoice_ref": str(link["previousdoc"]),
            "amount": _money(link, "foreignamount", cur, what=f"{what} application to {link['previousdoc']}"),
        }
        for link in obj.get("links") or ()
    ]
    row = {**head, **_party(obj), "kind": kind, "status": obj.get("status"), "amount": amount, "net": amount,
           "invoice_ref": apps[0]["invoice_ref"] if apps else None}
    return Record(object_type, head["external_id"], obj, {"payment": [row], "payment_application": apps})


@mapper(KIND, "customer_payment")
def map_customer_payment(obj: Payload, ctx: MapContext) -> Record:
    return _cash(obj, ctx, "customer_payment", "payment")


@mapper(KIND, "customer_refund")
def map_customer_refund(obj: Payload, ctx: MapContext) -> Record:
    return _cash(obj, ctx, "customer_refund", "refund")


def _deposit_kind(line: Payload) -> str:
    if line.get("createdfrom"):
        return "payment"
    return "fee" if "fee" in str(line.get("account") or "").lower() else "other"


@mapper(KIND, "deposit")
def map_deposit(obj: Payload, ctx: MapContext) -> Record:
    head = _head(obj, ctx)
    what = f"deposit {head['external_id']}"
    cur = head["currency"]
    lines = [
        {
            "external_id": f"{head['external_id']}:{line['id']}",
            "entity": head["entity"],
            "currency": cur,
            "deposit_ref": head["external_id"],
            "kind": _deposit_kind(line),
            "payment_ref": line.get("createdfrom"),
            "amount": _money(line, "foreignamount", cur, what=f"{what} line {line['id']}"),
        }
        for line in obj.get("lines") or ()
    ]
    row = {**head, "account": obj.get("account"), "amount": _money(obj, "foreigntotal", cur, what=what)}
    return Record("deposit", head["external_id"], obj, {"bank_deposit": [row], "bank_deposit_line": lines})


@mapper(KIND, "revenue_plan_line")
def map_revenue_plan_line(obj: Payload, ctx: MapContext) -> Record:
    cur = currency(obj.get("currency"))
    ext = str(obj["id"])
    row = {"external_id": ext, "entity": _entity(obj, ctx), "currency": cur,
           "invoice_ref": obj.get("sourcetransaction"), "invoice_line_ref": obj.get("custcol_stripe_line_id"),
           "period": obj["period"], "amount": _money(obj, "amount", cur, what=f"revenue plan line {ext}")}
    return Record("revenue_plan_line", ext, obj, {"revenue_schedule_line": [row]})


@mapper(KIND, "deferred_revenue_balance")
def map_deferred_revenue_balance(obj: Payload, ctx: MapContext) -> Record:
    """The GL deferred revenue roll-forward; no canonical table yet, kept raw."""
    return Record("deferred_revenue_balance", str(obj["id"]), obj)


def transaction_object_type(row: Payload) -> str:
    """The tieout object type of a ``transaction`` row, by its NetSuite type."""
    try:
        return TRANSACTION_TYPES[row["type"]]
    except KeyError:
        raise MappingError(f"netsuite transaction {row.get('id')}: unsupported type {row.get('type')!r}") from None


@mapper(KIND, "transaction")
def map_transaction(obj: Payload, ctx: MapContext) -> Record:
    """A ``transaction`` row of whatever supported type it has: how the exception queue retries a row
    that was set aside because its type was unknown."""
    return map_payload(KIND, transaction_object_type(obj), obj, ctx)
