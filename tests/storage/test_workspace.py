"""Workspaces: creation, permissions, settings, migrations, the INTEGER-money rule."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import SQLModel

import tieout.storage.models  # noqa: F401  (registers the tables)
from tieout.storage.db import make_engine
from tieout.storage.migrate import current_revision, head_revision, upgrade
from tieout.storage.money import MONEY_FIELDS
from tieout.storage.workspace import Workspace, WorkspaceError, init_workspace, open_workspace


def test_init_creates_private_folder_and_db(ws: Workspace) -> None:
    assert stat.S_IMODE(os.stat(ws.path).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(ws.db_path).st_mode) == 0o600
    assert ws.config_path.read_text().startswith("[workspace]")
    with sqlite3.connect(ws.db_path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("SELECT action, user FROM audit_event").fetchall() == [("workspace.init", "tester")]
    assert current_revision(ws.engine) == head_revision()


def test_foreign_keys_are_enforced(ws: Workspace) -> None:
    with pytest.raises(Exception, match="FOREIGN KEY"):
        with ws.session() as session:
            session.execute(text("INSERT INTO sync_run (source_id, started_at, status, cursor, counts, pages) "
                                 "VALUES (999, 'x', 'running', '{}', '{}', 0)"))


def test_init_refuses_existing_workspace(ws: Workspace) -> None:
    with pytest.raises(WorkspaceError, match="already a tieout workspace"):
        init_workspace(ws.path)


def test_open_missing_workspace_names_the_folder(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match=str(tmp_path / "nope")):
        open_workspace(tmp_path / "nope")


def test_bad_config_is_reported_with_its_path(ws: Workspace) -> None:
    ws.config_path.write_text("[workspace\nname=")
    with pytest.raises(WorkspaceError, match="tieout.toml: not valid TOML"):
        open_workspace(ws.path)
    ws.config_path.write_text('[entities.XX]\ncurrency = "ZZZ"\n')
    with pytest.raises(WorkspaceError, match=r"\[entities.XX\] currency"):
        open_workspace(ws.path)


def test_config_round_trips(ws: Workspace) -> None:
    ws.config.sources["stripe"] = {"kind": "stripe", "side": "billing", "url": "http://127.0.0.1:1"}
    ws.save_config()
    again = open_workspace(ws.path)
    assert again.config.sources == ws.config.sources
    assert again.config.entities["EU"]["currency"] == "EUR"
    again.close()


def test_workspace_from_first_revision_upgrades_and_keeps_data(tmp_path: Path) -> None:
    """A workspace made by the first schema version opens in this one, data intact."""
    folder = tmp_path / "old"
    folder.mkdir()
    engine = make_engine(folder / "tieout.db")
    upgrade(engine, "0001")
    assert current_revision(engine) == "0001"
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO source (name, kind, side, created_at) VALUES ('stripe', 'stripe', 'billing', 't')"))
        conn.execute(text(
            "INSERT INTO invoice (side, source_id, external_id, currency, status, subtotal, tax, total, amount_paid, amount_due) "
            "VALUES ('billing', 1, 'in_1', 'USD', 'open', 1000, 100, 1100, 0, 1100)"))
    engine.dispose()
    (folder / "tieout.toml").write_text('[workspace]\nname = "old"\n')

    ws = open_workspace(folder)
    assert current_revision(ws.engine) == head_revision()
    with ws.session() as session:
        assert session.execute(text("SELECT total FROM invoice WHERE external_id='in_1'")).scalar_one() == 1100
        assert session.execute(text("SELECT count(*) FROM break")).scalar_one() == 0
    ws.close()


def test_every_money_column_is_integer(ws: Workspace) -> None:
    """Scan the migrated schema: money columns are INTEGER and no column is REAL/NUMERIC."""
    with sqlite3.connect(ws.db_path) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' AND name != 'alembic_version'")]
        assert {"invoice", "payment", "payout", "break", "correction", "revenue_schedule_line"} <= set(tables)
        money_columns = 0
        for table in tables:
            for _cid, name, decl, *_ in conn.execute(f'PRAGMA table_info("{table}")'):
                decl = decl.upper()
                assert not any(t in decl for t in ("REAL", "FLOA", "DOUB", "NUMERIC", "DECIMAL")), (table, name, decl)
                if name in MONEY_FIELDS:
                    assert decl == "INTEGER", f"{table}.{name} is {decl}"
                    money_columns += 1
        assert money_columns >= 30


def test_models_match_the_migrations(ws: Workspace) -> None:
    """The migrations produce exactly the tables the models declare (no forgotten revision)."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    with ws.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), SQLModel.metadata) == []


def test_init_takes_a_path_or_the_workspace_option(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from tieout.app.cli import cli

    runner = CliRunner()
    assert runner.invoke(cli, ["init", str(tmp_path / "a")]).exit_code == 0
    assert runner.invoke(cli, ["init", "--workspace", str(tmp_path / "b")]).exit_code == 0
    assert runner.invoke(cli, ["init"], env={"TIEOUT_WORKSPACE": str(tmp_path / "c")}).exit_code == 0
    assert all((tmp_path / name / "tieout.db").exists() for name in "abc")
    again = runner.invoke(cli, ["init", "-w", str(tmp_path / "a")])
    assert again.exit_code == 1 and "already a tieout workspace" in again.output
