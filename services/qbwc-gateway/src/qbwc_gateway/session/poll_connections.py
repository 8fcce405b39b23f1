"""Connections for the idle poll: the Web Connector of every company calls every few minutes, and
most calls find nothing to do, so their cost is what the service mostly spends.

On PostgreSQL they come from a small pool of their own: autocommit (the poll is one read and, at
most, one update — no BEGIN/COMMIT round trips) and `synchronous_commit = off` (noting when a
company last polled may be lost in a crash, never an order; the commit does not wait for the WAL
flush). Everything that hands out work still runs in an ordinary transaction of the main engine.
On SQLite the main engine's transaction is used as it is.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from espqb.db import Database


class PollConnections:
    def __init__(self, db: Database, *, pool_size: int = 5) -> None:
        self._db = db
        self._engine: AsyncEngine | None = None
        if db.is_postgres:
            self._engine = create_async_engine(
                db.engine.url,
                isolation_level="AUTOCOMMIT",
                pool_size=pool_size,
                max_overflow=pool_size,
                pool_pre_ping=True,
                connect_args={"server_settings": {"synchronous_commit": "off"}},
            )

    @asynccontextmanager
    async def connect(self) -> AsyncIterator[AsyncConnection]:
        if self._engine is None:
            async with self._db.engine.begin() as conn:
                yield conn
            return
        async with self._engine.connect() as conn:
            yield conn

    async def aclose(self) -> None:
        if self._engine is not None:
            await self._engine.dispose()
