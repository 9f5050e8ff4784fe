"""Configured sources: ``[sources.NAME]`` in tieout.toml mirrored in the ``source`` table."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from tieout.connectors.base import SourceSettings
from tieout.connectors.credentials import has_secret
from tieout.connectors.errors import ConnectorError
from tieout.storage.sources import register_source, sources_with_last_sync
from tieout.storage.workspace import Workspace

KINDS = ("stripe", "netsuite", "file")
SIDES = ("billing", "erp")
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")


def add_source(ws: Workspace, name: str, *, kind: str, side: str, url: str | None = None,
               path: str | None = None, mapping: str | None = None, entity: str | None = None) -> None:
    """Add (or update) a source in tieout.toml and the store, with an audit event."""
    if not _NAME.match(name):
        raise ConnectorError(f"source name {name!r}: use letters, digits, '-' or '_' (starting with a letter)")
    if kind not in KINDS:
        raise ConnectorError(f"source {name!r}: kind must be one of {', '.join(KINDS)}, not {kind!r}")
    if side not in SIDES:
        raise ConnectorError(f"source {name!r}: side must be 'billing' or 'erp', not {side!r}")
    if kind == "file" and not (path and mapping):
        raise ConnectorError(f"source {name!r}: a file source needs --path FILE and --mapping FILE_OR_PRESET")
    if entity and entity not in ws.config.entities:
        raise ConnectorError(f"source {name!r}: unknown entity {entity!r} (known: {', '.join(ws.config.entities)})")
    entry = {"kind": kind, "side": side, "url": url, "path": path, "mapping": mapping, "entity": entity}
    ws.config.sources[name] = {k: v for k, v in entry.items() if v}
    conn = ws.raw()
    try:
        register_source(conn, name, kind, side, url=url, entity=entity)
    finally:
        conn.close()
    ws.save_config()
    ws.audit("source.add", object_type="source", object_id=name,
             details={k: v for k, v in ws.config.sources[name].items()})


def settings_for(ws: Workspace, name: str) -> SourceSettings:
    entry = ws.config.sources.get(name)
    if entry is None:
        known = ", ".join(sorted(ws.config.sources)) or "none"
        raise ConnectorError(f"no source named {name!r} (configured: {known}); add it with `tieout source add`")
    path = entry.get("path")
    if path and not Path(path).is_absolute():
        path = str(ws.path / path)
    return SourceSettings(name=name, kind=entry["kind"], side=entry["side"], url=entry.get("url"),
                          entity=entry.get("entity"), path=path, mapping=entry.get("mapping"))


def list_sources(ws: Workspace) -> pl.DataFrame:
    """One row per source: kind, side, url, entity, last sync and whether a secret is present (never the secret)."""
    stored = {row["name"]: row for row in sources_with_last_sync(ws.db_path).iter_rows(named=True)}
    rows = []
    for name in sorted(set(ws.config.sources) | set(stored)):
        entry = ws.config.sources.get(name) or {"kind": stored[name]["kind"], "side": stored[name]["side"]}
        started, status = (stored[name]["last_sync_at"], stored[name]["last_sync_status"]) if name in stored \
            else (None, None)
        rows.append({"name": name, "kind": entry["kind"], "side": entry["side"], "url": entry.get("url"),
                     "entity": entry.get("entity"), "last_sync": started, "last_status": status,
                     "secret": entry["kind"] == "file" or has_secret(name)})
    schema = {"name": pl.String, "kind": pl.String, "side": pl.String, "url": pl.String, "entity": pl.String,
              "last_sync": pl.String, "last_status": pl.String, "secret": pl.Boolean}
    return pl.DataFrame(rows, schema=schema)
