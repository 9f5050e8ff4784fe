"""Correction types: what each one writes, built from a break, and which break kind suggests which type.

A type turns the facts of one break (both sides' records, the workspace
policy, the correction's own key) into a :class:`Spec`: the exact request,
where to read the target back, what the read-back must show, and whether the
target is an existing record whose ``lastModifiedDate`` guards the write.
Each domain registers its own types (``reconcile/corrections/invoice.py``
for invoices); a domain that lands later adds a module and registers more.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Protocol

from tieout.storage.errors import CorrectionError

__all__ = ["CorrectionError", "CorrectionType", "Facts", "Policy", "Spec", "default_type", "register", "type_named"]


@dataclass(frozen=True)
class Policy:
    """``[corrections]`` in tieout.toml: how amounts are adjusted, who must approve, which accounts to post."""

    adjust_by: str = "credit_memo"  # credit_memo | journal_entry | adjustment_line
    second_approver_above: dict[str, int] = field(default_factory=dict)  # currency -> minor units
    accounts: dict[str, str] = field(default_factory=dict)  # receivable, revenue, tax, write_off -> account id
    erp_source: str | None = None  # which ERP source takes creates, when there are several

    ADJUST_BY = ("credit_memo", "journal_entry", "adjustment_line")

    @classmethod
    def from_config(cls, section: dict[str, Any]) -> "Policy":
        adjust_by = section.get("adjust_by", "credit_memo")
        if adjust_by not in cls.ADJUST_BY:
            raise CorrectionError(f"tieout.toml [corrections] adjust_by: {adjust_by!r} is not one of "
                                  f"{', '.join(cls.ADJUST_BY)}")
        above = section.get("second_approver_above", {})
        if not isinstance(above, dict) or not all(isinstance(v, int) and not isinstance(v, bool)
                                                  for v in above.values()):
            raise CorrectionError("tieout.toml [corrections] second_approver_above: a table of currency = "
                                  "integer minor units, e.g. { USD = 1000000 }")
        accounts = section.get("accounts", {})
        return cls(adjust_by=adjust_by, second_approver_above={k.upper(): v for k, v in above.items()},
                   accounts={str(k): str(v) for k, v in accounts.items()}, erp_source=section.get("erp_source"))

    def account(self, role: str) -> str:
        """The account a journal posts to for ``role``; never guessed."""
        if role not in self.accounts:
            raise CorrectionError(f"no {role} account: set [corrections.accounts] {role} = \"<account id>\" "
                                  "in tieout.toml")
        return self.accounts[role]

    def needs_second_approver(self, amount: int | None, currency: str | None) -> bool:
        limit = self.second_approver_above.get((currency or "").upper())
        return limit is not None and amount is not None and abs(amount) > limit


@dataclass(frozen=True)
class Spec:
    """Everything a correction will do, stored with it when proposed and listed in the plan."""

    side: str  # erp | billing | record (nothing is sent)
    source: str | None  # the source written to
    request: dict[str, Any] | None  # {method, path, body, idempotency_key}
    target_path: str | None  # read before (stale check) and after (read-back, lookup) the write
    expect: dict[str, Any]  # {"fields": {path: value}, "lines": {"sublist", "where", "count"}}
    target_ref: str | None
    amount: int | None
    currency: str | None
    stale_check: bool = False  # an existing record is changed: refuse if it moved since the proposal
    keyless: bool = False  # a PATCH appending sublist lines: never re-sent before a lookup

    def request_json(self) -> dict[str, Any]:
        return {**(self.request or {}), "keyless": self.keyless, "side": self.side}


class Facts(Protocol):
    """What a type may know about the break it corrects (read inside the proposal's transaction)."""

    brk: dict[str, Any]
    billing: list[Any]  # RecordView
    erp: list[Any]
    key: str  # the correction's idempotency key, derived from its id
    policy: Policy
    note: str | None

    def billing_lines(self, table: str, parent_ref: str) -> list[dict[str, Any]]: ...
    def erp_customer(self, billing_customer: str) -> str | None: ...
    def subsidiary(self, entity: str | None) -> str: ...
    def erp_source(self) -> str: ...


@dataclass(frozen=True)
class CorrectionType:
    name: str
    domain: str
    summary: str
    build: Callable[[Facts], Spec]


TYPES: dict[str, CorrectionType] = {}
DEFAULTS: dict[tuple[str, str], str] = {}


def register(ctype: CorrectionType, *, default_for: tuple[str, ...] = ()) -> CorrectionType:
    """Make a type available, and the default for these break kinds of its domain."""
    TYPES[ctype.name] = ctype
    for kind in default_for:
        DEFAULTS[(ctype.domain, kind)] = ctype.name
    return ctype


def type_named(name: str, domain: str) -> CorrectionType:
    ctype = TYPES.get(name)
    if ctype is None or ctype.domain != domain:
        known = ", ".join(sorted(n for n, t in TYPES.items() if t.domain == domain)) or "none"
        raise CorrectionError(f"correction type {name!r}: not one of the {domain} domain's ({known})")
    return ctype


def default_type(domain: str, kind: str) -> CorrectionType:
    name = DEFAULTS.get((domain, kind))
    if name is None:
        known = ", ".join(sorted(n for n, t in TYPES.items() if t.domain == domain)) or "none"
        raise CorrectionError(f"a {domain} {kind} break has no default correction; choose one with --type "
                              f"({known})")
    return TYPES[name]
