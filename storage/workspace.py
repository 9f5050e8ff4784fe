"""A workspace: a folder holding ``tieout.toml`` (settings) and ``tieout.db`` (data).

Opening a workspace migrates its database forward, so a workspace made by an
older tieout opens in a newer one.  Only :func:`init_workspace` creates a store:
opening a workspace whose database is missing, empty, damaged or made by a newer
tieout is an error naming the file.  A workspace the user cannot write is opened
read-only: reads work, writes are refused by SQLite and reported in one line.
Secrets never live here.
"""

from __future__ import annotations

import errno
import fcntl
import getpass
import os
import stat
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import tomli_w
from sqlalchemy import Engine
from sqlmodel import Session

from tieout import __version__
from tieout.storage import audit
from tieout.storage.db import (is_read_only, make_engine, open_read_only, raw_connect,
                               rollback_keeping_cause)
from tieout.storage.errors import StoreError, TieoutError, WorkspaceBusy, WorkspaceError, describe_db_error, is_db_error
from tieout.storage.load_indexes import restore as restore_indexes
from tieout.storage.migrate import check_schema, head_revision, upgrade
from tieout.storage.money import normalize_currency

CONFIG_NAME = "tieout.toml"
DB_NAME = "tieout.db"
LOCK_NAME = "tieout.lock"
ENV_WORKSPACE = "TIEOUT_WORKSPACE"
ENV_USER = "TIEOUT_USER"

SQLITE_HEADER = b"SQLite format 3\x00"
FOLDER_MODE = 0o700
FILE_MODE = 0o600

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
        try:
            self._file: IO[bytes] | None = open(self.path, "ab", opener=lambda p, flags: os.open(p, flags, 0o600))
        except OSError as exc:  # a read-only workspace: hold the lock through a reading handle, if there is one
            if exc.errno not in (errno.EACCES, errno.EPERM, errno.EROFS):
                raise
            self._file = open(self.path, "rb") if self.path.exists() else None
        if not self._try(fcntl.LOCK_SH):
            self.release()
            raise WorkspaceBusy(f"{folder}: the workspace is being compacted by another process; try again when "
                                "it has finished")

    def _try(self, mode: int) -> bool:
        if self._file is None:  # a read-only folder without a lock file: nobody who can change it is here
            return mode == fcntl.LOCK_SH
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
    tieout_version: str | None = None  # the tieout that last created or migrated the store
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
            tieout_version=ws.get("tieout_version"),
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
        if self.tieout_version:
            ws["tieout_version"] = self.tieout_version
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
        self.previous_mode: int | None = None  # set by init_workspace when it made an existing folder owner-only

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

    @property
    def anchor_path(self) -> Path:
        return self.path / audit.ANCHOR_NAME

    @property
    def read_only(self) -> bool:
        return is_read_only(self.db_path)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A SQLModel session committed on success and rolled back on error."""
        with self.db_errors(), Session(self.engine) as session:
            try:
                yield session
                session.commit()
            except BaseException as exc:
                rollback_keeping_cause(session.rollback, exc)
                raise
            if session.info.pop(audit.APPENDED, False):
                self.refresh_anchor()

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        """A SQLAlchemy connection in one transaction (bulk writers that need the raw driver connection)."""
        with self.db_errors():
            with self.engine.begin() as conn:
                yield conn
                appended = conn.info.pop(audit.APPENDED, False)
            if appended:  # committed: move the anchor to the new head
                self.refresh_anchor()

    def refresh_anchor(self) -> None:
        """Write the audit chain's head and length to the anchor file (after the commit that appended)."""
        with self.db_errors(), self.engine.connect() as conn:
            position = audit.position(conn)
        audit.write_anchor(self.anchor_path, position)

    @contextmanager
    def db_errors(self) -> Iterator[None]:
        """Turn a SQLite failure into a :class:`StoreError` naming this workspace's database."""
        try:
            yield
        except TieoutError:
            raise
        except Exception as exc:
            if is_db_error(exc):
                raise StoreError(describe_db_error(exc, self.db_path)) from exc
            raise

    def check_entity(self, entity: str | None) -> None:
        """Refuse an entity this workspace does not define: a typo would otherwise match or export nothing."""
        if entity is not None and entity not in self.config.entities:
            known = ", ".join(sorted(self.config.entities)) or "none configured"
            raise WorkspaceError(f"entity {entity!r}: not in this workspace (entities: {known})")

    def raw(self):  # -> sqlite3.Connection
        """A plain sqlite3 connection for bulk paths (close it when done)."""
        return raw_connect(self.db_path)

    def save_config(self) -> None:
        """Write ``tieout.toml`` atomically (a crash leaves the old file intact), owner-only like the database."""
        if self.read_only:
            raise StoreError(f"{self.config_path}: the workspace is read-only: settings cannot be changed")
        tmp = self.config_path.with_suffix(".toml.tmp")
        fd = os.open(tmp, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, FILE_MODE)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(self.config.dump())
        os.chmod(tmp, FILE_MODE)  # an older tmp file keeps its mode through O_CREAT
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
    force: bool = False,
) -> Workspace:
    """Create a workspace folder (0700), its settings and its database (both 0600).

    An existing folder readable by others is refused unless ``force``: making it
    owner-only would silently change what its group could read.  The mode it had
    is kept on the workspace as ``previous_mode`` so the caller can say so.
    """
    folder = resolve_path(path)
    if (folder / CONFIG_NAME).exists() or (folder / DB_NAME).exists():
        raise WorkspaceError(f"{folder}: already a tieout workspace")
    previous_mode = _claim_folder(folder, force)
    config = Config(
        name=name or folder.name,
        default_user=user,
        tieout_version=__version__,
        entities=entities if entities is not None else {k: dict(v) for k, v in DEFAULT_ENTITIES.items()},
    )
    fd = os.open(folder / DB_NAME, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE)
    os.close(fd)
    ws = Workspace(folder, config, make_engine(folder / DB_NAME))
    ws.previous_mode = previous_mode
    ws.save_config()
    upgrade(ws.engine)
    ws.audit("workspace.init", object_type="workspace", object_id=config.name,
             details={"entities": sorted(config.entities)})
    return ws


