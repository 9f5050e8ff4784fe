"""Data flows one way (DESIGN.md): connectors → storage → reconcile → app; and tests import only
public product names and no other test module (shared helpers live in support modules or fixtures).

Checked on the source text with ``ast``, so a lazy import inside a function
counts too.
"""

from __future__ import annotations

import ast
import re
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


TESTS = REPO / "tests"


def _is_private(name: str) -> bool:
    """``_x`` is private; dunders such as ``__version__`` are not."""
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _is_test_module(dotted: str) -> bool:
    """A module pytest collects or loads itself: ``tests/**/test_*.py`` or any ``conftest.py``."""
    parts = dotted.split(".")
    return parts[0] == "tests" and (parts[-1].startswith("test_") or parts[-1] == "conftest")


def _imported(node: ast.Import | ast.ImportFrom, package: str) -> tuple[list[str], list[str]]:
    """The dotted modules an import names, and the names it takes from them (relative imports resolved)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names], []
    parts = package.split(".")
    base = parts[: len(parts) - node.level + 1] if node.level else []
    return [".".join([*base, *([node.module] if node.module else [])])], [alias.name for alias in node.names]


def _test_import_offences(source: str, package: str) -> list[str]:
    """Private product names and test modules imported by one file of the dotted ``package`` under tests/."""
    offences: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, (ast.Import, ast.ImportFrom)):
            continue
        modules, names = _imported(node, package)
        for module in modules:
            if module.split(".")[0] == "tieout":
                private = [part for part in module.split(".") if _is_private(part)]
                offences += [f"line {node.lineno}: imports private module {module}"] if private else []
                offences += [f"line {node.lineno}: imports private {module}.{n}" for n in names if _is_private(n)]
            # `from tests.x import test_y` loads a test module as surely as `from tests.x.test_y import z`
            offences += [f"line {node.lineno}: imports test module {m}"
                         for m in (module, *(f"{module}.{n}" for n in names)) if _is_test_module(m)]
    return offences


def test_tests_use_public_names_and_no_other_test_module() -> None:
    """Shared helpers live in support modules or fixtures; product names a test needs are public."""
    found = {}
    for path in sorted(TESTS.rglob("*.py")):
        package = ".".join(path.relative_to(REPO).parent.parts)
        if offences := _test_import_offences(path.read_text(encoding="utf-8"), package):
            found[str(path.relative_to(REPO))] = offences
    assert found == {}


def test_the_test_import_check_catches_planted_imports() -> None:
    """Each kind of import the check above forbids is caught; public names and support modules pass."""
    planted = {
        "from tieout.storage.ingest import Record, _spec": ["imports private tieout.storage.ingest._spec"],
        "import tieout.storage._hidden": ["imports private module tieout.storage._hidden"],
        "from tests.storage.test_ingest import invoice_record": ["imports test module tests.storage.test_ingest"],
        "from tests.conftest import SAMPLE_MONTH": ["imports test module tests.conftest"],
        "from tests.export import test_workbook": ["imports test module tests.export.test_workbook"],
        "from .conftest import books": ["imports test module tests.app.cli.conftest"],
        "from ..conftest import books": ["imports test module tests.app.conftest"],
        "from tieout.storage.ingest import Record": [],
        "from tieout import __version__": [],
        "from tests.support import SAMPLE_MONTH": [],
        "from .pilot import until": [],
    }
    found = {line: [o.removeprefix("line 1: ") for o in _test_import_offences(line, "tests.app.cli")]
             for line in planted}
    assert found == planted


# storage owns every SQL statement; SuiteQL sent to NetSuite and the vendor imitations are not ours
SQL_OUTSIDE_STORAGE = ("app", "reconcile", "connectors")
SQL_EXEMPT = ("connectors/sandbox/", "connectors/netsuite/client.py")
_SQL = re.compile(r"\b(SELECT\b[\s\S]+\bFROM|INSERT\s+INTO|DELETE\s+FROM|UPDATE\s+\"?\w+\"?\s+SET|"
                  r"CREATE\s+(TEMP\s+)?(TABLE|INDEX)|BEGIN\s+IMMEDIATE|PRAGMA\s+\w+)\b")


def sql_literals(source: str) -> list[str]:
    """String literals (f-string parts included) that hold SQL text; docstrings and bare strings are prose."""
    tree = ast.parse(source)
    prose = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant)}
    return [node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in prose
            and _SQL.search(node.value)]


def test_sql_scanner_finds_sql_in_plain_and_f_strings() -> None:
    planted = 'rows = conn.execute(f"SELECT id FROM \\"break\\" WHERE period = {p}")\nx = "UPDATE match SET a = 1"'
    assert len(sql_literals(planted)) == 2
    assert sql_literals('"""Takes BEGIN IMMEDIATE."""\nmsg = "select a period from the list"') == []


@pytest.mark.parametrize("package", SQL_OUTSIDE_STORAGE)
def test_no_sql_text_outside_storage(package: str) -> None:
    offenders = {}
    for path in sorted((REPO / package).rglob("*.py")):
        rel = path.relative_to(REPO).as_posix()
        if rel.startswith(SQL_EXEMPT):
            continue
        found = sql_literals(path.read_text(encoding="utf-8"))
        if found:
            offenders[rel] = [s.strip()[:60] for s in found]
    assert offenders == {}, "SQL belongs in storage/ (one module per table group): move it there and call it"
