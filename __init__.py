"""tieout: reconcile billing with the ledger at month-end close.

The public Python API for analysts::

    import tieout
    ws = tieout.open_workspace("close-2026-10")
    ws.match("2026-10")
    ws.breaks("2026-10", kind="amount_mismatch")   # a polars DataFrame, amounts in minor units

The repository's top-level folders (app, connectors, reconcile, storage,
sample_data, bench) are installed as subpackages of this one, so an analyst's
own ``storage/`` or ``app.py`` never shadows them.  Names load on first use
(PEP 562): a sync worker importing ``tieout.storage.ingest`` pays for nothing else.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "open_workspace": "tieout.reconcile.service",
    "init_workspace": "tieout.storage.workspace",
    "load_ruleset": "tieout.reconcile.rules",
    "TieoutError": "tieout.storage.errors",
}
__all__ = ["__version__", *sorted(_EXPORTS)]


def __getattr__(name: str) -> Any:
    if name == "__version__":  # looked up when asked: importlib.metadata was a fifth of a sync worker's imports
        return _version()
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'tieout' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("tieout")
    except PackageNotFoundError:  # a source tree that is not installed
        return "0.0.0+source"
