"""Matching rules as data: a TOML ruleset of ordered passes per domain.

The engine never hard-codes how records pair up; it reads a :class:`Ruleset`.
Loading validates everything up front (unknown domain, unknown field, bad
tolerance, bad cardinality) so a typo fails with the file and the place named
instead of silently matching less.  Percent tolerances are kept as integer
basis points, so comparisons stay exact integer arithmetic.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import Any

from tieout.storage.errors import RulesetError

DEFAULT_RULESET = "default.toml"

CARDINALITIES = ("one_to_one", "one_to_many", "many_to_one")
ON_MULTIPLE = ("ambiguous", "duplicate")



@dataclass(frozen=True)
class Tolerance:
    """How far a total may differ: ``amount_abs`` minor units or ``amount_bp`` basis points."""

    amount_abs: int = 0
    amount_bp: int = 0

    @property
    def exact(self) -> bool:
        return self.amount_abs == 0 and self.amount_bp == 0


@dataclass(frozen=True)
class Pass:
    name: str
    keys: tuple[str, ...]
    tolerance: Tolerance | None = None  # None: amounts do not decide the pairing
    date_days: int | None = None
    cardinality: str = "one_to_one"
    max_group: int = 1
    on_multiple: str = "ambiguous"


@dataclass(frozen=True)
class DomainRules:
    passes: tuple[Pass, ...]
    compare_fields: tuple[str, ...]
    compare_tolerance: Tolerance = Tolerance()
    status_equivalent: tuple[tuple[str, ...], ...] = ()  # statuses that are one state (open ~ uncollectible)
    duplicate_keys: tuple[str, ...] = ()
    options: dict[str, Any] = field(default_factory=dict)  # the domain's own sections ([payment.fx] ...), as parsed
    manual_cross_currency: bool = False  # may a manual match pair records in different currencies?

    def as_dict(self) -> dict[str, Any]:
        """Plain data for the ruleset hash; settings added later count only when set (keeps older hashes)."""
        data = asdict(self)
        if not data["options"]:
            del data["options"]
        if not data["manual_cross_currency"]:
            del data["manual_cross_currency"]
        return data


@dataclass(frozen=True)
class Ruleset:
    source: str  # where it was loaded from, for messages
    domains: dict[str, DomainRules] = field(default_factory=dict)

    @property
    def hash(self) -> str:
        """SHA-256 of the validated rules (not the file text: comments do not change it)."""
        body = json.dumps({d: r.as_dict() for d, r in sorted(self.domains.items())}, sort_keys=True)
        return hashlib.sha256(body.encode("utf-8")).hexdigest()

    def domain(self, name: str) -> DomainRules:
        if name not in self.domains:
            raise RulesetError(f"{self.source}: no rules for domain {name!r} (has: {', '.join(self.domains)})")
        return self.domains[name]

    def describe(self) -> list[dict[str, Any]]:
        """One row per pass, for `tieout rules show`."""
        rows = []
        for domain, rules in self.domains.items():
            for order, p in enumerate(rules.passes, 1):
                rows.append({
                    "domain": domain, "order": order, "pass": p.name, "keys": ",".join(p.keys),
                    "amount_abs": p.tolerance.amount_abs if p.tolerance else None,
                    "amount_pct": _bp_text(p.tolerance.amount_bp) if p.tolerance else None,
                    "date_days": p.date_days, "cardinality": p.cardinality, "max_group": p.max_group,
                    "on_multiple": p.on_multiple,
                })
        return rows


def load_ruleset(path: str | Path | None = None, *, base: Path | None = None) -> Ruleset:
    """The ruleset at ``path`` (relative to ``base``), or the default one shipped with tieout."""
    if path is None:
        text = resources.files("tieout.reconcile.rules").joinpath(DEFAULT_RULESET).read_text(encoding="utf-8")
        return parse_ruleset(text, source=f"<default {DEFAULT_RULESET}>")
    file = Path(path).expanduser()
    if not file.is_absolute() and base is not None:
        file = base / file
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise RulesetError(f"ruleset {file}: cannot read it ({exc.strerror})") from None
    return parse_ruleset(text, source=str(file))


def parse_ruleset(text: str, *, source: str = "<ruleset>") -> Ruleset:
    """Parse and validate ruleset TOML text."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RulesetError(f"{source}: not valid TOML: {exc}") from None
    version = data.pop("version", 1)
    if version != 1:
        raise RulesetError(f"{source}: unsupported ruleset version {version!r} (this tieout reads version 1)")
    if not data:
        raise RulesetError(f"{source}: no domains defined")
    from tieout.reconcile import domains as registry  # the domains declare their fields; they import this module

    domains = {}
    for name, body in data.items():
        if name not in registry.names():
            raise RulesetError(f"{source}: unknown domain {name!r} (known: {', '.join(sorted(registry.names()))})")
        if not isinstance(body, dict):
            raise RulesetError(f"{source}: [{name}] must be a table")
        domains[name] = _domain(registry.get(name), body, f"{source}: [{name}]")
    return Ruleset(source=source, domains=domains)


