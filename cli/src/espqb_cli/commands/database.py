"""espqb migrate / downgrade: the Alembic history."""

from __future__ import annotations

import typer


def migrate(
    revision: str = typer.Option("head", help="Target revision (default: the newest)."),
    database_url: str | None = typer.Option(
        None, envvar="DATABASE_URL", help="Database to migrate (default: settings)."
    ),
) -> None:
    """Upgrade the database to the newest schema (safe to run repeatedly; run before starting services)."""
    import espqb.db.migrate as migrations
    from espqb.config import get_settings

    url = database_url or get_settings().database_url
    migrations.upgrade(url, revision)
    typer.echo(f"database at {revision}: {_safe(url)}")


def downgrade(
    revision: str = typer.Argument(..., help="Revision to go back to, e.g. `base` or `-1`."),
    database_url: str | None = typer.Option(None, envvar="DATABASE_URL"),
) -> None:
    """Downgrade the database schema (every revision is reversible)."""
    import espqb.db.migrate as migrations
    from espqb.config import get_settings

    url = database_url or get_settings().database_url
    migrations.downgrade(url, revision)
    typer.echo(f"database at {revision}: {_safe(url)}")


def _safe(url: str) -> str:
    from sqlalchemy.engine import make_url

    from espqb.db.engine import normalise_database_url

    return make_url(normalise_database_url(url)).render_as_string(hide_password=True)
