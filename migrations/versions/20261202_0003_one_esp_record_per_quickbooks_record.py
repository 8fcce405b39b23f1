"""At most one ESP record per QuickBooks record: a unique constraint on the mappings over company,
target, kind and QuickBooks id, so two ESP customers (vendors, items…) can never share one QuickBooks
customer, even when two sends adopt the same record at the same moment.

Rows that already break the rule are not a reason to fail the upgrade: per QuickBooks record the
oldest mapping (lowest id) is kept and the others are removed, each removal written to the audit log
(event ``mapping.duplicate_removed``, actor ``migration``) and to the migration's log, so an admin
can see which ESP records lost their link. The next send of such a record creates (or links) a
QuickBooks record of its own. The downgrade only drops the constraint (removed rows stay removed).

Also: at most one follow-up send (``waiting_for_previous_send``) per order and target, a partial
unique index: a re-send of an order whose send is under way waits behind it, and a later re-send
replaces that follow-up's body rather than queueing a third send.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 02:00:00.000000
"""

import logging
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
log = logging.getLogger("alembic.runtime.migration")
FOLLOW_UP = sa.text("status = 'waiting_for_previous_send'")

mappings = sa.table(
    "mappings",
    sa.column("id", sa.Integer()),
    sa.column("company_id", sa.String()),
    sa.column("target", sa.String()),
    sa.column("kind", sa.String()),
    sa.column("esp_key", sa.String()),
    sa.column("qb_id", sa.String()),
)
audit_log = sa.table(
    "audit_log",
    sa.column("company_id", sa.String()),
    sa.column("at", sa.DateTime(timezone=True)),
    sa.column("actor", sa.String()),
    sa.column("event", sa.String()),
    sa.column("message", sa.Text()),
    sa.column("detail", JSON_TYPE),
)


def _remove_duplicates() -> None:
    """Keep the oldest mapping of each QuickBooks record; report and remove the others."""
    keys = (mappings.c.company_id, mappings.c.target, mappings.c.kind, mappings.c.qb_id)
    shared = (
        sa.select(*keys, sa.func.min(mappings.c.id).label("kept_id"))
        .group_by(*keys)
        .having(sa.func.count() > 1)
        .subquery("shared")
    )
    kept = mappings.alias("kept")
    duplicates = (
        sa.select(*keys, mappings.c.id, mappings.c.esp_key, kept.c.esp_key.label("kept_esp_key"))
        .join(
            shared,
            sa.and_(
                shared.c.company_id == mappings.c.company_id,
                shared.c.target == mappings.c.target,
                shared.c.kind == mappings.c.kind,
                shared.c.qb_id == mappings.c.qb_id,
                shared.c.kept_id != mappings.c.id,
            ),
        )
        .join(kept, kept.c.id == shared.c.kept_id)
        .order_by(mappings.c.id)
    )
    bind = op.get_bind()
    rows = bind.execute(duplicates).all()
    now = datetime.now(UTC)
    for row in rows:
        message = (
            f"The {row.kind} mapping of ESP record {row.esp_key} was removed: QuickBooks record "
            f"{row.qb_id} ({row.target}) already belongs to ESP record {row.kept_esp_key}."
        )
        log.warning(message)
        bind.execute(
            audit_log.insert().values(
                company_id=row.company_id,
                at=now,
                actor="migration",
                event="mapping.duplicate_removed",
                message=message,
                detail={
                    "kind": row.kind,
                    "esp_key": row.esp_key,
                    "quickbooks_id": row.qb_id,
                    "target": row.target,
                    "kept_esp_key": row.kept_esp_key,
                },
            )
        )
    if rows:
        bind.execute(mappings.delete().where(mappings.c.id.in_([row.id for row in rows])))


def upgrade() -> None:
    _remove_duplicates()
    with op.batch_alter_table("mappings", schema=None) as batch_op:
        batch_op.create_unique_constraint(
            batch_op.f("uq_mappings_company_id_target_kind_qb_id"), ["company_id", "target", "kind", "qb_id"]
        )
    with op.batch_alter_table("send_jobs", schema=None) as batch_op:
        batch_op.create_index(
            "uq_send_jobs_follow_up",
            ["company_id", "order_number", "target"],
            unique=True,
            sqlite_where=FOLLOW_UP,
            postgresql_where=FOLLOW_UP,
        )


def downgrade() -> None:
    with op.batch_alter_table("send_jobs", schema=None) as batch_op:
        batch_op.drop_index("uq_send_jobs_follow_up", sqlite_where=FOLLOW_UP, postgresql_where=FOLLOW_UP)
    with op.batch_alter_table("mappings", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_mappings_company_id_target_kind_qb_id"), type_="unique")
