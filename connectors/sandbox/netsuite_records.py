"""The NetSuite sandbox's record API: ``/services/rest/record/v1/<type>/<id | eid:X>``.

Records are shown and written in the REST record shape (camelCase fields,
references as ``{"id"}`` or ``{"externalId"}``, sublists as ``{"items": [...]}``)
and stored as the SuiteQL rows the sync reads, so a write shows up in the next
sync.  What it imitates, because corrections depend on it:

- ``PUT eid:X`` is an upsert by external id (letters, digits, ``_`` and ``-``).
- ``PATCH`` leaves omitted fields alone.  Sublist lines that carry their key
  (``line``) update that line; lines without it are *appended*, so a retried
  keyless PATCH duplicates lines.  ``?replace=item`` replaces the sublist.
- Every record has a ``lastModifiedDate``; there is no If-Match.  A record
  marked in :attr:`RecordStore.conflicts` answers its next write with
  "Record has been changed" (a concurrent edit won the race).
- Journal entries must balance; a date in a locked period is refused.
- Errors use ``o:errorDetails`` with ``o:errorCode`` and ``o:errorPath``.

Journal entries are kept apart from the SuiteQL ``transaction`` table: the
connector's sync does not map journals.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from tieout.connectors.sandbox.server import Reply
from tieout.storage.money import format_amount, parse_amount

TYPES = {"invoice": "CustInvc", "creditMemo": "CustCred", "customerPayment": "CustPymt",
         "customerRefund": "CustRfnd", "deposit": "Deposit"}
PREFIX = {"CustInvc": "INV-T", "CustCred": "CM-T"}
_EXTERNAL_ID = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
Row = dict[str, Any]


def record_error(status: int, code: str, detail: str, path: str | None = None) -> Reply:
    titles = {400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed"}
    item = {"detail": detail, "o:errorCode": code, **({"o:errorPath": path} if path else {})}
    return Reply(status, {"type": "https://www.rfc-editor.org/rfc/rfc9110.html", "title": titles.get(status, "Error"),
                          "status": status, "o:errorDetails": [item]})


class RecordStore:
    """Record reads and writes over the sandbox's SuiteQL tables (the caller holds the sandbox lock)."""

    def __init__(self, tables: dict[str, list[Row]], reindex: Callable[[], None]) -> None:
        self.tables = tables
        self.reindex = reindex
        self.modified: dict[str, str] = {r["id"]: f"{r.get('trandate') or '2000-01-01'}T00:00:00Z"
                                         for r in tables["transaction"]}
        self.journals: dict[str, Row] = {}
        self.locked_periods: set[str] = set()  # "YYYY-MM"
        self.conflicts: set[str] = set()  # record ids whose next write loses to a concurrent edit
        self._clock = datetime.now(timezone.utc)

    # ------------------------------------------------------------ helpers

    def touch(self, record_id: str) -> str:
        """A fresh lastModifiedDate, always later than any given before."""
        now = max(datetime.now(timezone.utc), self._clock + timedelta(microseconds=1))
        self._clock = now
        self.modified[record_id] = now.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        return self.modified[record_id]

    def _lines(self, tid: str) -> list[Row]:
        return sorted((r for r in self.tables["transactionline"] if str(r["transaction"]) == tid),
                      key=lambda r: int(r["id"]))

    def find(self, rtype: str, key: str) -> Row | None:
        if rtype == "journalEntry":
            if key.startswith("eid:"):
                return next((j for j in self.journals.values() if j.get("externalId") == key[4:]), None)
            return self.journals.get(key)
        wanted = TYPES[rtype]
        if key.startswith("eid:"):
            return next((r for r in self.tables["transaction"]
                         if r.get("externalid") == key[4:] and r.get("type") == wanted), None)
        return next((r for r in self.tables["transaction"] if r["id"] == key and r.get("type") == wanted), None)

    def _period(self, day: str, path: str) -> Row:
        for period in self.tables["accountingperiod"]:
            if period["startdate"] <= day <= period["enddate"]:
                if day[:7] in self.locked_periods:
                    raise record_error(400, "USER_ERROR", f"The accounting period {period['periodname']} is "
                                                          "locked; transactions dated in it cannot be changed.", path)
                return period
        raise record_error(400, "INVALID_FLD_VALUE", f"No accounting period covers {day}.", path)

    def _ref(self, value: Any, table: str, path: str) -> str:
        """A reference ``{"id"}`` or ``{"externalId"}`` resolved to an internal id of ``table``."""
        if isinstance(value, dict) and value.get("id") is not None:
            if any(str(r["id"]) == str(value["id"]) for r in self.tables[table]):
                return str(value["id"])
        elif isinstance(value, dict) and value.get("externalId"):
            found = next((r for r in self.tables[table] if r.get("externalid") == value["externalId"]), None)
            if found is not None:
                return str(found["id"])
        raise record_error(400, "INVALID_KEY_OR_REF", f"Invalid {path} reference key {value!r}.", path)

    # ------------------------------------------------------------ the record shape

    def view(self, rtype: str, row: Row) -> Row:
        """A stored record as the REST record API shows it."""
        if rtype == "journalEntry":
            return {**row, "lastModifiedDate": self.modified[row["id"]]}
        lines = [{"line": int(line["id"]), "item": {"id": line.get("item")}, "quantity": line.get("quantity"),
                  "amount": line.get("foreignamount"), "taxAmount": line.get("taxamount"),
                  "description": line.get("memo"), "custcol_stripe_line_id": line.get("custcol_stripe_line_id")}
                 for line in self._lines(row["id"])]
        status = str(row.get("status") or "")
        return {"id": row["id"], "externalId": row.get("externalid"), "tranId": row.get("tranid"),
                "tranDate": row.get("trandate"), "entity": {"id": row.get("entity")},
                "subsidiary": {"id": row.get("subsidiary")}, "currency": {"refName": row.get("currency")},
                "postingPeriod": {"refName": row.get("postingperiodname")}, "total": row.get("foreigntotal"),
                "taxTotal": row.get("taxtotal"), "status": {"id": status.rpartition(":")[2]},
                "memo": row.get("memo"), "createdFrom": {"id": row.get("createdfrom")},
                "custbody_tieout_correction": row.get("custbody_tieout_correction"),
                "lastModifiedDate": self.modified[row["id"]], "item": {"items": lines}}

    # ------------------------------------------------------------ writes

    def upsert(self, rtype: str, external_id: str, body: Row, path: str) -> Row:
        """``PUT eid:X``: create the record, or replace the fields given on the one that has that external id."""
        if not _EXTERNAL_ID.match(external_id):
            raise record_error(400, "INVALID_FLD_VALUE", "External ids may hold only letters, digits, '_' and '-'.",
                               "externalId")
        existing = self.find(rtype, f"eid:{external_id}")
        if existing is not None:
            return self.patch(rtype, existing, body, replace=("item", "line"), path=path)
        if rtype == "journalEntry":
            return self._journal(external_id, body, path)
        ids = [int(r["id"]) for r in self.tables["transaction"]]
        row: Row = {"id": str(max(ids, default=0) + 1), "type": TYPES[rtype], "externalid": external_id,
                    "status": f"{TYPES[rtype]}:A", "createdfrom": None}
        row["tranid"] = body.get("tranId") or f"{PREFIX.get(row['type'], 'T')}{row['id']}"
        self._apply_fields(row, body, path, new=True)
        self.tables["transaction"].append(row)
        self._apply_lines(row, (body.get("item") or {}).get("items") or [], replace=True, path=path)
        self.touch(row["id"])
        self.reindex()
        return row

    def patch(self, rtype: str, row: Row, body: Row, *, replace: tuple[str, ...] = (), path: str) -> Row:
        """Change the given fields only; sublist lines with ``line`` update it, lines without it are appended."""
        if row["id"] in self.conflicts:
            self.conflicts.discard(row["id"])
            self.touch(row["id"])
            raise record_error(400, "RCRD_HAS_BEEN_CHANGED", "Record has been changed", None)
        if rtype == "journalEntry":
            raise record_error(400, "USER_ERROR", "This sandbox does not change posted journal entries.")
        self._period(str(row.get("trandate")), "tranDate")  # the record's own period must be open
        self._apply_fields(row, body, path, new=False)
        if "item" in body:
            self._apply_lines(row, (body.get("item") or {}).get("items") or [], replace="item" in replace,
                              path=path)
        self.touch(row["id"])
        self.reindex()
        return row

    def _apply_fields(self, row: Row, body: Row, path: str, *, new: bool) -> None:
        if new or "tranDate" in body:
            if not body.get("tranDate"):
                raise record_error(400, "USER_ERROR", "Please enter value(s) for: Date", "tranDate")
            period = self._period(str(body["tranDate"]), "tranDate")
            row.update(trandate=body["tranDate"], postingperiod=period["id"], postingperiodname=period["periodname"])
        if new or "entity" in body:
            row["entity"] = self._ref(body.get("entity"), "customer", "entity")
        if new or "subsidiary" in body:
            row["subsidiary"] = self._ref(body.get("subsidiary"), "subsidiary", "subsidiary")
        if new or "currency" in body:
            currency = (body.get("currency") or {}).get("refName")
            if not currency:
                raise record_error(400, "USER_ERROR", "Please enter value(s) for: Currency", "currency")
            row["currency"] = currency
        if "createdFrom" in body:
            ref = body["createdFrom"]
            row["createdfrom"] = None if ref is None else self._ref(ref, "transaction", "createdFrom")
        if "status" in body:
            row["status"] = f"{row['type']}:{(body['status'] or {}).get('id')}"
        for key in ("memo", "custbody_tieout_correction"):
            if key in body:
                row[key] = body[key]

    def _apply_lines(self, row: Row, items: list[Row], *, replace: bool, path: str) -> None:
        lines = self.tables["transactionline"]
        tid = row["id"]
        if replace:
            lines[:] = [line for line in lines if str(line["transaction"]) != tid]
        own = {int(line["id"]): line for line in lines if str(line["transaction"]) == tid}
        currency = row["currency"]
        for n, item in enumerate(items):
            where = f"item.items[{n}]"
            if item.get("line") is not None and not replace:  # keyed: change that line
                target = own.get(int(item["line"]))
                if target is None:
                    raise record_error(400, "INVALID_FLD_VALUE", f"No line {item['line']} on this record.", where)
            else:  # keyless: a new line
                target = {"transaction": tid, "id": max(own, default=0) + 1, "account": None, "createdfrom": None,
                          "quantity": 1, "foreignamount": "0", "taxamount": "0"}
                target["linesequencenumber"] = target["uniquekey"] = target["id"]
                own[target["id"]] = target
                lines.append(target)
            if "item" in item:
                target["item"] = self._ref(item["item"], "item", f"{where}.item")
            for src, dst in (("quantity", "quantity"), ("description", "memo"),
                             ("custcol_stripe_line_id", "custcol_stripe_line_id")):
                if src in item:
                    target[dst] = item[src]
            for src, dst in (("amount", "foreignamount"), ("taxAmount", "taxamount")):
                if src in item:
                    target[dst] = format_amount(self._money(item[src], currency, f"{where}.{src}"), currency,
                                                thousands_sep="")
        mine = [line for line in lines if str(line["transaction"]) == tid]
        amount = sum(self._money(line["foreignamount"], currency, path) for line in mine)
        tax = sum(self._money(line["taxamount"], currency, path) for line in mine)
        row["foreigntotal"] = format_amount(amount + tax, currency, thousands_sep="")
        row["taxtotal"] = format_amount(tax, currency, thousands_sep="")

    @staticmethod
    def _money(value: Any, currency: str, where: str) -> int:
        try:
            return parse_amount(str(value), currency, thousands_sep=None)
        except ValueError:
            raise record_error(400, "INVALID_FLD_VALUE", f"{value!r} is not an amount in {currency}.", where) from None

    def _journal(self, external_id: str, body: Row, path: str) -> Row:
        if not body.get("tranDate"):
            raise record_error(400, "USER_ERROR", "Please enter value(s) for: Date", "tranDate")
        self._period(str(body["tranDate"]), "tranDate")
        currency = (body.get("currency") or {}).get("refName") or ""
        items = (body.get("line") or {}).get("items") or []
        if len(items) < 2:
            raise record_error(400, "USER_ERROR", "A journal entry needs at least two lines.", "line")
        debit = sum(self._money(i.get("debit") or "0", currency, "line.debit") for i in items)
        credit = sum(self._money(i.get("credit") or "0", currency, "line.credit") for i in items)
        if debit != credit:
            raise record_error(400, "USER_ERROR", "The transaction is out of balance: total debits "
                                                  f"{debit} != total credits {credit} (minor units).", "line")
        journal_id = str(9_000_000 + len(self.journals) + 1)
        lines = [{**item, "line": n + 1} for n, item in enumerate(items)]
        self.journals[journal_id] = {**body, "id": journal_id, "externalId": external_id, "line": {"items": lines}}
        self.touch(journal_id)
        return self.journals[journal_id]
