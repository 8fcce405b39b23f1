"""QBO realm leases: one queue worker at a time owns a realm, so Intuit's per-realm limits hold across workers

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-05 20:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "qbo_realm_leases",
        sa.Column("realm_id", sa.String(length=32), nullable=False),
        sa.Column("owner", sa.String(length=100), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("realm_id", name=op.f("pk_qbo_realm_leases")),
    )
    op.create_index("ix_qbo_realm_leases_owner", "qbo_realm_leases", ["owner"])


def downgrade() -> None:
    op.drop_index("ix_qbo_realm_leases_owner", table_name="qbo_realm_leases")
    op.drop_table("qbo_realm_leases")
