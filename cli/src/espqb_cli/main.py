"""The `espqb` command. `espqb --help` lists every command; each has its own `--help`."""

from __future__ import annotations

import typer

from espqb_cli.commands import database, openapi, tokens

app = typer.Typer(
    name="espqb",
    help="Operate esp-quickbooks: migrations, tokens, keys, workers, reminders, the sandboxes, backfills.",
    no_args_is_help=True,
    add_completion=False,
)

app.command("migrate")(database.migrate)
app.command("downgrade")(database.downgrade)
app.command("mint-token")(tokens.mint_token)
app.command("generate-key")(tokens.generate_key)
app.command("openapi")(openapi.export_openapi)


if __name__ == "__main__":
    app()
