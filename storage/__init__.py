"""Workspace store: SQLite file, canonical tables, migrations, exact money, audit log.

The names below load on first use (PEP 562), so a process that only ingests (a sync worker
importing :mod:`storage.ingest`) skips the workspace stack: alembic, polars, the config.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "TieoutError": "tieout.storage.errors",
    "Money": "tieout.storage.money",
    "MoneyError": "tieout.storage.money",
    "UnknownCurrency": "tieout.storage.money",
    "format_amount": "tieout.storage.money",
    "parse_amount": "tieout.storage.money",
    "Workspace": "tieout.storage.workspace",
    "WorkspaceError": "tieout.storage.workspace",
    "init_workspace": "tieout.storage.workspace",
    "open_workspace": "tieout.storage.workspace",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'storage' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
