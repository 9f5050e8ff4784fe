"""A Stripe imitation: ``/v1`` lists (limit, starting_after, has_more, newest
first, ``created[gte]``), single objects, invoice lines, balance
transactions by payout, Bearer auth, Stripe's error shape, and writes with
Idempotency-Key semantics (same key + same body -> the stored response; same
key + another body -> ``idempotency_error``)."""

from __future__ import annotations

import bisect
import copy
import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from tieout.connectors.sample_set import SampleSet
from tieout.connectors.sandbox.faults import Faults
from tieout.connectors.sandbox.server import Reply, Request, Sandbox

COLLECTIONS = {
    "customers": "customer", "products": "product", "prices": "price", "subscriptions": "subscription",
    "invoices": "invoice", "credit_notes": "credit_note", "invoice_payments": "invoice_payment",
    "payment_intents": "payment_intent", "charges": "charge", "refunds": "refund", "payouts": "payout",
    "balance_transactions": "balance_transaction",
}
"""URL collection -> object type (and sample file name)."""

NO_CREATED_FILTER = {"credit_notes"}


def _error(status: int, type_: str, message: str, code: str | None = None, param: str | None = None) -> Reply:
    return Reply(status, {"error": {"type": type_, "code": code, "message": message, "param": param}})


class StripeSandbox(Sandbox):
    name = "stripe"

    def __init__(self, data_dir: Path | str, *, secret: str = "sk_test_tieout", faults: Faults | None = None,
                 embedded_lines: int = 10) -> None:
        super().__init__(faults)
        self.secret = secret
        self.embedded_lines = embedded_lines
        sample = SampleSet(data_dir)
        self.objects: dict[str, dict[str, dict[str, Any]]] = {}
        self.ordered: dict[str, list[str]] = {}
        for collection, object_type in COLLECTIONS.items():
            self.objects[collection] = {o["id"]: o for o in sample.rows("stripe", object_type)}
        self.by_payout: dict[str, list[str]] = {}
        for link in sample.rows("stripe", "payout_balance_transaction"):
            self.by_payout.setdefault(link["payout"], []).append(link["balance_transaction"])
        self._lock = threading.Lock()
        self._idempotency: dict[str, tuple[str, int, Any]] = {}
        self._new_ids = 0
        self.created_keys: dict[str, list[int]] = {}
        self.positions: dict[str, dict[str, int]] = {}
        for collection in self.objects:
            self._reorder(collection)

    def _reorder(self, collection: str) -> None:
        """Newest first, ties broken by id (as Stripe lists are)."""
        objs = self.objects[collection]
        ordered = sorted(objs, key=lambda i: (-int(objs[i].get("created") or 0), i))
        self.ordered[collection] = ordered
        self.created_keys[collection] = [-int(objs[i].get("created") or 0) for i in ordered]
        self.positions[collection] = {i: n for n, i in enumerate(ordered)}

    def fault_body(self, status: int) -> Any:
        kind = "rate_limit_error" if status == 429 else "api_error"
        return {"error": {"type": kind, "code": None, "message": f"sandbox fault {status}", "param": None}}

    # ------------------------------------------------------------ changes made by tests and the demo

    def update(self, collection: str, object_id: str, **fields: Any) -> dict[str, Any]:
        """Change an object upstream (as if edited in the dashboard)."""
        with self._lock:
            obj = self.objects[collection][object_id]
            obj.update(copy.deepcopy(fields))
            return obj

    def is_write(self, request: Request) -> bool:
        return request.method == "POST"

    # ------------------------------------------------------------ routing

    def handle(self, request: Request) -> tuple[int, Any]:
        auth = request.headers.get("Authorization", "")
        if auth != f"Bearer {self.secret}":
            raise _error(401, "invalid_request_error", "Invalid API Key provided.", "api_key_invalid")
        parts = [p for p in request.path.split("/") if p]
        if not parts or parts[0] != "v1" or len(parts) < 2 or parts[1] not in COLLECTIONS:
            raise _error(404, "invalid_request_error", f"Unrecognized request URL ({request.method}: {request.path}).")
        collection = parts[1]
        if request.method == "GET":
            if len(parts) == 2:
                return 200, self._list(collection, request)
            obj = self._get(collection, parts[2])
            if len(parts) == 4 and parts[3] == "lines" and collection == "invoices":
                return 200, self._page(obj["lines"]["data"], request, f"/v1/invoices/{parts[2]}/lines")
            return 200, self._expand(collection, obj)
        if request.method == "POST":
            return self._write(collection, parts[2] if len(parts) > 2 else None, request)
        raise _error(405, "invalid_request_error", f"{request.method} is not allowed on {request.path}")

    def _get(self, collection: str, object_id: str) -> dict[str, Any]:
        obj = self.objects[collection].get(object_id)
        if obj is None:
            raise _error(404, "invalid_request_error", f"No such {COLLECTIONS[collection]}: '{object_id}'",
                         "resource_missing", "id")
        return obj

    def _expand(self, collection: str, obj: dict[str, Any]) -> dict[str, Any]:
        """An object as a list returns it: invoices embed at most ``embedded_lines`` lines."""
        if collection != "invoices":
            return obj
        lines = obj["lines"]["data"]
        if len(lines) <= self.embedded_lines:
            return obj
        return {**obj, "lines": {**obj["lines"], "data": lines[: self.embedded_lines], "has_more": True}}

    def _limit(self, request: Request) -> int:
        try:
            limit = int(request.query.get("limit", "10"))
        except ValueError:
            limit = 0
        if not 1 <= limit <= 100:
            raise _error(400, "invalid_request_error", "Invalid limit: must be between 1 and 100.", param="limit")
        return limit

    def _page(self, items: list[dict[str, Any]], request: Request, url: str) -> dict[str, Any]:
        limit = self._limit(request)
        start = 0
        after = request.query.get("starting_after")
        if after:
            ids = [i["id"] for i in items]
            if after not in ids:
                raise _error(400, "invalid_request_error", f"No such object: '{after}'", "resource_missing",
                             "starting_after")
            start = ids.index(after) + 1
        chunk = items[start : start + limit]
        return {"object": "list", "url": url, "has_more": start + limit < len(items), "data": chunk}

    def _list(self, collection: str, request: Request) -> dict[str, Any]:
        """One page of a list in O(page): positions come from an index, not a scan."""
        limit = self._limit(request)
        with self._lock:
            objs = self.objects[collection]
            ids = self.ordered[collection]
            if collection == "balance_transactions" and "payout" in request.query:
                position = self.positions[collection]
                ids = sorted((i for i in self.by_payout.get(request.query["payout"], ()) if i in position),
                             key=position.__getitem__)
            end = len(ids)
            gte = request.query.get("created[gte]")
            if gte is not None:
                if collection in NO_CREATED_FILTER:
                    raise _error(400, "invalid_request_error", "Received unknown parameter: created",
                                 param="created")
                keys = self.created_keys[collection] if ids is self.ordered[collection] else \
                    [-int(objs[i].get("created") or 0) for i in ids]
                end = bisect.bisect_right(keys, -int(gte))
            start = 0
            after = request.query.get("starting_after")
            if after:
                pos = self.positions[collection].get(after) if ids is self.ordered[collection] else \
                    (ids.index(after) if after in ids else None)
                if pos is None:
                    raise _error(400, "invalid_request_error", f"No such object: '{after}'", "resource_missing",
                                 "starting_after")
                start = pos + 1
            stop = min(start + limit, end)
            data = [self._expand(collection, objs[i]) for i in ids[start:stop]]
        return {"object": "list", "url": f"/v1/{collection}", "has_more": stop < end, "data": data}

    # ------------------------------------------------------------ writes

    def _write(self, collection: str, object_id: str | None, request: Request) -> tuple[int, Any]:
        form = parse_qsl(request.body.decode("utf-8"), keep_blank_values=True)
        key = request.headers.get("Idempotency-Key")
        digest = hashlib.sha256(request.path.encode() + b"\n" + request.body).hexdigest()
        with self._lock:
            if key is not None:
                if len(key) > 255:
                    raise _error(400, "invalid_request_error", "Idempotency-Key is longer than 255 characters.")
                stored = self._idempotency.get(key)
                if stored is not None:
                    if stored[0] != digest:
                        raise _error(400, "idempotency_error",
                                     "Keys for idempotent requests can only be used with the same parameters "
                                     "they were first used with.")
                    return stored[1], stored[2]
            status, body = self._apply(collection, object_id, form)
            body = copy.deepcopy(body)  # the response as it was, whatever happens to the object later
            if key is not None:
                self._idempotency[key] = (digest, status, body)
        return status, body

    def _apply(self, collection: str, object_id: str | None, form: list[tuple[str, str]]) -> tuple[int, Any]:
        fields: dict[str, Any] = {}
        for name, value in form:
            if name.startswith("metadata[") and name.endswith("]"):
                fields.setdefault("metadata", {})[name[9:-1]] = value
            else:
                fields[name] = int(value) if value.lstrip("-").isdigit() else value
        if object_id is None:
            self._new_ids += 1
            object_id = f"{COLLECTIONS[collection][:2]}_sandbox{self._new_ids:08d}"
            obj = {"id": object_id, "object": COLLECTIONS[collection], "created": 0, "metadata": {}}
            self.objects[collection][object_id] = obj
        else:
            obj = self._get(collection, object_id)
        meta = fields.pop("metadata", None)
        obj.update(fields)
        if meta:
            obj["metadata"] = {**(obj.get("metadata") or {}), **meta}
        self._reorder(collection)
        return 200, obj


@contextmanager
def serve_stripe(data_dir: Path | str, *, secret: str = "sk_test_tieout", faults: Faults | None = None,
                 port: int = 0, **options: Any) -> Iterator[str]:
    """Serve a Stripe sandbox over ``data_dir`` in a background thread; yields its base URL."""
    with StripeSandbox(data_dir, secret=secret, faults=faults, **options).serving(port) as url:
        yield url
