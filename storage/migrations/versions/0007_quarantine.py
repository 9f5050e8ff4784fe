"""The exception queue: records that could not be mapped wait here instead of stopping their sync.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "quarantine",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("source_id", sa.Integer(), sa.ForeignKey("source.id"), nullable=False),
        sa.Column("object_type", sa.String(), nullable=False),
        sa.Column("external_id", sa.String(), nullable=False),
        sa.Column("raw_version", sa.Integer(), nullable=True),
        sa.Column("payload_hash", sa.String(), nullable=False),
        sa.Column("payload", sa.String(), nullable=False),
        sa.Column("error", sa.String(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("first_seen_at", sa.String(), nullable=False),
        sa.Column("last_seen_at", sa.String(), nullable=False),
        sa.Column("sync_run_id", sa.Integer(), sa.ForeignKey("sync_run.id"), nullable=True),
        sa.UniqueConstraint("source_id", "object_type", "external_id"),
    )


def downgrade() -> None:
    op.drop_table("quarantine")
