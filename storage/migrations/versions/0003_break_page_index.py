"""Index breaks by period and amount: the review queue paints the largest first.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("break", schema=None) as batch_op:
        batch_op.create_index("ix_break_page", ["period", "amount"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("break", schema=None) as batch_op:
        batch_op.drop_index("ix_break_page")
