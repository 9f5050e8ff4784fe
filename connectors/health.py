"""What ``tieout doctor`` asks of the connectors: a usable keyring, and each source reachable with its secret."""

from __future__ import annotations

from typing import TYPE_CHECKING

import keyring

from tieout.connectors.credentials import env_var, get_secret
from tieout.connectors.registry import MapContext
from tieout.connectors.sources import settings_for
from tieout.connectors.sync import make_connector
from tieout.storage.errors import TieoutError

if TYPE_CHECKING:
    from tieout.storage.workspace import Workspace

QUICK = {"connect_timeout": 3.0, "read_timeout": 10.0, "tries": 1}  # a doctor does not wait out retries


def keyring_problem(ws: Workspace) -> tuple[bool, str]:
    """(ok, line): a keyring is needed only for sources whose secret is not in the environment."""
    backend = keyring.get_keyring()
    usable = "fail" not in type(backend).__module__
    if usable:
        return True, f"keyring: {type(backend).__name__}"
    needing = [name for name, entry in sorted(ws.config.sources.items())
               if entry.get("kind") != "file" and not _in_env(name)]
    if not needing:
        return True, "keyring: none usable, and no source needs one (secrets come from the environment)"
    return False, (f"keyring: none usable on this machine; set {', '.join(env_var(n) for n in needing)} "
                   "for the source(s) that need a secret")


def _in_env(name: str) -> bool:
    import os

    return bool(os.environ.get(env_var(name)))


def source_problem(ws: Workspace, name: str) -> str | None:
    """Why ``name`` cannot be read now (no secret, unreachable, refused), or None if its ``check()`` passes."""
    try:
        settings = settings_for(ws, name)
        for key, value in QUICK.items():
            setattr(settings, key, value)
        secret = None if settings.kind == "file" else get_secret(name)
        if settings.kind != "file" and not secret:
            return f"no secret: run `tieout connect {name}` or set {env_var(name)}"
        connector = make_connector(settings, secret, MapContext.from_config(ws.config.entities, settings.entity))
        try:
            connector.check()
        finally:
            connector.close()
    except TieoutError as exc:
        return str(exc)
    return None
