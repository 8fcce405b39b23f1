"""`espqb --help` and every command's --help work and say what the command does."""

from __future__ import annotations

import typer
from typer.testing import CliRunner

from espqb_cli.main import app

runner = CliRunner()


def _commands() -> list[str]:
    group = typer.main.get_group(app)
    return sorted(group.commands)


def test_top_level_help_lists_commands() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for name in ("migrate", "mint-token", "openapi"):
        assert name in result.output


def test_every_command_has_help_text() -> None:
    names = _commands()
    assert {"migrate", "mint-token", "generate-key", "openapi"} <= set(names)
    for name in names:
        result = runner.invoke(app, [name, "--help"])
        assert result.exit_code == 0, (name, result.output)
        group = typer.main.get_group(app)
        assert (group.commands[name].help or "").strip(), f"`espqb {name}` has no help text"


def test_mint_token_reads_settings(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import asyncio

    from espqb.config import DEV_JWT_SECRET
    from espqb.security.jwt import TokenVerifier

    result = runner.invoke(
        app, ["mint-token", "--company", "c9", "--user", "u9", "--role", "user", "--team", "east"]
    )
    assert result.exit_code == 0
    principal = asyncio.run(TokenVerifier(secret=DEV_JWT_SECRET).verify(result.output.strip()))
    assert (principal.company_id, principal.user_id, principal.roles, principal.teams) == (
        "c9",
        "u9",
        ("user",),
        ("east",),
    )


def test_backfill_help_names_the_user_the_sends_are_recorded_as() -> None:
    from espqb.ops import BACKFILL_USER

    result = runner.invoke(app, ["backfill", "--help"], terminal_width=200)
    assert result.exit_code == 0
    assert f"(default: {BACKFILL_USER})" in result.output
