"""Job flags: a job whose documents QuickBooks shows with other figures than planned (drift), or
that were voided or deleted in QuickBooks after the job wrote them, can be found by that flag

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 02:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "job_flags",
        sa.Column("job_id", sa.Uuid(), nullable=False),
        sa.Column("flag", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"], ["send_jobs.id"], name=op.f("fk_job_flags_job_id_send_jobs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("job_id", "flag", name=op.f("pk_job_flags")),
    )


def downgrade() -> None:
    op.drop_table("job_flags")
