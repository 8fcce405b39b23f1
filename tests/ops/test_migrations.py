"""One Alembic history that downgrades and upgrades on SQLite and PostgreSQL, and matches the models."""

from __future__ import annotations

import asyncio

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from espqb.db import Database
from espqb.db.base import Base
from espqb.db.migrate import downgrade, upgrade


def _diff(database_url: str) -> list[object]:
    async def run() -> list[object]:
        db = Database.from_url(database_url)
        try:
            async with db.engine.connect() as conn:
                return await conn.run_sync(
                    lambda sync: compare_metadata(
                        MigrationContext.configure(sync, opts={"compare_type": True}), Base.metadata
                    )
                )
        finally:
            await db.dispose()

    return asyncio.run(run())


def _tables(database_url: str) -> set[str]:
    async def run() -> set[str]:
        db = Database.from_url(database_url)
        try:
            async with db.engine.connect() as conn:
                names = await conn.run_sync(lambda sync: set(sync.dialect.get_table_names(sync)))
                if "audit_log" in names:
                    await conn.execute(text("SELECT 1 FROM audit_log"))
                return names
        finally:
            await db.dispose()

    return asyncio.run(run())


def test_downgrade_to_base_and_upgrade_again(database_url: str) -> None:
    downgrade(database_url, "base")
    assert _tables(database_url) <= {"alembic_version"}
    upgrade(database_url)
    assert {t.name for t in Base.metadata.sorted_tables} <= _tables(database_url)


def test_migrations_match_the_models(database_url: str) -> None:
    assert _diff(database_url) == []
