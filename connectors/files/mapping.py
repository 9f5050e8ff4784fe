"""File mappings: which file column is which canonical field, and how to read values.

A mapping is TOML (a path, or a built-in preset name: see ``presets/``)::

    object_type = "invoice"      # invoice | payment | credit_note | customer
    date_format = "%m/%d/%Y"     # strptime format of date columns
    decimal_sep = "."
    thousands_sep = ","          # "" for none
    sign = "as_is"               # or "negate" (exports that show money in as negative)
    currency = "USD"             # when the file has no currency column
    [columns]
    "Internal ID" = "external_id"
    "Amount" = "total"
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from tieout.connectors.base import ALL_DOMAINS, INVOICE, PAYMENT, REVENUE
from tieout.storage.errors import MappingFileError

PRESETS = Path(__file__).parent / "presets"
TABLES = {"invoice": "invoice", "payment": "payment", "credit_note": "credit_note", "customer": "customer"}
DOMAINS = {"invoice": INVOICE | REVENUE, "payment": PAYMENT, "credit_note": INVOICE, "customer": ALL_DOMAINS}
"""The domains a file of each object type serves (``tieout sync --domain``)."""
MONEY_FIELDS = {"subtotal", "tax", "total", "amount", "amount_paid", "amount_due", "fee", "net"}
DATE_FIELDS = {"posting_date", "due_date", "arrival_date"}


@dataclass
class FileMapping:
    object_type: str
    columns: dict[str, str]  # file column -> canonical field
    date_format: str = "%Y-%m-%d"
    decimal_sep: str = "."
    thousands_sep: str | None = ","
    sign: str = "as_is"
    currency: str | None = None
    origin: str = ""
    defaults: dict[str, str] = field(default_factory=dict)

    @property
    def table(self) -> str:
        return TABLES[self.object_type]

    @property
    def domains(self) -> frozenset[str]:
        return DOMAINS[self.object_type]


def load_mapping(ref: str, base: Path | None = None) -> FileMapping:
    """A mapping from a TOML path (relative to ``base``) or a preset name like ``stripe-invoices``."""
    path = PRESETS / f"{ref}.toml"
    if not path.is_file():
        path = Path(ref) if Path(ref).is_absolute() or base is None else base / ref
    if not path.is_file():
        presets = ", ".join(sorted(p.stem for p in PRESETS.glob("*.toml")))
        raise MappingFileError(f"mapping {ref!r}: no such file or preset (presets: {presets})")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise MappingFileError(f"{path}: not valid TOML: {exc}") from None
    object_type = data.get("object_type")
    if object_type not in TABLES:
        raise MappingFileError(f"{path}: object_type must be one of {', '.join(TABLES)}, not {object_type!r}")
    columns = data.get("columns") or {}
    if "external_id" not in columns.values():
        raise MappingFileError(f"{path}: [columns] must map some column to external_id")
    if data.get("sign", "as_is") not in ("as_is", "negate"):
        raise MappingFileError(f"{path}: sign must be 'as_is' or 'negate'")
    return FileMapping(object_type=object_type, columns=dict(columns),
                       date_format=data.get("date_format", "%Y-%m-%d"), decimal_sep=data.get("decimal_sep", "."),
                       thousands_sep=data.get("thousands_sep", ",") or None, sign=data.get("sign", "as_is"),
                       currency=data.get("currency"), origin=str(path))
