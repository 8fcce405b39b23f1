"""Send jobs: the steps planned when the job was queued, shown until the worker records its own

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 18:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("send_jobs") as batch:
        batch.add_column(sa.Column("planned_steps", JSON_TYPE, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("send_jobs") as batch:
        batch.drop_column("planned_steps")
