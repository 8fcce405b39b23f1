"""QBO webhook notices: Intuit's change notices stored before the 200, so a replica killed before it
applied them loses none (another process's drain applies them)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 21:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# JSONB on PostgreSQL, JSON text on SQLite (the models' espqb.db.types.JSONType).
JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "qbo_webhook_notices",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("company_id", sa.String(length=64), nullable=False),
        sa.Column("realm_id", sa.String(length=64), nullable=False),
        sa.Column("notice", JSON_TYPE, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qbo_webhook_notices")),
    )
    op.create_index("ix_qbo_webhook_notices_company_id", "qbo_webhook_notices", ["company_id"], unique=False)
    op.create_index(
        "ix_qbo_webhook_notices_due", "qbo_webhook_notices", ["status", "next_attempt_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_qbo_webhook_notices_due", table_name="qbo_webhook_notices")
    op.drop_index("ix_qbo_webhook_notices_company_id", table_name="qbo_webhook_notices")
    op.drop_table("qbo_webhook_notices")
