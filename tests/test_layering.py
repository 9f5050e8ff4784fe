"""Data flows one way (DESIGN.md): connectors → storage → reconcile → app.

Checked on the source text with ``ast``, so a lazy import inside a function
counts too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

FORBIDDEN = {
    "storage": {"app", "connectors", "reconcile", "textual", "textual_fastdatatable"},
    "connectors": {"app", "reconcile", "textual", "textual_fastdatatable"},
    "reconcile": {"app", "textual", "textual_fastdatatable"},
}


def _layer(module: str) -> str:
    """The layer a dotted module name belongs to: ``tieout.app.cli`` -> ``app``, ``textual.app`` -> ``textual``."""
    parts = module.split(".")
    return parts[1] if parts[0] == "tieout" and len(parts) > 1 else parts[0]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(_layer(alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "tieout":
                found.update(alias.name for alias in node.names)
            else:
                found.add(_layer(node.module))
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_respect_the_data_flow(package: str) -> None:
    files = sorted((REPO / package).rglob("*.py"))
    assert files, f"{package}/ has no Python files"
    offenders = {
        str(path.relative_to(REPO)): sorted(_imports(path) & FORBIDDEN[package])
        for path in files
        if _imports(path) & FORBIDDEN[package]
    }
    assert offenders == {}
