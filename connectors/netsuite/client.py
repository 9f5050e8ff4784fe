"""The NetSuite connector: SuiteQL over REST, mapped by :mod:`.mapping`.

Every table is read by id ranges (``WHERE id > N ORDER BY id``, 1000 rows a
page, ``Prefer: transient``), which stays under SuiteQL's 100,000-result cap
and makes each page resumable.  Transactions come with their customer's
externalid (a join) and, per page, their lines and links.  Each sync re-reads
every row (the store skips unchanged payloads by hash).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx

from tieout.connectors.base import (ALL_DOMAINS, INVOICE, PAYMENT, REVENUE, Connector, Cursor, Page, WriteRequest,
                                   WriteResult, start_state)
from tieout.connectors.errors import CredentialError, MappingError
from tieout.connectors.http import HttpClient
from tieout.connectors.netsuite.auth import (
    ASSERTION_TYPE,
    TOKEN_PATH,
    OAuth2Credentials,
    client_assertion,
    parse_credentials,
    tba_signer,
)
from tieout.connectors.netsuite.mapping import transaction_object_type
from tieout.connectors.registry import MappedPage

SUITEQL = "/services/rest/query/v1/suiteql"
LIMIT = 1000
TABLES = (
    ("customer", "customer", "SELECT * FROM customer WHERE id > {after} ORDER BY id", ALL_DOMAINS),
    ("item", "item", "SELECT * FROM item WHERE id > {after} ORDER BY id", INVOICE | REVENUE),
    ("transaction", None,
     "SELECT transaction.*, customer.externalid AS customerexternalid FROM transaction "
     "LEFT JOIN customer ON customer.id = transaction.entity WHERE transaction.id > {after}{types} "
     "ORDER BY transaction.id", ALL_DOMAINS),
    ("revenueplanline", "revenue_plan_line", "SELECT * FROM revenueplanline WHERE id > {after} ORDER BY id", REVENUE),
    ("deferredrevenuebalance", "deferred_revenue_balance",
     "SELECT * FROM deferredrevenuebalance WHERE id > {after} ORDER BY id", REVENUE),
)
"""(cursor key, object type (None: by transaction type), SuiteQL, the domains it serves), read in this order."""
TRANSACTION_DOMAINS = {"CustInvc": INVOICE | REVENUE, "CustCred": INVOICE, "CustPymt": PAYMENT,
                       "CustRfnd": PAYMENT, "Deposit": PAYMENT}
"""The domains each transaction type serves (invoices carry the revenue arrangements' source documents)."""


def passes(domains: frozenset[str]) -> list[tuple[str, str | None, str]]:
    """(cursor key, object type, SuiteQL with ``{after}``) of the tables ``domains`` need.

    All domains read every transaction (an unsupported type is then an error, not skipped); fewer read only
    their transaction types, under a cursor key of their own so resuming never mixes the two passes."""
    out = []
    for key, object_type, sql, serves in TABLES:
        if not serves & domains:
            continue
        types = ""
        if key == "transaction" and domains != ALL_DOMAINS:
            wanted = sorted(t for t, serves_t in TRANSACTION_DOMAINS.items() if serves_t & domains)
            key = f"transaction[{','.join(wanted)}]"
            types = f" AND transaction.type IN ({', '.join(repr(t) for t in wanted)})"
        out.append((key, object_type, sql.replace("{types}", types)))
    return out


CHILDREN = (
    ("lines", "SELECT * FROM transactionline WHERE transaction IN ({ids}) ORDER BY transaction, id", "transaction"),
    ("links", "SELECT * FROM transactionlink WHERE nextdoc IN ({ids}) ORDER BY nextdoc, previousdoc", "nextdoc"),
)


def netsuite_error(response: httpx.Response) -> str:
    """NetSuite's ``o:errorDetails`` as one line: ``CODE: detail``."""
    try:
        body = response.json()
        details = body.get("o:errorDetails") or []
        if details:
            return "; ".join(f"{d.get('o:errorCode')}: {d.get('detail')}" for d in details)
        return str(body.get("title") or body.get("error") or body)[:200]
    except (ValueError, AttributeError):
        return response.text[:200]


def netsuite_error_code(response: httpx.Response) -> str | None:
    """The first ``o:errorCode`` of an error response, if any."""
    try:
        details = response.json().get("o:errorDetails") or []
        return str(details[0].get("o:errorCode")) if details else None
    except (ValueError, AttributeError, IndexError):
        return None


class NetSuiteConnector(Connector):
    kind = "netsuite"

    def __init__(self, settings, secret, ctx) -> None:  # type: ignore[no-untyped-def]
        super().__init__(settings, secret, ctx)
        if not secret:
            raise CredentialError(f"source {settings.name!r}: no NetSuite credentials")
        creds = parse_credentials(settings.name, secret)
        if not settings.url:
            settings.url = f"https://{creds.account.lower().replace('_', '-')}.suitetalk.api.netsuite.com"
        self.http = HttpClient(
            settings.url,
            source=settings.name,
            headers={"Prefer": "transient"},
            signer=tba_signer(creds) if not isinstance(creds, OAuth2Credentials) else None,
            error_reader=netsuite_error,
            connect_timeout=settings.connect_timeout,
            read_timeout=settings.read_timeout,
            rate=settings.rate or 20.0,
            retry=settings.retry_policy(),
        )
        self._oauth2 = creds if isinstance(creds, OAuth2Credentials) else None

    def close(self) -> None:
        self.http.close()

    def _login(self) -> None:
        """OAuth 2.0: trade a signed client assertion for a bearer token (once per sync)."""
        if self._oauth2 is None or self.http.has_header("Authorization"):
            return
        token_url = f"{self.settings.url.rstrip('/')}{TOKEN_PATH}"  # type: ignore[union-attr]
        body = self.http.request_json("POST", TOKEN_PATH, form={
            "grant_type": "client_credentials", "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": client_assertion(self._oauth2, token_url)})
        self.http.set_header("Authorization", f"Bearer {body['access_token']}")

    def query(self, q: str, offset: int = 0) -> dict[str, Any]:
        self._login()
        return self.http.request_json("POST", SUITEQL, params={"limit": LIMIT, "offset": offset}, json_body={"q": q})

    def check(self) -> None:
        self.query("SELECT * FROM customer WHERE id > 0 ORDER BY id")

    def pull(self, cursor: Cursor, resume: bool, domains: frozenset[str] = ALL_DOMAINS) -> Iterator[Page]:
        for table, object_type, sql in passes(domains):
            state = start_state(cursor.get(table), resume)
            if state is None:
                continue
            after = int(state.get("after") or 0)
            while True:
                page = self.query(sql.format(after=after))
                rows = page.get("items") or []
                if object_type is None:
                    self._attach_children(rows)
                mapped = MappedPage("netsuite", self.ctx)
                for row in rows:
                    try:
                        row_type = object_type or transaction_object_type(row)
                    except MappingError as exc:  # a transaction type tieout does not know (yet)
                        mapped.reject("transaction", row, exc)
                    else:
                        mapped.add(row_type, row)
                more = bool(page.get("hasMore")) and bool(rows)
                after = int(rows[-1]["id"]) if rows else after
                yield Page(table, mapped.records, {"after": after} if more else {"done": True}, mapped.rejected)
                if not more:
                    break

    def write(self, request: WriteRequest) -> WriteResult:
        """A record-API write (PUT ``eid:`` upsert, PATCH), sent once; 204 names the record in Location."""
        self._login()
        response = self.http.write_once(request.method, request.path, json_body=request.body,
                                        error_code=netsuite_error_code)
        body = response.json() if response.content else None
        return WriteResult(response.status_code, body, response.headers.get("Location"))

    def read(self, path: str) -> dict[str, Any] | None:
        self._login()
        return self.http.request_json("GET", path, missing_ok=True)

    def modified_at(self, record: dict[str, Any]) -> str | None:
        return record.get("lastModifiedDate")

    def _attach_children(self, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        ids = ", ".join(str(int(r["id"])) for r in rows)
        by_id = {str(r["id"]): r for r in rows}
        for row in rows:
            row["lines"], row["links"] = [], []
        for key, sql, parent in CHILDREN:
            offset = 0
            while True:
                page = self.query(sql.format(ids=ids), offset)
                for child in page.get("items") or []:
                    by_id[str(child[parent])][key].append(child)
                if not page.get("hasMore"):
                    break
                offset += LIMIT