def _claim_folder(folder: Path, force: bool) -> int | None:
    """Create ``folder`` owner-only, or make an existing one so; returns the mode it had if that changed."""
    if not folder.exists():
        folder.mkdir(parents=True, mode=FOLDER_MODE)
        os.chmod(folder, FOLDER_MODE)  # mkdir's mode is masked by the umask
        return None
    if not folder.is_dir():
        raise WorkspaceError(f"{folder}: exists and is not a folder")
    mode = stat.S_IMODE(folder.stat().st_mode)
    if mode == FOLDER_MODE:
        return None
    if not force:
        raise WorkspaceError(f"{folder}: exists with mode {mode:04o}; a workspace folder is made owner-only "
                             f"({FOLDER_MODE:04o}): give --force to change its mode, or choose a new folder")
    os.chmod(folder, FOLDER_MODE)
    return mode


def open_workspace(path: str | os.PathLike[str] | None = None, *, migrate: bool = True) -> Workspace:
    """Open an existing workspace, migrating its database to the current schema (unless ``migrate`` is
    False: ``tieout doctor`` reports pending migrations rather than applying them)."""
    folder = resolve_path(path)
    config_path, db_path = folder / CONFIG_NAME, folder / DB_NAME
    if not config_path.exists() and not db_path.exists():
        raise WorkspaceError(
            f"{folder}: not a tieout workspace (no {CONFIG_NAME}/{DB_NAME}); run `tieout init {folder}`"
        )
    if not config_path.exists():
        raise WorkspaceError(f"{config_path}: missing beside {DB_NAME}; restore it from a backup")
    config = Config.load(config_path)
    _check_store_file(db_path)
    if not _writable(folder, db_path):
        open_read_only(db_path)
    try:
        engine = make_engine(db_path)  # pins the file: a damaged one fails here already
    except Exception as exc:
        if not is_db_error(exc):
            raise
        raise StoreError(describe_db_error(exc, db_path)) from exc
    ws = Workspace(folder, config, engine)
    with ws.db_errors():
        current = check_schema(ws.engine, db_path, made_by=config.tieout_version and f"tieout {config.tieout_version}")
        if ws.read_only:
            return _checked_read_only(ws, current)
        if not migrate:
            return ws
        upgrade(ws.engine)
        restore_indexes(ws.engine)  # those a first load killed midway had not built yet
    if current != head_revision() and not ws.anchor_path.exists():
        ws.refresh_anchor()  # a workspace made before anchors existed gets its first one as it is upgraded
    if config.tieout_version != __version__:
        config.tieout_version = __version__
        ws.save_config()
    return ws


def _check_store_file(db_path: Path) -> None:
    """Refuse a database that is missing, empty or not SQLite, before SQLite would quietly make a new one."""
    if not db_path.exists():
        raise StoreError(f"{db_path}: missing; only `tieout init` creates a store: restore it from a backup")
    try:
        with db_path.open("rb") as fh:
            header = fh.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise StoreError(f"{db_path}: cannot be read ({exc.strerror}); check its permissions") from None
    if not header:
        raise StoreError(f"{db_path}: is empty (0 bytes); only `tieout init` creates a store: "
                         "restore it from a backup")
    if header != SQLITE_HEADER:
        raise StoreError(f"{db_path}: is not a SQLite database (overwritten or damaged); restore it from a backup")


def _writable(folder: Path, db_path: Path) -> bool:
    """Whether this user can change the store (the file, and the folder for SQLite's -wal/-shm files)."""
    return os.access(db_path, os.W_OK) and os.access(folder, os.W_OK)


def _checked_read_only(ws: Workspace, current: str) -> Workspace:
    if current != head_revision():
        raise StoreError(f"{ws.db_path}: the workspace is read-only and its schema ({current}) needs migrating to "
                         f"{head_revision()}; open it once where it can be written")
    return ws
