"""Installs the repository's top-level folders as one package, ``tieout`` (see pyproject.toml).

pyproject.toml cannot prefix discovered packages, so the list is computed here:
``app`` becomes ``tieout.app`` and so on; ``tests`` is never installed.
"""

from setuptools import find_packages, setup

PRODUCT_FOLDERS = ("app", "connectors", "reconcile", "storage", "sample_data", "bench")

setup(
    package_dir={"tieout": "."},
    packages=["tieout", *(f"tieout.{name}" for name in find_packages(include=[f"{f}*" for f in PRODUCT_FOLDERS]))],
)
