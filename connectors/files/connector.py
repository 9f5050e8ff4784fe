"""The file connector: read a CSV or XLSX export, check every row, store all or nothing.

Every row is parsed before anything is stored; the first bad row raises a
:class:`FileRowError` naming the file, row (as a spreadsheet shows it,
header = row 1), column and reason.  The whole file is then one page, so it
lands in one transaction.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from tieout.connectors.base import ALL_DOMAINS, Connector, Cursor, Page
from tieout.connectors.errors import ConnectorError
from tieout.connectors.files.mapping import DATE_FIELDS, MONEY_FIELDS, FileMapping, load_mapping
from tieout.connectors.registry import MapContext
from tieout.storage.ingest import Record
from tieout.storage.money import MoneyError, normalize_currency, parse_amount
from tieout.storage.errors import FileRowError


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number, {column: text}) for each data row of a .csv or .xlsx file."""
    if not path.is_file():
        raise ConnectorError(f"{path}: no such file")
    if path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True, data_only=True)
        try:
            rows = book.worksheets[0].iter_rows(values_only=True)
            header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
            for no, values in enumerate(rows, 2):
                if any(v is not None and v != "" for v in values):
                    yield no, {h: _cell_text(v) for h, v in zip(header, values)}
        finally:
            book.close()
        return
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        for no, row in enumerate(reader, 2):
            if any((v or "").strip() for v in row.values()):
                yield no, {(k or "").strip(): (v or "") for k, v in row.items()}


def _cell_text(value: Any) -> str:
    """Spreadsheet cell -> text; a float becomes its shortest exact-looking repr, never rounded to cents."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return repr(value) if isinstance(value, float) else str(value)


def map_row(row: dict[str, str], mapping: FileMapping, ctx: MapContext, where: str) -> Record:
    """One file row -> a Record of ``mapping.object_type`` (raw payload = the row as text)."""
    missing = [col for col in mapping.columns if col not in row]
    if missing:
        raise FileRowError(f"{where}: missing column(s) {missing}")
    fields = {canon: row[col].strip() for col, canon in mapping.columns.items()}
    try:
        cur = normalize_currency(fields.get("currency") or mapping.currency or "")
    except MoneyError as exc:
        raise FileRowError(f"{where}, column {_col(mapping, 'currency')}: {exc}") from None
    out: dict[str, Any] = {"entity": fields.pop("entity", None) or ctx.entity, "currency": cur}
    for name, text in fields.items():
        if name == "currency":
            continue
        try:
            if name in MONEY_FIELDS:
                value = parse_amount(text, cur, decimal_sep=mapping.decimal_sep, thousands_sep=mapping.thousands_sep)
                out[name] = -value if mapping.sign == "negate" else value
            elif name in DATE_FIELDS:
                out[name] = datetime.strptime(text, mapping.date_format).date().isoformat() if text else None
            else:
                out[name] = text or None
        except ValueError as exc:
            raise FileRowError(f"{where}, column {_col(mapping, name)!r}: {exc}") from None
    if not out.get("external_id"):
        raise FileRowError(f"{where}, column {_col(mapping, 'external_id')!r}: empty id")
    if "posting_date" in out and "posting_period" not in out:
        out["posting_period"] = out["posting_date"][:7] if out["posting_date"] else None
    if mapping.object_type == "payment":
        out.setdefault("kind", "payment")
    return Record(mapping.object_type, out["external_id"], dict(row), {mapping.table: [out]})


def _col(mapping: FileMapping, field: str) -> str:
    return next((col for col, canon in mapping.columns.items() if canon == field), field)


class FileConnector(Connector):
    kind = "file"

    def check(self) -> None:
        self._mapping()
        if not Path(self.settings.path or "").is_file():
            raise ConnectorError(f"source {self.settings.name!r}: file {self.settings.path} not found")

    def _mapping(self) -> FileMapping:
        return load_mapping(self.settings.mapping or "", Path(self.settings.path or ".").parent)

    def pull(self, cursor: Cursor, resume: bool, domains: frozenset[str] = ALL_DOMAINS) -> Iterator[Page]:
        mapping = self._mapping()
        if not mapping.domains & domains:
            return
        path = Path(self.settings.path or "")
        records, seen = [], set()
        for no, row in read_rows(path):
            rec = map_row(row, mapping, self.ctx, f"{path.name}, row {no}")
            if rec.external_id in seen:
                raise FileRowError(f"{path.name}, row {no}, column {_col(mapping, 'external_id')!r}: "
                                   f"duplicate id {rec.external_id!r}")
            seen.add(rec.external_id)
            records.append(rec)
        yield Page(mapping.object_type, records, {"done": True, "file": path.name, "rows": len(records)})
