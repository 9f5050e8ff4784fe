"""Workspace store: SQLite file, canonical tables, migrations, exact money, audit log.

The names below load on first use (PEP 562), so a process that only ingests (a sync worker
importing :mod:`storage.ingest`) skips the workspace stack: alembic, polars, the config.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "TieoutError": "storage.errors",
    "Money": "storage.money",
    "MoneyError": "storage.money",
    "UnknownCurrency": "storage.money",
    "format_amount": "storage.money",
    "parse_amount": "storage.money",
    "Workspace": "storage.workspace",
    "WorkspaceError": "storage.workspace",
    "init_workspace": "storage.workspace",
    "open_workspace": "storage.workspace",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'storage' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
