"""Run the Alembic history programmatically (used by `espqb migrate`, the services' prestart and
the tests). Synchronous: call it from a thread when an event loop is running."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from espqb.config import REPO_ROOT
from espqb.db.engine import normalise_database_url


def alembic_config(url: str) -> Config:
    cfg = Config(str(REPO_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(REPO_ROOT / "migrations"))
    cfg.attributes["url"] = normalise_database_url(url)
    cfg.attributes["configure_logger"] = False
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(url), revision)


def current_heads(url: str) -> set[str]:
    from alembic.script import ScriptDirectory

    return set(ScriptDirectory.from_config(alembic_config(url)).get_heads())
