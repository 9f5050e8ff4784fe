"""Secrets: keyring or environment, never stored or shown; the CLI around sources and sync."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import keyring
import pytest
from keyring.backends.fail import Keyring as NoKeyring
from typer.testing import CliRunner

from tieout.app.cli import cli
from tieout.connectors.credentials import get_secret, has_secret, require_secret, set_secret
from tieout.connectors.errors import CredentialError
from tieout.connectors.sandbox.faults import Faults
from tieout.connectors.sandbox.netsuite import default_secret
from tieout.connectors.sync import sync_sources
from tieout.storage.workspace import Workspace
from tests.connectors.helpers import FAST, STRIPE_SECRET, sandboxes


def test_keyring_then_environment_wins(memory_keyring, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("TIEOUT_SECRET_STRIPE_US", raising=False)
    assert get_secret("stripe-us") is None and not has_secret("stripe-us")
    set_secret("stripe-us", "sk_from_keyring")
    assert memory_keyring.store[("tieout", "stripe-us")] == "sk_from_keyring"
    assert require_secret("stripe-us") == "sk_from_keyring"
    monkeypatch.setenv("TIEOUT_SECRET_STRIPE_US", "sk_from_env")
    assert get_secret("stripe-us") == "sk_from_env"


def test_no_keyring_says_so_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(NoKeyring())
    try:
        monkeypatch.delenv("TIEOUT_SECRET_ERP", raising=False)
        with pytest.raises(CredentialError, match=r"^no usable keyring on this machine .*set TIEOUT_SECRET_ERP instead$"):
            set_secret("erp", "x")
        with pytest.raises(CredentialError, match="TIEOUT_SECRET_ERP"):
            get_secret("erp")
        monkeypatch.setenv("TIEOUT_SECRET_ERP", "from-env")
        assert get_secret("erp") == "from-env"
    finally:
        keyring.set_keyring(previous)


def test_secret_appears_nowhere(ws: Workspace, sample_dir: Path, monkeypatch: pytest.MonkeyPatch,
                                caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with sandboxes(ws, sample_dir, monkeypatch, stripe_faults=Faults.parse(["500:0.3"], seed=1)) as boxes:
        ns_secret = boxes.netsuite.secret
        ok = sync_sources(ws, **FAST)
        boxes.stripe.secret = "sk_test_rotated"  # the stored key is now refused
        failed = sync_sources(ws, ["stripe"], **FAST)
    assert all(r.ok for r in ok) and not failed[0].ok
    secrets = [STRIPE_SECRET, *json.loads(ns_secret).values()]
    secrets = [s for s in secrets if len(s) > 8]
    texts = [ws.db_path.read_bytes().decode("latin-1"), ws.config_path.read_text(), caplog.text,
             failed[0].error or "", repr(failed)]
    for wal in ws.path.glob("tieout.db*"):
        texts.append(wal.read_bytes().decode("latin-1"))
    for secret in secrets:
        for text in texts:
            assert secret not in text


def test_cli_source_add_list_connect_sync(ws: Workspace, sample_dir: Path, monkeypatch: pytest.MonkeyPatch,
                                          memory_keyring) -> None:  # type: ignore[no-untyped-def]
    runner = CliRunner()
    with sandboxes(ws, sample_dir, monkeypatch):
        monkeypatch.delenv("TIEOUT_SECRET_STRIPE")
        res = runner.invoke(cli, ["connect", "stripe", "-w", str(ws.path)], input=f"{STRIPE_SECRET}\n")
        assert res.exit_code == 0, res.output
        assert STRIPE_SECRET not in res.output
        assert memory_keyring.store[("tieout", "stripe")] == STRIPE_SECRET
        res = runner.invoke(cli, ["source", "list", "-w", str(ws.path), "--format", "json"])
        listed = {row["name"]: row for row in json.loads(res.stdout)}
        assert listed["stripe"]["secret"] is True and listed["stripe"]["side"] == "billing"
        res = runner.invoke(cli, ["sync", "stripe", "-w", str(ws.path), "--format", "json"])
        assert res.exit_code == 0, res.output
        summary = {row["object_type"]: row for row in json.loads(res.stdout.strip().splitlines()[-1])}
        assert summary["invoice"]["new"] > 0
        monkeypatch.setenv("TIEOUT_SECRET_NETSUITE", default_secret())  # a credential the sandbox refuses
        res = runner.invoke(cli, ["sync", "-w", str(ws.path), "--format", "json"])
        assert res.exit_code == 1  # netsuite refused; stripe still synced (all unchanged)
        res = runner.invoke(cli, ["source", "list", "-w", str(ws.path), "--format", "json"])
        assert {r["name"]: r["last_status"] for r in json.loads(res.stdout)} == {"netsuite": "failed",
                                                                                  "stripe": "ok"}


def test_source_add_rejects_bad_input(ws: Workspace) -> None:
    from tieout.connectors.errors import ConnectorError
    from tieout.connectors.sources import add_source

    with pytest.raises(ConnectorError, match="kind must be one of"):
        add_source(ws, "x", kind="sap", side="erp")
    with pytest.raises(ConnectorError, match="needs --path FILE and --mapping"):
        add_source(ws, "x", kind="file", side="erp")
    with pytest.raises(ConnectorError, match="unknown entity 'MARS'"):
        add_source(ws, "x", kind="stripe", side="billing", entity="MARS")
    assert "x" not in ws.config.sources
