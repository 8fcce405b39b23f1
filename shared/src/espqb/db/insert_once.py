"""INSERT … ON CONFLICT DO NOTHING on both backends, answering whether *this* call inserted.

The outbox, the re-authorisation reminders and the send-job queue rely on a unique key (or a
partial unique index) to do a thing once even when two processes try at the same moment: the
loser's insert is dropped by the database, and only the winner goes on to write what follows (in the
same transaction). No SAVEPOINT is needed, and the caller's transaction stays usable.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession


def _dialect(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


def insert_ignoring_conflicts(session: AsyncSession, target: Any) -> Any:
    """The dialect's ``insert(target)``, ready for ``.on_conflict_do_nothing()``."""
    return (pg_insert if _dialect(session) == "postgresql" else sqlite_insert)(target)


async def insert_once(session: AsyncSession, table: Table, values: dict[str, Any]) -> bool:
    """Insert one row unless it collides with a unique constraint; True when it was inserted.

    On PostgreSQL a concurrent insert of the same key waits for the other transaction and is then
    dropped (or goes ahead if that one rolled back); on SQLite writers are already serialised by
    BEGIN IMMEDIATE (espqb.db.engine), so the second one sees the first one's row.
    """
    primary = next(iter(table.primary_key.columns))
    statement = (
        insert_ignoring_conflicts(session, table).values(**values).on_conflict_do_nothing().returning(primary)
    )
    result = await session.execute(statement)
    return result.first() is not None
