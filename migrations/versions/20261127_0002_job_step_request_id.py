"""Job steps keep the requestid of a QuickBooks Online write that got no answer (and its batch
item id), so the next attempt repeats exactly that request instead of parsing it out of the summary

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 22:55:20.472579
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("job_steps", schema=None) as batch_op:
        batch_op.add_column(sa.Column("request_id", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("batch_item_id", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("job_steps", schema=None) as batch_op:
        batch_op.drop_column("batch_item_id")
        batch_op.drop_column("request_id")