def _domain(domain: Any, body: dict[str, Any], where: str) -> DomainRules:
    """One domain's section, checked against the fields the domain declares (a registered Domain)."""
    name = domain.name
    _no_extra(body, {"passes", "compare", "duplicates", "manual", *domain.rule_sections}, where)
    raw_passes = body.get("passes")
    if not isinstance(raw_passes, list) or not raw_passes:
        raise RulesetError(f"{where}: needs at least one [[{name}.passes]] entry")
    passes = tuple(_pass(domain.key_fields, p, f"{where} pass {i}") for i, p in enumerate(raw_passes, 1))
    names = [p.name for p in passes]
    if len(set(names)) != len(names):
        raise RulesetError(f"{where}: pass names must be unique, got {names}")
    compare = body.get("compare", {})
    _no_extra(compare, {"fields", "amount_abs", "amount_pct", "status_equivalent"}, f"{where}.compare")
    equivalent = compare.get("status_equivalent", [])
    if not isinstance(equivalent, list) or not all(
            isinstance(g, list) and len(g) >= 2 and all(isinstance(x, str) for x in g) for g in equivalent):
        raise RulesetError(f"{where}.compare: status_equivalent must be a list of lists of 2+ statuses")
    fields = tuple(compare.get("fields", domain.compare_fields))
    unknown = [f for f in fields if f not in domain.compare_fields]
    if unknown:
        raise RulesetError(f"{where}.compare: unknown field(s) {unknown} (known: {', '.join(domain.compare_fields)})")
    dup = body.get("duplicates", {})
    _no_extra(dup, {"keys"}, f"{where}.duplicates")
    dup_keys = tuple(dup.get("keys", ()))
    unknown = [f for f in dup_keys if f not in domain.duplicate_fields]
    if unknown:
        raise RulesetError(f"{where}.duplicates: unknown field(s) {unknown} "
                           f"(known: {', '.join(sorted(domain.duplicate_fields))})")
    manual = body.get("manual", {})
    if not isinstance(manual, dict):
        raise RulesetError(f"{where}.manual: must be a table")
    _no_extra(manual, {"cross_currency"}, f"{where}.manual")
    cross_currency = manual.get("cross_currency", False)
    if not isinstance(cross_currency, bool):
        raise RulesetError(f"{where}.manual: cross_currency must be true or false, not {cross_currency!r}")
    return DomainRules(passes=passes, compare_fields=fields, compare_tolerance=_tolerance(compare, f"{where}.compare"),
                       status_equivalent=tuple(tuple(g) for g in equivalent), duplicate_keys=dup_keys,
                       options={s: body[s] for s in sorted(domain.rule_sections) if s in body},
                       manual_cross_currency=cross_currency)


