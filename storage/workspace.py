"""A workspace: a folder holding ``tieout.toml`` (settings) and ``tieout.db`` (data).

Opening a workspace migrates its database forward, so a workspace made by an
older tieout opens in a newer one.  Secrets never live here.
"""

from __future__ import annotations

import fcntl
import getpass
import os
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import tomli_w
from sqlalchemy import Engine
from sqlmodel import Session

from tieout.storage import audit
from tieout.storage.db import make_engine, raw_connect
from tieout.storage.errors import WorkspaceBusy, WorkspaceError
from tieout.storage.load_indexes import restore as restore_indexes
from tieout.storage.migrate import upgrade
from tieout.storage.money import normalize_currency

CONFIG_NAME = "tieout.toml"
DB_NAME = "tieout.db"
LOCK_NAME = "tieout.lock"
ENV_WORKSPACE = "TIEOUT_WORKSPACE"
ENV_USER = "TIEOUT_USER"

DEFAULT_ENTITIES: dict[str, dict[str, Any]] = {
    "US": {"currency": "USD", "netsuite_subsidiary": "1"},
    "EU": {"currency": "EUR", "netsuite_subsidiary": "2"},
}



class HolderLock:
    """A process that has a workspace open holds a shared lock on its ``tieout.lock``; one that must be
    alone (``tieout compact`` swapping the database file) holds it exclusively.

    An advisory ``flock``: the kernel drops it when the process ends, however it ends, so a crash
    never leaves the workspace locked.  Each open :class:`Workspace` has its own lock, so a
    process with the workspace open twice cannot get it exclusively either.
    """

    def __init__(self, folder: Path) -> None:
        self.path = folder / LOCK_NAME
        # a file object, not a bare descriptor: a workspace dropped without close() lets go of it when collected
        self._file: IO[bytes] | None = open(self.path, "ab", opener=lambda p, flags: os.open(p, flags, 0o600))
        if not self._try(fcntl.LOCK_SH):
            self.release()
            raise WorkspaceBusy(f"{folder}: the workspace is being compacted by another process; try again when "
                                "it has finished")

    def _try(self, mode: int) -> bool:
        try:
            fcntl.flock(self._file, mode | fcntl.LOCK_NB)  # type: ignore[arg-type]
        except BlockingIOError:
            return False
        return True

    def exclusive(self, doing: str) -> None:
        """Hold the workspace alone, or raise :class:`WorkspaceBusy` naming ``doing`` if anyone else has it open."""
        if not self._try(fcntl.LOCK_EX):
            raise WorkspaceBusy(f"{self.path.parent}: cannot {doing} while the workspace is open elsewhere "
                                "(a sync, the app, a script); close it and try again")

    def shared(self) -> None:
        """Back to an ordinary holder after :meth:`exclusive`."""
        fcntl.flock(self._file, fcntl.LOCK_SH)  # type: ignore[arg-type]

    def release(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


@dataclass
class Config:
    """The non-secret settings of ``tieout.toml``."""

    name: str = "tieout"
    default_user: str | None = None
    ruleset: str | None = None
    entities: dict[str, dict[str, Any]] = field(default_factory=dict)
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)
    corrections: dict[str, Any] = field(default_factory=dict)  # [corrections]: policy, approval threshold, accounts

    @classmethod
    def load(cls, path: Path) -> "Config":
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise WorkspaceError(f"{path}: not valid TOML: {exc}") from None
        ws = data.get("workspace", {})
        config = cls(
            name=ws.get("name", "tieout"),
            default_user=ws.get("default_user"),
            ruleset=ws.get("ruleset"),
            entities=data.get("entities", {}),
            sources=data.get("sources", {}),
            corrections=data.get("corrections", {}),
        )
        for code, entity in config.entities.items():
            try:
                normalize_currency(entity.get("currency", ""))
            except ValueError as exc:
                raise WorkspaceError(f"{path}: [entities.{code}] currency: {exc}") from None
        return config

    def dump(self) -> str:
        ws: dict[str, Any] = {"name": self.name}
        if self.default_user:
            ws["default_user"] = self.default_user
        if self.ruleset:
            ws["ruleset"] = self.ruleset
        data: dict[str, Any] = {"workspace": ws, "entities": self.entities, "sources": self.sources}
        if self.corrections:
            data["corrections"] = self.corrections
        return tomli_w.dumps(data)


