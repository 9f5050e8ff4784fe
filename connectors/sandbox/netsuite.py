"""A NetSuite imitation: SuiteQL over REST (``POST /services/rest/query/v1/suiteql``
with ``Prefer: transient``, ``limit``/``offset``, ``hasMore``), the record API
(GET, PUT ``eid:X`` upsert and PATCH, see :mod:`.netsuite_records`), token-based auth (OAuth 1.0a
HMAC-SHA256, verified) or OAuth 2.0 client credentials, and NetSuite's error
shape (``o:errorDetails``).

SuiteQL is a small subset, exactly what :mod:`connectors.netsuite.client`
sends: ``SELECT * FROM t WHERE id > N ORDER BY id``, the transaction query
joined to its customer's externalid (optionally ``AND transaction.type IN
('CustInvc', ...)``), and ``WHERE col IN (...)`` for lines and links.  It is
not a SQL engine.
"""

from __future__ import annotations

import bisect
import json
import re
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from tieout.connectors.netsuite.auth import (
    ASSERTION_TYPE,
    TOKEN_PATH,
    OAuth2Credentials,
    TbaCredentials,
    parse_credentials,
)
from tieout.connectors.sample_set import SampleSet
from tieout.connectors.sandbox.faults import Faults
from tieout.connectors.sandbox.netsuite_auth import Refused, check_client_assertion, check_tba
from tieout.connectors.sandbox.netsuite_records import TYPES, RecordStore
from tieout.connectors.sandbox.server import Reply, Request, Sandbox

TABLES = ("customer", "item", "transaction", "transactionline", "transactionlink", "revenueplanline",
          "deferredrevenuebalance", "subsidiary", "accountingperiod")
SUITEQL_PATH = "/services/rest/query/v1/suiteql"
RECORD_PREFIX = "/services/rest/record/v1/"
RECORD_TYPES = TYPES
MAX_LIMIT = 1000

_QUERY = re.compile(
    r"^SELECT\s+(?P<cols>.+?)\s+FROM\s+(?P<table>\w+)"
    r"(?P<join>\s+LEFT\s+JOIN\s+customer\s+ON\s+customer\.id\s*=\s*transaction\.entity)?"
    r"\s+WHERE\s+(?:\w+\.)?(?P<col>\w+)\s*(?:>\s*(?P<gt>\d+)|IN\s*\((?P<in>[\d,\s]+)\))"
    r"(?:\s+AND\s+(?:transaction\.)?type\s+IN\s*\((?P<types>'\w+'(?:\s*,\s*'\w+')*)\))?"
    r"\s+ORDER\s+BY\s+(?P<order>[\w.,\s]+)$",
    re.IGNORECASE | re.DOTALL,
)


def default_secret(account: str = "TSTDRV1") -> str:
    """A fresh TBA credential for a sandbox run (printed by `tieout sandbox netsuite`)."""
    return json.dumps({"auth": "tba", "account": account, "consumer_key": secrets.token_hex(16),
                       "consumer_secret": secrets.token_hex(16), "token_id": secrets.token_hex(16),
                       "token_secret": secrets.token_hex(16)})


def _error(status: int, code: str, detail: str) -> Reply:
    titles = {400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 405: "Method Not Allowed",
              429: "Too Many Requests", 500: "Internal Server Error"}
    return Reply(status, {"type": "https://www.rfc-editor.org/rfc/rfc9110.html", "title": titles.get(status, "Error"),
                          "status": status, "o:errorDetails": [{"detail": detail, "o:errorCode": code}]})


