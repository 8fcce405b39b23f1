"""The `espqb-dev` command: the simulators and the demo, for development machines only.

Production installs `espqb` (the ops CLI) without this package, so no simulator code ships there.
`espqb-dev --help` lists the commands; each has its own `--help`.
"""

from __future__ import annotations

import typer

from espqb_devtools.demo import demo
from espqb_devtools.sandbox import app as sandbox_app

app = typer.Typer(
    name="espqb-dev",
    help="Development tools: the whole demo, a simulated Web Connector and company file, the Intuit sandbox.",
    no_args_is_help=True,
    add_completion=False,
)

app.command("demo")(demo)
app.add_typer(sandbox_app, name="sandbox")


if __name__ == "__main__":
    app()
