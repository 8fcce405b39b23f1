"""Migration 0003 (one ESP record per QuickBooks record) upgrades a database that already breaks the
rule: the oldest mapping of a shared QuickBooks record stays, the others are removed and reported."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from espqb.db import Database
from espqb.db.migrate import downgrade, upgrade

INSERT = text(
    "INSERT INTO mappings (company_id, target, kind, esp_key, qb_id, origin, created_at, updated_at) "
    "VALUES ('acme', 'qbo', :kind, :esp_key, :qb_id, 'found', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
)


async def _seed(database_url: str) -> None:
    db = Database.from_url(database_url)
    try:
        async with db.engine.begin() as conn:
            await conn.execute(
                text("INSERT INTO companies (id, created_at) VALUES ('acme', CURRENT_TIMESTAMP)")
            )
            for kind, esp_key, qb_id in [
                ("customer", "C1", "58"),
                ("customer", "C2", "58"),
                ("customer", "C3", "58"),
                ("customer", "C4", "59"),
                ("vendor", "C2", "58"),
            ]:
                await conn.execute(INSERT, {"kind": kind, "esp_key": esp_key, "qb_id": qb_id})
    finally:
        await db.dispose()


async def _read(database_url: str) -> tuple[list[tuple[str, str, str]], list[tuple[str, str]]]:
    db = Database.from_url(database_url)
    try:
        async with db.engine.connect() as conn:
            rows = (await conn.execute(text("SELECT kind, esp_key, qb_id FROM mappings ORDER BY id"))).all()
            audit = (await conn.execute(text("SELECT actor, message FROM audit_log ORDER BY id"))).all()
            return [tuple(r) for r in rows], [tuple(a) for a in audit]  # type: ignore[misc]
    finally:
        await db.dispose()


async def _insert_shared(database_url: str) -> None:
    db = Database.from_url(database_url)
    try:
        async with db.engine.begin() as conn:
            await conn.execute(INSERT, {"kind": "customer", "esp_key": "C9", "qb_id": "59"})
    finally:
        await db.dispose()


def test_shared_records_keep_their_oldest_mapping_and_the_others_are_reported(database_url: str) -> None:
    downgrade(database_url, "0002")
    asyncio.run(_seed(database_url))
    upgrade(database_url)

    rows, audit = asyncio.run(_read(database_url))
    assert rows == [("customer", "C1", "58"), ("customer", "C4", "59"), ("vendor", "C2", "58")]
    assert [actor for actor, _ in audit] == ["migration", "migration"]
    assert "ESP record C2" in audit[0][1] and "belongs to ESP record C1" in audit[0][1]
    assert "ESP record C3" in audit[1][1]
    with pytest.raises(IntegrityError):
        asyncio.run(_insert_shared(database_url))
