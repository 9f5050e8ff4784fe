"""The invoice domain's corrections (billing invoices and credit notes ↔ NetSuite invoices and credit memos).

- ``create_erp_document``: the missing ERP invoice / credit memo, upserted by
  external id = the Stripe id (the key the matcher pairs on), so a re-send
  cannot create a second one.
- ``adjust_amount``: an amount or tax difference, by credit memo, journal entry
  or an adjustment line on the ERP invoice (``[corrections] adjust_by``).
  Memos and journals are upserted under the correction's own key.
- ``void_erp_document``: void an ERP duplicate (or a document billing never had).
- ``link_erp_id``: write the ERP id into the Stripe object's metadata.
- ``write_off``: record only — a write-off to an account, with a reason.
"""

from __future__ import annotations

import re
from typing import Any

from tieout.reconcile.corrections.types import CorrectionError, CorrectionType, Facts, Spec, register
from tieout.storage.money import format_amount

REC = "/services/rest/record/v1"
_EXTERNAL_ID = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
_RECORD_TYPE = {"invoice": "invoice", "credit_note": "creditMemo"}
_STRIPE_COLLECTION = {"invoice": "invoices", "credit_note": "credit_notes"}


def _decimal(minor: int, currency: str) -> str:
    return format_amount(minor, currency, thousands_sep="")


def _one(records: list[Any], side: str, brk: dict[str, Any]) -> Any:
    if len(records) != 1:
        raise CorrectionError(f"break {brk['id']}: expects one {side} record, has {len(records)}; "
                              "correct it by hand in the source")
    return records[0]


def _erp_ref(record: Any) -> tuple[str, str]:
    """(record type, internal id) of an ERP record in NetSuite's record API."""
    return _RECORD_TYPE[record.table], record.external_id


def create_erp_document(f: Facts) -> Spec:
    billing = _one(f.billing, "billing", f.brk)
    doc, cur = billing.fields, billing.fields["currency"]
    ext = billing.external_id
    if not _EXTERNAL_ID.match(ext):
        raise CorrectionError(f"{ext!r}: NetSuite external ids allow only letters, digits, '_' and '-'")
    customer = f.erp_customer(doc["customer_billing_ref"] or "")
    if customer is None:
        raise CorrectionError(f"billing customer {doc['customer_billing_ref']!r} of {ext} has no ERP customer "
                              "(none carries it as externalid); create the customer first")
    if billing.table == "invoice":
        lines = f.billing_lines("invoice_line", ext)
        products = {line["external_id"]: line["product_ref"] for line in lines}
    else:
        lines = f.billing_lines("credit_note_line", ext)
        products = {line["external_id"]: line["product_ref"]
                    for line in f.billing_lines("invoice_line", doc["invoice_ref"] or "")}
    items = []
    for line in lines:
        product = line.get("product_ref") or products.get(line.get("invoice_line_ref") or "")
        if not product:
            raise CorrectionError(f"{ext} line {line['external_id']}: no product to post it to; correct it by hand")
        items.append({"item": {"externalId": product}, "quantity": line.get("quantity") or 1,
                      "amount": _decimal(line["amount"], cur), "taxAmount": _decimal(line["tax"], cur),
                      "description": line.get("description"), "custcol_stripe_line_id": line["external_id"]})
    if sum(line["amount"] + line["tax"] for line in lines) != doc["total"] or not lines:
        raise CorrectionError(f"{ext}: its lines do not add up to its total {_decimal(doc['total'], cur)} {cur}; "
                              "correct it by hand")
    rtype = _RECORD_TYPE[billing.table]
    body: dict[str, Any] = {
        "externalId": ext, "tranDate": doc["posting_date"], "entity": {"id": customer},
        "subsidiary": {"id": f.subsidiary(doc["entity"])}, "currency": {"refName": cur}, "memo": ext,
        "custbody_tieout_correction": f.key, "item": {"items": items}}
    if billing.table == "credit_note" and doc.get("invoice_ref"):
        body["createdFrom"] = {"externalId": doc["invoice_ref"]}
    path = f"{REC}/{rtype}/eid:{ext}"
    return Spec(side="erp", source=f.erp_source(), request={"method": "PUT", "path": path, "body": body,
                                                          "idempotency_key": f"eid:{ext}"},
                target_path=path, target_ref=ext, amount=doc["total"], currency=cur,
                expect={"fields": {"externalId": ext, "total": _decimal(doc["total"], cur),
                                   "taxTotal": _decimal(doc["tax"], cur)}})


