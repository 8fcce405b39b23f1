"""Settings: the document defaults (terms, vendor terms, class, location, whether missing list
entries are added), for the documents' details

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 18:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("integration_settings") as batch:
        batch.add_column(sa.Column("document_defaults", JSON_TYPE, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("integration_settings") as batch:
        batch.drop_column("document_defaults")