def _pass(key_fields: frozenset[str], body: Any, where: str) -> Pass:
    if not isinstance(body, dict):
        raise RulesetError(f"{where}: must be a table")
    name = body.get("name")
    if not isinstance(name, str) or not name:
        raise RulesetError(f"{where}: needs a name")
    where = f"{where} ({name!r})"
    _no_extra(body, {"name", "keys", "amount_abs", "amount_pct", "date_days", "cardinality", "max_group",
                     "on_multiple"}, where)
    keys = body.get("keys")
    if not isinstance(keys, list) or not keys or not all(isinstance(k, str) for k in keys):
        raise RulesetError(f"{where}: keys must be a non-empty list of field names")
    unknown = [k for k in keys if k not in key_fields]
    if unknown:
        raise RulesetError(f"{where}: unknown field(s) {unknown} (known: {', '.join(sorted(key_fields))})")
    date_days = body.get("date_days")
    if date_days is not None and (not _is_int(date_days) or date_days < 0):
        raise RulesetError(f"{where}: date_days must be a whole number of days >= 0, not {date_days!r}")
    cardinality = body.get("cardinality", "one_to_one")
    if cardinality not in CARDINALITIES:
        raise RulesetError(f"{where}: cardinality must be one of {', '.join(CARDINALITIES)}, not {cardinality!r}")
    max_group = body.get("max_group", 1 if cardinality == "one_to_one" else 5)
    if not _is_int(max_group) or not (1 <= max_group <= 50) or (cardinality != "one_to_one" and max_group < 2):
        raise RulesetError(f"{where}: max_group must be a whole number in 2..50 for grouping passes, not {max_group!r}")
    on_multiple = body.get("on_multiple", "ambiguous")
    if on_multiple not in ON_MULTIPLE:
        raise RulesetError(f"{where}: on_multiple must be one of {', '.join(ON_MULTIPLE)}, not {on_multiple!r}")
    if on_multiple == "duplicate" and cardinality != "one_to_one":
        raise RulesetError(f"{where}: on_multiple = 'duplicate' only applies to one_to_one passes")
    tolerance = _tolerance(body, where) if {"amount_abs", "amount_pct"} & set(body) else None
    if tolerance is None and cardinality != "one_to_one":
        tolerance = Tolerance()  # a group must always tie out to its counterpart
    return Pass(name=name, keys=tuple(keys), tolerance=tolerance, date_days=date_days,
                cardinality=cardinality, max_group=max_group if cardinality != "one_to_one" else 1,
                on_multiple=on_multiple)


def _tolerance(body: dict[str, Any], where: str) -> Tolerance:
    amount_abs = body.get("amount_abs", 0)
    if not _is_int(amount_abs) or amount_abs < 0:
        raise RulesetError(f"{where}: amount_abs must be a whole number of minor units >= 0, not {amount_abs!r}")
    pct = body.get("amount_pct", 0)
    if isinstance(pct, bool) or not isinstance(pct, (int, float, str)):
        raise RulesetError(f"{where}: amount_pct must be a number of percent, not {pct!r}")
    try:
        bp = Decimal(str(pct)) * 100
    except InvalidOperation:
        raise RulesetError(f"{where}: amount_pct must be a number of percent, not {pct!r}") from None
    if bp < 0 or bp > 10000 or bp != bp.to_integral_value():
        raise RulesetError(f"{where}: amount_pct must be 0..100 with at most 2 decimals, not {pct!r}")
    return Tolerance(amount_abs=amount_abs, amount_bp=int(bp))


def _no_extra(body: dict[str, Any], allowed: set[str], where: str) -> None:
    extra = sorted(set(body) - allowed)
    if extra:
        raise RulesetError(f"{where}: unknown setting(s) {extra} (allowed: {', '.join(sorted(allowed))})")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _bp_text(bp: int) -> str:
    return str(Decimal(bp) / 100)
