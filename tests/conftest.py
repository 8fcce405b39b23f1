"""Test fixtures shared by the whole suite.

Database tests take the `db` fixture, which is parametrised over the two backends: SQLite always, and
PostgreSQL when TEST_DATABASE_URL is set (CI sets it; `.ci/run` fails if those tests were skipped).
Each test starts from a freshly migrated, empty database: a copy of a migrated SQLite file, or the
PostgreSQL test database with every table truncated.

`make test` runs the suite in several processes (pytest-xdist, a whole test file per process at a
time). Each process gets its own PostgreSQL database, named after TEST_DATABASE_URL's with the worker's
id appended (``espqb_ci_gw0``, ``espqb_ci_gw1``…), dropped and created afresh when the process starts,
so the processes never empty each other's tables.
"""

from __future__ import annotations

import functools
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from espqb.db import Database
from espqb.db.base import Base
from espqb.db.engine import normalise_database_url
from espqb.db.migrate import upgrade

os.environ.setdefault("ENV", "development")

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite", "postgres"]


def _sync_pg_url(url: str) -> str:
    return normalise_database_url(url).replace("+asyncpg", "+psycopg")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("db") / "template.sqlite3"
    upgrade(f"sqlite+aiosqlite:///{path}")
    return path


def _worker_database(url: str) -> str:
    """This test process's own database: TEST_DATABASE_URL's itself, or, under pytest-xdist, a fresh
    database beside it named after the worker (created through TEST_DATABASE_URL's connection)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    base = make_url(url)
    name = f"{base.database}_{worker}"
    admin = create_engine(_sync_pg_url(url), poolclass=NullPool, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    if not TEST_DATABASE_URL:
        pytest.skip("PostgreSQL tests need TEST_DATABASE_URL (CI sets it)")
    url = normalise_database_url(_worker_database(normalise_database_url(TEST_DATABASE_URL)))
    upgrade(url)
    yield url


@functools.cache
def _sync_engine(url: str) -> Engine:
    return create_engine(_sync_pg_url(url), poolclass=NullPool)


def truncate_all(url: str) -> None:
    """Empty every table of the schema and restart its sequences, as a fresh migration leaves them.

    DELETE with triggers off (``session_replication_role = replica``: the append-only audit log and the
    foreign-key checks are triggers) costs ~10 ms for the few rows a test leaves, where TRUNCATE of every
    table costs ~120 ms: over the suite's PostgreSQL tests that is more than a minute.
    """
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    engine = _sync_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("SET LOCAL session_replication_role = replica"))
            conn.execute(text("; ".join(f"DELETE FROM {name}" for name in tables)))
            sequences = conn.execute(
                text("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")
            )
            restarts = [f"ALTER SEQUENCE {name} RESTART" for (name,) in sequences]
            if restarts:
                conn.execute(text("; ".join(restarts)))
    except DBAPIError:  # a role that may not switch triggers off (not a superuser): the slow way
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "test.sqlite3"
        shutil.copyfile(template, path)
        return f"sqlite+aiosqlite:///{path}"
    url: str = request.getfixturevalue("postgres_url")
    truncate_all(url)
    return url


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database.from_url(database_url)
    try:
        yield database
    finally:
        await database.dispose()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Mark every PostgreSQL-parametrised test so `.ci/run` can count them (-m postgres).
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and callspec.params.get("database_url") == "postgres":
            item.add_marker(pytest.mark.postgres)