def adjust_amount(f: Facts) -> Spec:
    billing, erp = _one(f.billing, "billing", f.brk), _one(f.erp, "ERP", f.brk)
    b, e, cur = billing.fields, erp.fields, erp.fields["currency"]
    on_tax = f.brk["kind"] == "tax_mismatch"
    diff = (b["tax"] - e["tax"]) if on_tax else ((b["total"] - b["tax"]) - (e["total"] - e["tax"]))
    if diff == 0:
        raise CorrectionError(f"break {f.brk['id']}: billing and ERP agree now; nothing to adjust")
    rtype, erp_id = _erp_ref(erp)
    raw = erp.raw_payload
    item = next((line.get("item") for line in raw.get("lines") or () if line.get("item")), None)
    what = "tax" if on_tax else "amount"
    memo = f"tieout {what} adjustment of {erp_id} ({f.key})"
    if f.policy.adjust_by == "adjustment_line":
        line = {"item": {"id": item}, "amount": _decimal(0 if on_tax else diff, cur),
                "taxAmount": _decimal(diff if on_tax else 0, cur), "description": f.key}
        return Spec(side="erp", source=erp.lineage["source"],
                    request={"method": "PATCH", "path": f"{REC}/{rtype}/{erp_id}", "body": {"item": {"items": [line]}},
                             "idempotency_key": None},
                    target_path=f"{REC}/{rtype}/{erp_id}", target_ref=erp_id, amount=abs(diff), currency=cur,
                    stale_check=True, keyless=True,
                    expect={"fields": {"total": _decimal(e["total"] + diff, cur)},
                            "lines": {"sublist": "item", "where": {"description": f.key}, "count": 1}})
    head = {"externalId": f.key, "tranDate": e["posting_date"], "subsidiary": {"id": raw.get("subsidiary")},
            "currency": {"refName": cur}, "memo": memo, "custbody_tieout_correction": f.key}
    if f.policy.adjust_by == "credit_memo":
        if diff > 0 or billing.table != "invoice":
            raise CorrectionError(f"break {f.brk['id']}: a credit memo can only lower an ERP invoice that is too "
                                  "high; set [corrections] adjust_by = \"journal_entry\" or \"adjustment_line\"")
        line = {"item": {"id": item}, "amount": _decimal(0 if on_tax else -diff, cur),
                "taxAmount": _decimal(-diff if on_tax else 0, cur), "description": memo}
        body = {**head, "entity": {"id": e["customer_ref"]}, "createdFrom": {"id": erp_id},
                "item": {"items": [line]}}
        path = f"{REC}/creditMemo/eid:{f.key}"
        expect = {"fields": {"externalId": f.key, "total": _decimal(-diff, cur)}}
    else:
        debit, credit = ("receivable", "tax" if on_tax else "revenue")[:: 1 if diff > 0 else -1]
        lines = [{"account": {"id": f.policy.account(debit)}, "debit": _decimal(abs(diff), cur), "memo": memo},
                 {"account": {"id": f.policy.account(credit)}, "credit": _decimal(abs(diff), cur), "memo": memo}]
        body = {**head, "line": {"items": lines}}
        path = f"{REC}/journalEntry/eid:{f.key}"
        expect = {"fields": {"externalId": f.key},
                  "lines": {"sublist": "line", "where": {"memo": memo}, "count": 2}}
    return Spec(side="erp", source=erp.lineage["source"],
                request={"method": "PUT", "path": path, "body": body, "idempotency_key": f"eid:{f.key}"},
                target_path=path, target_ref=erp_id, amount=abs(diff), currency=cur, expect=expect)


def void_erp_document(f: Facts) -> Spec:
    erp = _one(f.erp, "ERP", f.brk)
    rtype, erp_id = _erp_ref(erp)
    path = f"{REC}/{rtype}/{erp_id}"
    body = {"status": {"id": "V"}, "memo": f"void by tieout: {f.brk['kind']} ({f.key})"}
    return Spec(side="erp", source=erp.lineage["source"],
                request={"method": "PATCH", "path": path, "body": body, "idempotency_key": None},
                target_path=path, target_ref=erp_id, amount=erp.fields["total"], currency=erp.fields["currency"],
                stale_check=True, expect={"fields": {"status.id": "V", "memo": body["memo"]}})


def link_erp_id(f: Facts) -> Spec:
    billing, erp = _one(f.billing, "billing", f.brk), _one(f.erp, "ERP", f.brk)
    path = f"/v1/{_STRIPE_COLLECTION[billing.table]}/{billing.external_id}"
    return Spec(side="billing", source=billing.lineage["source"],
                request={"method": "POST", "path": path, "body": {"metadata[netsuite_id]": erp.external_id},
                         "idempotency_key": f.key},
                target_path=path, target_ref=billing.external_id, amount=None, currency=billing.fields["currency"],
                expect={"fields": {"metadata.netsuite_id": erp.external_id}})


def write_off(f: Facts) -> Spec:
    if not (f.note or "").strip():
        raise CorrectionError("a write-off needs a reason: --note \"why\"")
    account = f.policy.account("write_off")
    records = f.billing or f.erp
    return Spec(side="record", source=None, request=None, target_path=None,
                target_ref=records[0].external_id if records else None, amount=f.brk["amount"],
                currency=f.brk["currency"], expect={"account": account, "reason": f.note})


register(CorrectionType("create_erp_document", "invoice", "create the missing ERP invoice / credit memo",
                        create_erp_document), default_for=("missing_in_erp",))
register(CorrectionType("adjust_amount", "invoice", "adjust the ERP amount or tax (policy: adjust_by)",
                        adjust_amount), default_for=("amount_mismatch", "tax_mismatch"))
register(CorrectionType("void_erp_document", "invoice", "void the ERP duplicate / the document billing lacks",
                        void_erp_document), default_for=("duplicate_in_erp", "missing_in_billing"))
register(CorrectionType("link_erp_id", "invoice", "write the ERP id into the billing object's metadata",
                        link_erp_id))
register(CorrectionType("write_off", "invoice", "record a write-off to an account, with a reason (no write)",
                        write_off))
