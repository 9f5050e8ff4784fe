"""The Stripe connector: ``/v1`` lists over HTTP, mapped by :mod:`.mapping`.

Lists are read 100 at a time with ``starting_after``/``has_more``.  Each
pass is incremental by ``created[gte]`` from the newest ``created`` seen last
time minus :data:`LOOKBACK` (so late status changes of recent objects are
seen again; unchanged payloads are skipped by hash).  Invoice lines are
followed when ``lines.has_more``; balance transactions are read per payout.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx

from tieout.connectors.base import (ALL_DOMAINS, INVOICE, PAYMENT, REVENUE, Connector, Cursor, Page, WriteRequest,
                                   WriteResult, start_state)
from tieout.connectors.errors import CredentialError
from tieout.connectors.http import HttpClient
from tieout.connectors.registry import MappedPage
from tieout.connectors.stripe.mapping import with_payout

API_VERSION = "2025-03-31.basil"
LIMIT = 100
LOOKBACK = 35 * 86400  # seconds: a month-end close looks back past the whole month
COLLECTIONS = (
    ("customer", "customers", ALL_DOMAINS), ("product", "products", INVOICE | REVENUE),
    ("price", "prices", INVOICE | REVENUE), ("subscription", "subscriptions", REVENUE),
    ("invoice", "invoices", INVOICE | REVENUE),  # invoice lines carry the billed service periods revenue needs
    ("credit_note", "credit_notes", INVOICE), ("invoice_payment", "invoice_payments", PAYMENT),
    ("payment_intent", "payment_intents", PAYMENT), ("charge", "charges", PAYMENT), ("refund", "refunds", PAYMENT),
    ("payout", "payouts", PAYMENT),
)
"""(object type, list path, the domains it serves), read in this order."""
NO_CREATED_FILTER = {"credit_notes"}
DEFAULT_URL = "https://api.stripe.com"


def stripe_error(response: httpx.Response) -> str:
    """Stripe's ``{"error": {type, code, message, param}}`` as one line."""
    try:
        err = response.json()["error"]
        return " ".join(str(x) for x in (err.get("type"), err.get("code"), "-", err.get("message")) if x)
    except (ValueError, KeyError, TypeError, AttributeError):
        return response.text[:200]


def stripe_error_code(response: httpx.Response) -> str | None:
    """Stripe's ``error.type`` (e.g. ``idempotency_error``), if the response has one."""
    try:
        return str(response.json()["error"]["type"])
    except (ValueError, KeyError, TypeError):
        return None


class StripeConnector(Connector):
    kind = "stripe"

    def __init__(self, settings, secret, ctx) -> None:  # type: ignore[no-untyped-def]
        super().__init__(settings, secret, ctx)
        if not secret:
            raise CredentialError(f"source {settings.name!r}: no Stripe API key")
        self.http = HttpClient(
            settings.url or DEFAULT_URL,
            source=settings.name,
            headers={"Authorization": f"Bearer {secret}", "Stripe-Version": API_VERSION},
            error_reader=stripe_error,
            connect_timeout=settings.connect_timeout,
            read_timeout=settings.read_timeout,
            rate=settings.rate or 90.0,  # live mode allows 100/s
            retry=settings.retry_policy(),
        )

    def close(self) -> None:
        self.http.close()

    def check(self) -> None:
        self.http.request_json("GET", "/v1/customers", params={"limit": 1})

    def pull(self, cursor: Cursor, resume: bool, domains: frozenset[str] = ALL_DOMAINS) -> Iterator[Page]:
        for object_type, collection, serves in COLLECTIONS:
            if not serves & domains:
                continue
            state = start_state(cursor.get(object_type), resume)
            if state is not None:
                yield from self._pass(object_type, collection, state)

    def _pass(self, object_type: str, collection: str, state: dict[str, Any]) -> Iterator[Page]:
        since = state.get("since") if "after" in state else state.get("next_since")
        hwm = int(state.get("hwm") or 0)
        after = state.get("after")
        while True:
            params: dict[str, Any] = {"limit": LIMIT}
            if after:
                params["starting_after"] = after
            if since is not None and collection not in NO_CREATED_FILTER:
                params["created[gte]"] = since
            page = self.http.request_json("GET", f"/v1/{collection}", params=params)
            data = page.get("data") or []
            mapped = MappedPage("stripe", self.ctx)
            for obj in data:
                if object_type == "invoice":
                    obj = self._with_all_lines(obj)
                mapped.add(object_type, obj)
                if object_type == "payout":
                    for bt in self._list_all("/v1/balance_transactions", {"payout": obj["id"]}, f"payout {obj['id']}"):
                        mapped.add("balance_transaction", with_payout(bt, obj["id"]))
                hwm = max(hwm, int(obj.get("created") or 0))
            more = bool(page.get("has_more")) and bool(data)
            after = data[-1]["id"] if data else after
            if more:
                new_state = {"since": since, "after": after, "hwm": hwm, "next_since": state.get("next_since")}
            else:
                new_state = {"done": True, "hwm": hwm, "next_since": max(0, hwm - LOOKBACK) if hwm else None}
            yield Page(object_type, mapped.records, new_state, mapped.rejected)
            if not more:
                return

    def write(self, request: WriteRequest) -> WriteResult:
        """A form-encoded POST with the correction's Idempotency-Key, sent once (a replay returns the first
        response, so re-sending after a lost answer cannot apply it twice)."""
        headers = {"Idempotency-Key": request.idempotency_key} if request.idempotency_key else None
        response = self.http.write_once(request.method, request.path, form=request.body, headers=headers,
                                        error_code=stripe_error_code)
        return WriteResult(response.status_code, response.json(), None)

    def read(self, path: str) -> dict[str, Any] | None:
        return self.http.request_json("GET", path, missing_ok=True)

    def _list_all(self, path: str, params: dict[str, Any], what: str) -> Iterator[dict[str, Any]]:
        after = None
        while True:
            query = {**params, "limit": LIMIT, **({"starting_after": after} if after else {})}
            page = self.http.request_json("GET", path, params=query, what=what)
            data = page.get("data") or []
            yield from data
            if not page.get("has_more") or not data:
                return
            after = data[-1]["id"]

    def _with_all_lines(self, invoice: dict[str, Any]) -> dict[str, Any]:
        lines = invoice.get("lines") or {}
        if not lines.get("has_more"):
            return invoice
        data = list(self._list_all(f"/v1/invoices/{invoice['id']}/lines", {}, f"invoice {invoice['id']}"))
        return {**invoice, "lines": {**lines, "data": data, "has_more": False}}

