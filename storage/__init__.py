"""Workspace store: SQLite file, canonical tables, migrations, exact money, audit log."""

from storage.errors import TieoutError
from storage.money import Money, MoneyError, UnknownCurrency, format_amount, parse_amount
from storage.workspace import Workspace, WorkspaceError, init_workspace, open_workspace

__all__ = [
    "Money",
    "TieoutError",
    "MoneyError",
    "UnknownCurrency",
    "Workspace",
    "WorkspaceError",
    "format_amount",
    "init_workspace",
    "open_workspace",
    "parse_amount",
]
