"""Raw payloads in zstd blocks (raw_block); raw_record keeps the lineage, a binary sha256 and its (block, slot).

Existing payloads are packed into blocks of up to 64 consecutive versions of one source, sync run and object
type, the hex hash becomes its 32 bytes, and fetched_at moves to the block.  Self-contained on purpose (the
block format is spelled out here, not imported): a migration must keep doing what it did when it was written.
The file keeps its size until `tieout compact` rewrites it.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""
from __future__ import annotations

from itertools import groupby

import sqlalchemy as sa
import sqlmodel
import zstandard
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

BLOCK_RECORDS = 64
READ_CHUNK = 20_000


def upgrade() -> None:
    op.create_table(
        "raw_block",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("sync_run_id", sa.Integer(), nullable=True),
        sa.Column("fetched_at", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["source_id"], ["source.id"]),
        sa.ForeignKeyConstraint(["sync_run_id"], ["sync_run.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("raw_record", schema=None) as batch_op:
        batch_op.add_column(sa.Column("block_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("slot", sa.Integer(), nullable=True))
    _pack_payloads(op.get_bind())
    with op.batch_alter_table("raw_record", schema=None, recreate="always") as batch_op:
        batch_op.drop_column("payload")
        batch_op.drop_column("fetched_at")
        batch_op.alter_column("payload_hash", type_=sa.LargeBinary(), existing_nullable=False)
        batch_op.alter_column("block_id", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("slot", existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key("fk_raw_record_block_id_raw_block", "raw_block", ["block_id"], ["id"])


def _pack_payloads(bind: sa.Connection) -> None:
    """Every stored payload into blocks, read and written a chunk of versions at a time (bounded memory)."""
    compress = zstandard.ZstdCompressor(level=3).compress
    block_id = 0
    after = 0
    while True:
        rows = bind.exec_driver_sql(
            "SELECT id, source_id, sync_run_id, fetched_at, object_type, payload_hash, payload FROM raw_record "
            "WHERE id > ? ORDER BY id LIMIT ?", (after, READ_CHUNK)).fetchall()
        if not rows:
            return
        after = rows[-1][0]
        blocks, updates = [], []
        for (source_id, sync_run_id, fetched_at, _type), group in groupby(rows, key=lambda r: r[1:5]):
            group = list(group)
            for start in range(0, len(group), BLOCK_RECORDS):
                chunk = group[start : start + BLOCK_RECORDS]
                block_id += 1
                body = compress(b"\n".join(r[6].encode("utf-8") for r in chunk))
                blocks.append((block_id, source_id, sync_run_id, fetched_at, body))
                updates.extend((block_id, slot, bytes.fromhex(r[5]), r[0]) for slot, r in enumerate(chunk))
        bind.exec_driver_sql("INSERT INTO raw_block (id, source_id, sync_run_id, fetched_at, body) "
                             "VALUES (?, ?, ?, ?, ?)", blocks)
        bind.exec_driver_sql("UPDATE raw_record SET block_id = ?, slot = ?, payload_hash = ? WHERE id = ?", updates)


def downgrade() -> None:
    with op.batch_alter_table("raw_record", schema=None) as batch_op:
        batch_op.add_column(sa.Column("payload", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column("fetched_at", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
    bind = op.get_bind()
    decompress = zstandard.ZstdDecompressor().decompress
    for block_id, fetched_at, body in bind.exec_driver_sql("SELECT id, fetched_at, body FROM raw_block").fetchall():
        texts = decompress(body).split(b"\n")
        ids = bind.exec_driver_sql("SELECT id, slot, payload_hash FROM raw_record WHERE block_id = ?",
                                   (block_id,)).fetchall()
        bind.exec_driver_sql("UPDATE raw_record SET payload = ?, fetched_at = ?, payload_hash = ? WHERE id = ?",
                             [(texts[slot].decode("utf-8"), fetched_at, bytes(h).hex(), raw_id)
                              for raw_id, slot, h in ids])
    with op.batch_alter_table("raw_record", schema=None, recreate="always") as batch_op:
        batch_op.drop_constraint("fk_raw_record_block_id_raw_block", type_="foreignkey")
        batch_op.drop_column("block_id")
        batch_op.drop_column("slot")
        batch_op.alter_column("payload_hash", type_=sqlmodel.sql.sqltypes.AutoString(), existing_nullable=False)
        batch_op.alter_column("payload", existing_type=sqlmodel.sql.sqltypes.AutoString(), nullable=False)
        batch_op.alter_column("fetched_at", existing_type=sqlmodel.sql.sqltypes.AutoString(), nullable=False)
    op.drop_table("raw_block")
