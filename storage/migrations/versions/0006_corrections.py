"""Corrections: the exact request, read-back expectation, stale check, second approver, push outcome;
signed plans; carried-forward breaks.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_TEXT = sqlmodel.sql.sqltypes.AutoString
_NEW_COLUMNS = (
    ("domain", _TEXT(), True, None), ("expect", _TEXT(), False, "{}"), ("target_path", _TEXT(), True, None),
    ("target_modified", _TEXT(), True, None), ("note", _TEXT(), True, None), ("checker2", _TEXT(), True, None),
    ("approved2_at", _TEXT(), True, None), ("attempts", sa.Integer(), False, "0"),
    ("outcome_unknown", sa.Boolean(), False, "0"), ("retryable", sa.Boolean(), False, "1"),
    ("reason", _TEXT(), True, None), ("target_id", _TEXT(), True, None), ("plan_hash", _TEXT(), True, None),
)


def upgrade() -> None:
    with op.batch_alter_table("correction", schema=None) as batch_op:
        for name, type_, nullable, default in _NEW_COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=nullable,
                                          server_default=sa.text(f"'{default}'") if default is not None else None))
    # server defaults only fill existing rows; the model supplies values from now on
    with op.batch_alter_table("correction", schema=None) as batch_op:
        for name, type_, nullable, default in _NEW_COLUMNS:
            if default is not None:
                batch_op.alter_column(name, server_default=None, existing_type=type_, existing_nullable=nullable)
    op.create_table(
        "correction_plan",
        sa.Column("hash", _TEXT(), nullable=False),
        sa.Column("period", _TEXT(), nullable=True),
        sa.Column("body", _TEXT(), nullable=False),
        sa.Column("signed_by", _TEXT(), nullable=False),
        sa.Column("signed_at", _TEXT(), nullable=False),
        sa.PrimaryKeyConstraint("hash"),
    )
    op.create_table(
        "carry_forward",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("break_id", _TEXT(), nullable=False),
        sa.Column("period", _TEXT(), nullable=False),
        sa.Column("to_period", _TEXT(), nullable=False),
        sa.Column("reason", _TEXT(), nullable=False),
        sa.Column("user", _TEXT(), nullable=False),
        sa.Column("at", _TEXT(), nullable=False),
        sa.ForeignKeyConstraint(["break_id"], ["break.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("break_id", "period"),
    )
    with op.batch_alter_table("carry_forward", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_carry_forward_break_id"), ["break_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("carry_forward", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_carry_forward_break_id"))
    op.drop_table("carry_forward")
    op.drop_table("correction_plan")
    with op.batch_alter_table("correction", schema=None) as batch_op:
        for name, *_ in reversed(_NEW_COLUMNS):
            batch_op.drop_column(name)
