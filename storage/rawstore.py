"""Raw payload versions, stored compactly: zstd blocks of records of one type.

Why blocks: the raw JSON was three quarters of a workspace (about 14 KB per
invoice with everything a sync pulls).  Measured on the demo month (40,000
payloads, 27.5 MB of JSON): zstd level 3 of each record alone 14.2 MB;
per record with a trained dictionary per object type 4.4 MB; blocks of 64
records of one type 2.5 MB, compressed 4x faster than zlib level 6 (which
gave 2.8 MB).  A block of up to :data:`BLOCK_RECORDS` payloads decompresses
in tens of microseconds, so one payload still reads in well under 5 ms.

A block's body is the records' canonical JSON texts (compact, so free of raw
newlines) joined by ``\\n``; a ``raw_record`` row keeps one version's lineage
(source, type, external id, version, sha256 of the text, sync run) and its
place ``(block_id, slot)``.  Blocks are written once and never changed: a
changed payload is a new version in a new block, the old one stays.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, NamedTuple

import orjson
import zstandard

BLOCK_RECORDS = 64  # payloads per block: 64 gave 2.54 MB on the demo month, 16 gave 3.28 MB, 256 2.32 MB
BLOCK_BYTES = 256 * 1024  # and at most this much JSON, so one read never decompresses much
ZSTD_LEVEL = 3  # level 9 was 8% smaller and 7x slower to write


class Version(NamedTuple):
    """A new payload version to store, its id handed out by the caller."""

    raw_id: int
    object_type: str
    external_id: str
    version: int
    digest: bytes  # sha256 of ``text``
    text: bytes  # canonical JSON


@dataclass(frozen=True)
class StoredVersion:
    """One stored payload version and its lineage, as the break detail shows it."""

    raw_record_id: int
    object_type: str
    external_id: str
    version: int
    payload_hash: str  # sha256, hex
    sync_run_id: int | None
    fetched_at: str
    payload: dict[str, Any]


def digest(text: bytes) -> bytes:
    """The change-detection hash of a payload's canonical JSON text (sha256, 32 bytes)."""
    return hashlib.sha256(text).digest()


def latest_versions(conn: sqlite3.Connection, source_id: int, keys: list[tuple[str, str]]
                    ) -> dict[tuple[str, str], tuple[int, bytes, int]]:
    """(object_type, external_id) -> (version, payload hash, raw id) of the newest stored version of each key."""
    by_type: dict[str, list[str]] = defaultdict(list)
    for object_type, external_id in keys:
        by_type[object_type].append(external_id)
    found: dict[tuple[str, str], tuple[int, bytes, int]] = {}
    for object_type, ids in by_type.items():
        for start in range(0, len(ids), 900):
            chunk = ids[start : start + 900]
            marks = ",".join("?" * len(chunk))
            for ext, version, hashed, raw_id in conn.execute(
                f"SELECT external_id, version, payload_hash, id FROM raw_record "
                f"WHERE source_id = ? AND object_type = ? AND external_id IN ({marks})",
                (source_id, object_type, *chunk),
            ):
                key = (object_type, ext)
                if key not in found or version > found[key][0]:
                    found[key] = (version, hashed, raw_id)
    return found


def next_raw_id(conn: sqlite3.Connection) -> int:
    """The first free raw_record id (call under the write lock: ids are handed out before the insert)."""
    return conn.execute("SELECT COALESCE(MAX(id), 0) FROM raw_record").fetchone()[0] + 1


def store_versions(conn: sqlite3.Connection, source_id: int, sync_run_id: int, fetched_at: str,
                   versions: list[Version]) -> None:
    """Write new payload versions: blocks per object type, then one ``raw_record`` row per version."""
    by_type: dict[str, list[Version]] = defaultdict(list)
    for v in versions:
        by_type[v.object_type].append(v)
    block_id = conn.execute("SELECT COALESCE(MAX(id), 0) FROM raw_block").fetchone()[0]
    compress = zstandard.ZstdCompressor(level=ZSTD_LEVEL).compress
    blocks: list[tuple[int, int, int, str, bytes]] = []
    rows: list[tuple[Any, ...]] = []
    for group in by_type.values():
        start = 0
        while start < len(group):
            end, size = start, 0
            while end < len(group) and end - start < BLOCK_RECORDS and (size == 0 or size + len(group[end].text) <= BLOCK_BYTES):
                size += len(group[end].text) + 1
                end += 1
            block_id += 1
            chunk = group[start:end]
            blocks.append((block_id, source_id, sync_run_id, fetched_at, compress(b"\n".join(v.text for v in chunk))))
            rows.extend((v.raw_id, source_id, v.object_type, v.external_id, v.version, v.digest, sync_run_id,
                         block_id, slot) for slot, v in enumerate(chunk))
            start = end
    conn.executemany("INSERT INTO raw_block (id, source_id, sync_run_id, fetched_at, body) VALUES (?, ?, ?, ?, ?)",
                     blocks)
    conn.executemany(
        "INSERT INTO raw_record (id, source_id, object_type, external_id, version, payload_hash, sync_run_id, "
        "block_id, slot) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )


def block_text(body: bytes, slot: int) -> bytes:
    """The JSON text at ``slot`` of a stored block."""
    return zstandard.ZstdDecompressor().decompress(body).split(b"\n")[slot]


def read_version(conn: sqlite3.Connection, raw_record_id: int) -> StoredVersion | None:
    """One stored payload version with its lineage, or None if there is no such version."""
    cur = conn.cursor()
    cur.row_factory = None  # plain tuples whatever the connection's row factory
    row = cur.execute(
        "SELECT r.object_type, r.external_id, r.version, r.payload_hash, r.sync_run_id, b.fetched_at, b.body, r.slot "
        "FROM raw_record r JOIN raw_block b ON b.id = r.block_id WHERE r.id = ?",
        (raw_record_id,),
    ).fetchone()
    if row is None:
        return None
    object_type, external_id, version, hashed, sync_run_id, fetched_at, body, slot = row
    return StoredVersion(raw_record_id, object_type, external_id, version, bytes(hashed).hex(), sync_run_id,
                         fetched_at, orjson.loads(block_text(body, slot)))