class NetSuiteSandbox(Sandbox):
    name = "netsuite"

    def __init__(self, data_dir: Path | str, *, secret: str | None = None, faults: Faults | None = None) -> None:
        super().__init__(faults)
        self.secret = secret or default_secret()
        self.creds = parse_credentials("sandbox", self.secret)
        sample = SampleSet(data_dir)
        self._lock = threading.Lock()
        self.tables: dict[str, list[dict[str, Any]]] = {t: list(sample.rows("netsuite", t)) for t in TABLES}
        self._tokens: set[str] = set()
        self._nonces: set[str] = set()
        self._reindex()
        self.records = RecordStore(self.tables, self._reindex)

    def _reindex(self) -> None:
        for name in ("customer", "item", "transaction", "revenueplanline", "deferredrevenuebalance"):
            self.tables[name].sort(key=lambda r: int(r["id"]))
        self.ids = {name: [int(r["id"]) for r in self.tables[name]]
                    for name in ("customer", "item", "transaction", "revenueplanline", "deferredrevenuebalance")}
        self.groups: dict[tuple[str, str], dict[int, list[dict[str, Any]]]] = {}
        for table, col in (("transactionline", "transaction"), ("transactionlink", "nextdoc")):
            index: dict[int, list[dict[str, Any]]] = {}
            for row in self.tables[table]:
                index.setdefault(int(row[col]), []).append(row)
            self.groups[(table, col)] = index
        self.customer_ext = {c["id"]: c.get("externalid") for c in self.tables["customer"]}
        self._typed: dict[frozenset[str], tuple[list[int], list[dict[str, Any]]]] = {}

    def _transactions_of(self, types: frozenset[str]) -> tuple[list[int], list[dict[str, Any]]]:
        """(ids, rows) of the transactions of ``types``, in id order; built once per type set, so paging is O(page)."""
        if types not in self._typed:
            rows = [r for r in self.tables["transaction"] if r.get("type") in types]
            self._typed[types] = ([int(r["id"]) for r in rows], rows)
        return self._typed[types]

    def fault_body(self, status: int) -> Any:
        if status == 429:
            return _error(429, "SSS_REQUEST_LIMIT_EXCEEDED", "Request limit exceeded (sandbox fault).").body
        return _error(status, "UNEXPECTED_ERROR", "An unexpected error occurred (sandbox fault).").body

    # ------------------------------------------------------------ changes made by tests and the demo

    def update_transaction(self, tid: str, **fields: Any) -> dict[str, Any]:
        with self._lock:
            row = next(r for r in self.tables["transaction"] if r["id"] == tid)
            row.update(fields)
            self.records.touch(tid)
            self._typed.clear()  # the type may have changed
            return row

    # ------------------------------------------------------------ auth

    def _authorize(self, request: Request) -> None:
        header = request.headers.get("Authorization", "")
        if header.startswith("Bearer ") and header[7:] in self._tokens:
            return
        if isinstance(self.creds, TbaCredentials) and header.startswith("OAuth "):
            c = self.creds
            try:
                with self._lock:
                    nonce = check_tba(request.method, request.headers.get("Host", ""), request.url, header,
                                      account=c.account, consumer_key=c.consumer_key,
                                      consumer_secret=c.consumer_secret, token_id=c.token_id,
                                      token_secret=c.token_secret, seen_nonces=self._nonces)
                    self._nonces.add(nonce)
                return
            except Refused:
                pass
        raise _error(401, "INVALID_LOGIN", "Invalid login attempt. For more details, see the Login Audit Trail.")

    def _token(self, request: Request) -> tuple[int, Any]:
        form = {k: v[0] for k, v in parse_qs(request.body.decode()).items()}
        if not isinstance(self.creds, OAuth2Credentials) or form.get("grant_type") != "client_credentials" \
                or form.get("client_assertion_type") != ASSERTION_TYPE:
            raise Reply(400, {"error": "invalid_request"})
        c = self.creds
        try:
            check_client_assertion(form.get("client_assertion", ""), private_key_pem=c.private_key,
                                   certificate_id=c.certificate_id, client_id=c.client_id,
                                   token_url=f"http://{request.headers.get('Host', '')}{TOKEN_PATH}")
        except Refused:
            raise Reply(401, {"error": "invalid_client"}) from None
        token = secrets.token_hex(24)
        with self._lock:
            self._tokens.add(token)
        return 200, {"access_token": token, "token_type": "bearer", "expires_in": 3600}

    # ------------------------------------------------------------ routing

    def handle(self, request: Request) -> tuple[int, Any]:
        if request.path == TOKEN_PATH and request.method == "POST":
            return self._token(request)
        self._authorize(request)
        if request.path == SUITEQL_PATH:
            if request.method != "POST":
                raise _error(405, "INVALID_REQUEST", "SuiteQL queries are sent with POST.")
            if request.headers.get("Prefer") != "transient":
                raise _error(400, "INVALID_REQUEST", "SuiteQL requests need the header 'Prefer: transient'.")
            return 200, self._suiteql(request)
        if request.path.startswith(RECORD_PREFIX):
            return self._record(request)
        raise _error(404, "NONEXISTENT_PATH", f"The requested path {request.path} does not exist.")

    def _suiteql(self, request: Request) -> dict[str, Any]:
        try:
            limit = int(request.query.get("limit", MAX_LIMIT))
            offset = int(request.query.get("offset", 0))
            query = " ".join(str(json.loads(request.body)["q"]).split())
        except (ValueError, KeyError, TypeError):
            raise _error(400, "INVALID_PARAMETER", "Body must be JSON {\"q\": \"SELECT ...\"}; limit/offset integers.") from None
        if not 1 <= limit <= MAX_LIMIT or offset < 0:
            raise _error(400, "INVALID_PARAMETER", f"limit must be 1..{MAX_LIMIT} and offset >= 0.")
        m = _QUERY.match(query)
        if not m or m["table"].lower() not in TABLES:
            raise _error(400, "INVALID_SEARCH", f"Invalid search query: {query[:200]}")
        table, col = m["table"].lower(), m["col"].lower()
        with self._lock:
            if m["gt"] is not None:
                if col != "id" or table not in self.ids:
                    raise _error(400, "INVALID_SEARCH", f"sandbox supports 'WHERE id > N' on {sorted(self.ids)}")
                ids, rows = self.ids[table], self.tables[table]
                if m["types"]:
                    if table != "transaction":
                        raise _error(400, "INVALID_SEARCH", f"sandbox supports 'AND type IN (...)' on transaction, "
                                                            f"not {table}")
                    ids, rows = self._transactions_of(frozenset(t.strip().strip("'") for t in m["types"].split(",")))
                rows = rows[bisect.bisect_right(ids, int(m["gt"])):]
            else:
                index = self.groups.get((table, col))
                if index is None:
                    raise _error(400, "INVALID_SEARCH", f"sandbox supports IN (...) on transactionline.transaction "
                                                        f"and transactionlink.nextdoc, not {table}.{col}")
                keys = sorted({int(k) for k in m["in"].replace(" ", "").split(",") if k})
                rows = [r for k in keys for r in index.get(k, ())]
            page = rows[offset : offset + limit]
            if m["join"]:
                page = [{**r, "customerexternalid": self.customer_ext.get(r.get("entity"))} for r in page]
        return {"links": [], "count": len(page), "hasMore": offset + limit < len(rows), "offset": offset,
                "totalResults": len(rows), "items": page}

    def is_write(self, request: Request) -> bool:
        return request.method in ("PUT", "PATCH", "DELETE")

    def _record(self, request: Request) -> tuple[int, Any]:
        rest = request.path[len(RECORD_PREFIX):].split("/")
        if len(rest) != 2 or rest[0] not in RECORD_TYPES and rest[0] != "journalEntry":
            raise _error(404, "NONEXISTENT_PATH", f"The record type in {request.path} is not supported here.")
        rtype, key = rest
        with self._lock:
            row = self.records.find(rtype, key)
            if request.method == "GET":
                if row is None:
                    raise _error(404, "NONEXISTENT_ID", f"Record {rtype} {key} was not found.")
                return 200, self.records.view(rtype, row)
            if request.method not in ("PUT", "PATCH"):
                raise _error(405, "INVALID_REQUEST", f"{request.method} is not supported on {request.path}")
            try:
                body = json.loads(request.body or b"{}")
            except ValueError:
                raise _error(400, "INVALID_CONTENT", "The request body is not valid JSON.") from None
            if not isinstance(body, dict):
                raise _error(400, "INVALID_CONTENT", "The request body must be a JSON object.")
            if request.method == "PUT":
                if not key.startswith("eid:"):
                    raise _error(400, "INVALID_REQUEST", "PUT creates or replaces by external id: use eid:<id>.")
                row = self.records.upsert(rtype, key[4:], body, request.path)
            elif row is None:
                raise _error(404, "NONEXISTENT_ID", f"Record {rtype} {key} was not found.")
            else:
                replace = tuple(request.query.get("replace", "").split(",")) if request.query.get("replace") else ()
                row = self.records.patch(rtype, row, body, replace=replace, path=request.path)
            self._typed.clear()
            raise Reply(204, None, {"Location": f"{RECORD_PREFIX}{rtype}/{row['id']}"})


@contextmanager
def serve_netsuite(data_dir: Path | str, *, secret: str | None = None, faults: Faults | None = None,
                   port: int = 0) -> Iterator[str]:
    """Serve a NetSuite sandbox over ``data_dir`` in a background thread; yields its base URL."""
    with NetSuiteSandbox(data_dir, secret=secret, faults=faults).serving(port) as url:
        yield url
