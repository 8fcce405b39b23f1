"""espqb mint-token / generate-key: development tokens and fresh keys."""

from __future__ import annotations

import typer


def mint_token(
    company: str = typer.Option("demo-company", "--company", help="ESP company id (the `company_id` claim)."),
    user: str = typer.Option("demo-admin", "--user", help="ESP user id (the `sub` claim)."),
    role: list[str] = typer.Option(["admin"], "--role", help="Role(s): admin and/or user. Repeatable."),
    team: list[str] = typer.Option([], "--team", help="Team(s) the user belongs to. Repeatable."),
    ttl: int = typer.Option(8 * 3600, help="Lifetime in seconds."),
) -> None:
    """Print a development JWT signed with ESP_JWT_SECRET (HS256), for curl and the README walkthroughs.

    Only for development: in production ESP's own front end signs the tokens."""
    from espqb.config import get_settings
    from espqb.security.jwt import mint_token as mint

    settings = get_settings()
    if settings.esp_jwks_url:
        raise typer.BadParameter(
            "ESP_JWKS_URL is set: tokens are RS256 from ESP; this command only signs HS256."
        )
    typer.echo(
        mint(
            settings.esp_jwt_secret.get_secret_value(),
            company_id=company,
            user_id=user,
            roles=role,
            teams=team,
            ttl_seconds=ttl,
        )
    )


def generate_key() -> None:
    """Print a new encryption key for ENCRYPTION_KEYS (put it first; keep the old ones after it,
    then run `espqb rotate-keys`)."""
    from espqb.security.crypto import generate_key as new_fernet_key

    typer.echo(new_fernet_key())
