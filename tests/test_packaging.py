"""One import namespace: the distribution installs `tieout` and nothing else beside it."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from importlib.metadata import distribution
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_installed_distribution_has_one_top_level_package() -> None:
    assert distribution("tieout").read_text("top_level.txt").split() == ["tieout"]


def test_a_built_wheel_holds_only_tieout_with_its_data(tmp_path: Path) -> None:
    source = tmp_path / "src"  # a copy: setuptools leaves build/ in the tree it builds
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(".git", ".venv", "build", "*.egg-info", "__pycache__"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(source)],
                   check=True, capture_output=True)
    (wheel,) = tmp_path.glob("tieout-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    dist_info = "-".join(wheel.name.split("-")[:2]) + ".dist-info"
    assert {n.split("/")[0] for n in names} == {"tieout", dist_info}
    for needed in ("tieout/__init__.py", "tieout/app/cli/__init__.py", "tieout/app/tui/app.tcss",
                   "tieout/reconcile/rules/default.toml", "tieout/storage/migrations/env.py",
                   "tieout/storage/migrations/versions/0001_initial_schema.py",
                   "tieout/sample_data/month/answer_key.json", "tieout/sample_data/month/stripe/invoice.jsonl.gz"):
        assert needed in names
    assert not [n for n in names if n.startswith("tieout/tests/")]


def test_an_analysts_own_storage_and_app_do_not_shadow_tieout(tmp_path: Path) -> None:
    (tmp_path / "storage").mkdir()
    (tmp_path / "storage" / "__init__.py").write_text("raise ImportError('the analyst storage package')\n")
    (tmp_path / "app.py").write_text("raise ImportError('the analyst app module')\n")
    (tmp_path / "reconcile.py").write_text("raise ImportError('the analyst reconcile module')\n")
    out = subprocess.run([sys.executable, "-c", "import tieout; print(tieout.open_workspace.__module__)"],
                         cwd=tmp_path, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "tieout.reconcile.service"
