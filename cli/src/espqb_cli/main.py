"""The `espqb` command. `espqb --help` lists every command; each has its own `--help`."""

from __future__ import annotations

import typer

from espqb_cli.commands import database, openapi, qbo_ops, tokens, worker
from espqb_cli.commands.backfill import backfill
from espqb_cli.commands.status import status

app = typer.Typer(
    name="espqb",
    help="Operate esp-quickbooks: migrations, tokens, keys, workers, reminders, backfills, status.",
    no_args_is_help=True,
    add_completion=False,
    # Plain help: typer's Rich panels import Rich's Markdown and syntax highlighting, which doubles the
    # time `espqb --help` takes.
    rich_markup_mode=None,
)

app.command("migrate")(database.migrate)
app.command("downgrade")(database.downgrade)
app.command("mint-token")(tokens.mint_token)
app.command("generate-key")(tokens.generate_key)
app.command("openapi")(openapi.export_openapi)
app.command("reauth-reminders")(qbo_ops.reauth_reminders)
app.command("rotate-keys")(qbo_ops.rotate_keys)
app.command("scheduler")(qbo_ops.scheduler)
app.command("deliver-notifications")(qbo_ops.deliver_notifications)
app.command("worker")(worker.worker)
app.command("backfill")(backfill)
app.command("status")(status)


if __name__ == "__main__":
    app()
