"""The `espqb-dev` command: the simulators and the demo, for development machines only.

Production installs `espqb` (the ops CLI) without this package, so no simulator code ships there.
`espqb-dev --help` lists the commands; each has its own `--help`.
"""

from __future__ import annotations

import typer

from espqb_devtools.sandbox import app as sandbox_app

app = typer.Typer(
    name="espqb-dev",
    help="Development tools: the whole demo, a simulated Web Connector and company file, the Intuit sandbox.",
    no_args_is_help=True,
    add_completion=False,
)


@app.command("demo")
def demo(
    keep: bool = typer.Option(
        False, "--keep", help="Keep the demo's database and Desktop company file under var/demo/ afterwards."
    ),
    database_url: str | None = typer.Option(
        None,
        "--database-url",
        help="Run on this (empty) database instead of a fresh SQLite file under var/demo/.",
        show_default=False,
    ),
) -> None:
    """Send the A7102 example and a two-supplier order to QuickBooks Online and Desktop (sandboxes),
    print the documents and each job's timeline, and exit 1 if any figure differs from its order."""
    # Imported here: the demo loads both gateways, which the sandbox commands do without.
    from espqb_devtools.demo.command import demo as run_demo

    run_demo(keep=keep, database_url=database_url)


app.add_typer(sandbox_app, name="sandbox")


if __name__ == "__main__":
    app()
