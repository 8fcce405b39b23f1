"""Test fixtures shared by the whole suite.

Database tests take the `db` fixture, which is parametrised over the two backends: SQLite always, and
PostgreSQL when TEST_DATABASE_URL is set (CI sets it; `.ci/run` fails if those tests were skipped).
Each test starts from a freshly migrated, empty database: a copy of a migrated SQLite file, or the
PostgreSQL test database with every table truncated.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

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


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    if not TEST_DATABASE_URL:
        pytest.skip("PostgreSQL tests need TEST_DATABASE_URL (CI sets it)")
    url = normalise_database_url(TEST_DATABASE_URL)
    upgrade(url)
    yield url


def truncate_all(url: str) -> None:
    engine = create_engine(_sync_pg_url(url))
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


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
