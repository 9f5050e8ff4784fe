"""Fixtures of the corrections tests (helpers in :mod:`tests.corrections.books`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tieout.connectors.sandbox import Faults
from tieout.reconcile.corrections.service import default_connect
from tieout.reconcile.service import Service
from tieout.sample_data.generate import generate
from tieout.storage.workspace import Workspace
from tests.connectors.helpers import sandboxes
from tests.corrections.books import PERIOD, Books, sync


@pytest.fixture(scope="session")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("corrections") / "s50"
    generate(seed=11, invoices=50, out=str(out))
    return out


@pytest.fixture
def books(ws: Workspace, sample: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Books]:
    faults = Faults(slow_seconds=1.0)
    with sandboxes(ws, sample, monkeypatch, stripe_faults=Faults(slow_seconds=1.0), netsuite_faults=faults) as boxes:
        sync(ws)
        svc = Service(ws)
        svc.match(PERIOD, domain="invoice")
        svc.corrections.connect = default_connect(ws, read_timeout=0.5, connect_timeout=0.5, backoff_base=0.01,
                                                  rate=10000)
        yield Books(ws, svc, boxes)
