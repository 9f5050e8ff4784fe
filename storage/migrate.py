"""Alembic migrations run programmatically (no alembic.ini needed by users).

Before migrating, :func:`check_schema` makes sure the file is a tieout store this
version can handle: not one made by a newer tieout, not one whose version table is gone.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

from tieout.storage.errors import StoreError

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(engine: Engine) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database forward to ``revision`` (a no-op when already there)."""
    if revision == "head" and current_revision(engine) == head_revision():
        return
    command.upgrade(alembic_config(engine), revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


def known_revisions() -> set[str]:
    return {script.revision for script in ScriptDirectory(str(MIGRATIONS)).walk_revisions()}


def pending_migrations(engine: Engine) -> list[str]:
    """Revisions between the database's and this tieout's head, oldest first."""
    script = ScriptDirectory(str(MIGRATIONS))
    current = current_revision(engine)
    pending = [s.revision for s in script.iterate_revisions(script.get_current_head(), current)]
    return list(reversed(pending))


def check_schema(engine: Engine, db_path: Path, made_by: str | None = None) -> str:
    """The database's revision, after refusing a store this tieout cannot open safely.

    ``made_by`` is the tieout version recorded in the workspace settings, named in the message
    when the store is newer than this tieout.
    """
    with engine.connect() as conn:
        tables = {row[0] for row in conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'table'"))}
        if not tables:
            raise StoreError(f"{db_path}: holds no tieout tables (an empty database); "
                             "only `tieout init` creates a store: restore the file from a backup")
        if "alembic_version" not in tables:
            raise StoreError(f"{db_path}: its schema version table (alembic_version) is missing, so it cannot be "
                             "migrated safely; restore the file from a backup")
        current = MigrationContext.configure(conn).get_current_revision()
    if current is None:
        raise StoreError(f"{db_path}: its schema version table (alembic_version) is empty, so it cannot be "
                         "migrated safely; restore the file from a backup")
    if current not in known_revisions():
        by = f" ({made_by})" if made_by else ""
        raise StoreError(f"{db_path}: made by a newer tieout{by}: schema revision {current!r} is unknown to this "
                         f"one (newest known {head_revision()!r}); upgrade tieout to open it")
    return current
