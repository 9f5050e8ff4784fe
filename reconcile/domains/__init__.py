"""The domain seam: one module per reconciliation domain, registered here by name.

The service (match, summary, break detail, manual match), the TUI, the CLI
and the workpaper iterate over :func:`matched` and look domains up with
:func:`get`; none of them names a domain.  Adding one means writing its
module (a :class:`Domain`, see :mod:`.base`), its section in the ruleset and
its tests, then importing it at the bottom of this file.
"""

from __future__ import annotations

from tieout.reconcile.domains.base import Domain, KindSpec, Outcome, RecordView
from tieout.storage.errors import ServiceError

_REGISTRY: dict[str, Domain] = {}


def register(domain: Domain) -> Domain:
    """Add ``domain`` (or replace the one of that name); returns it, so a module can write ``X = register(...)``."""
    _REGISTRY[domain.name] = domain
    return domain


def unregister(name: str) -> None:
    """Remove a domain (a test that registered a toy one puts things back)."""
    _REGISTRY.pop(name, None)


def get(name: str) -> Domain:
    """The registered domain ``name``; a clear error naming the known ones otherwise."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ServiceError(f"domain {name!r}: not matched by this version (known: {', '.join(_REGISTRY)})") from None


def matched() -> tuple[Domain, ...]:
    """Every registered domain, in registration order."""
    return tuple(_REGISTRY.values())


def names() -> tuple[str, ...]:
    return tuple(_REGISTRY)


def select(name: str | None) -> tuple[Domain, ...]:
    """One domain by name, or all of them for None."""
    return matched() if name is None else (get(name),)


__all__ = ["Domain", "KindSpec", "Outcome", "RecordView", "get", "matched", "names", "register", "select",
           "unregister"]

from tieout.reconcile.domains import invoice, payment  # noqa: E402,F401  (registers the built-in domains)