class Workspace:
    """An open workspace: its folder, settings and database."""

    def __init__(self, path: Path, config: Config, engine: Engine) -> None:
        self.path = path
        self.config = config
        self.engine = engine
        self.holder = HolderLock(path)

    @property
    def db_path(self) -> Path:
        return self.path / DB_NAME

    @property
    def config_path(self) -> Path:
        return self.path / CONFIG_NAME

    @property
    def user(self) -> str:
        """Who is acting: $TIEOUT_USER, else the workspace default, else the OS user."""
        return os.environ.get(ENV_USER) or self.config.default_user or getpass.getuser()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A SQLModel session committed on success and rolled back on error."""
        with Session(self.engine) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def raw(self):  # -> sqlite3.Connection
        """A plain sqlite3 connection for bulk paths (close it when done)."""
        return raw_connect(self.db_path)

    def save_config(self) -> None:
        """Write ``tieout.toml`` atomically (a crash leaves the old file intact)."""
        tmp = self.config_path.with_suffix(".toml.tmp")
        tmp.write_text(self.config.dump(), encoding="utf-8")
        os.replace(tmp, self.config_path)

    def audit(self, action: str, *, object_type: str | None = None, object_id: str | int | None = None,
              details: dict[str, Any] | None = None, user: str | None = None) -> str:
        """Record one audit event in its own transaction (for changes made elsewhere)."""
        with self.session() as session:
            return audit.record(session, user=user or self.user, action=action,
                                object_type=object_type, object_id=object_id, details=details)

    def close(self) -> None:
        """Close the engine's connections; the file's pinned ones stay until exit (storage.db says why)."""
        self.engine.dispose()
        self.holder.release()


def resolve_path(path: str | os.PathLike[str] | None) -> Path:
    """The workspace folder: the given path, else $TIEOUT_WORKSPACE, else the current folder."""
    chosen = path or os.environ.get(ENV_WORKSPACE) or "."
    return Path(chosen).expanduser().resolve()


def init_workspace(
    path: str | os.PathLike[str] | None = None,
    *,
    name: str | None = None,
    user: str | None = None,
    entities: dict[str, dict[str, Any]] | None = None,
) -> Workspace:
    """Create a workspace folder (0700), its settings and its database (0600)."""
    folder = resolve_path(path)
    if (folder / CONFIG_NAME).exists() or (folder / DB_NAME).exists():
        raise WorkspaceError(f"{folder}: already a tieout workspace")
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(folder, 0o700)
    config = Config(
        name=name or folder.name,
        default_user=user,
        entities=entities if entities is not None else {k: dict(v) for k, v in DEFAULT_ENTITIES.items()},
    )
    fd = os.open(folder / DB_NAME, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)
    ws = Workspace(folder, config, make_engine(folder / DB_NAME))
    ws.save_config()
    upgrade(ws.engine)
    ws.audit("workspace.init", object_type="workspace", object_id=config.name,
             details={"entities": sorted(config.entities)})
    return ws


def open_workspace(path: str | os.PathLike[str] | None = None) -> Workspace:
    """Open an existing workspace, migrating its database to the current schema."""
    folder = resolve_path(path)
    config_path = folder / CONFIG_NAME
    if not config_path.exists() or not (folder / DB_NAME).exists():
        raise WorkspaceError(
            f"{folder}: not a tieout workspace (no {CONFIG_NAME}/{DB_NAME}); run `tieout init {folder}`"
        )
    ws = Workspace(folder, Config.load(config_path), make_engine(folder / DB_NAME))
    upgrade(ws.engine)
    restore_indexes(ws.engine)  # those a first load killed midway had not built yet
    return ws
