"""espqb openapi: export both services' OpenAPI specs (kept current in openapi/; a test checks)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer


def service_specs() -> dict[str, dict[str, Any]]:
    from espqb.config import Settings
    from qbo_gateway.app import create_app as qbo_app
    from qbwc_gateway.app import create_app as qbwc_app

    settings = Settings(env="development")
    return {
        "qbo-gateway": qbo_app(settings).openapi(),
        "qbwc-gateway": qbwc_app(settings).openapi(),
    }


def render(spec: dict[str, Any]) -> str:
    return json.dumps(spec, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def export_openapi(
    out: Path | None = typer.Option(
        None,
        show_default=False,
        help="Folder to write <service>.json into (default: the repository's openapi/).",
    ),
) -> None:
    """Write openapi/qbo-gateway.json and openapi/qbwc-gateway.json from the running code."""
    from espqb.config import REPO_ROOT

    out = out or REPO_ROOT / "openapi"
    out.mkdir(parents=True, exist_ok=True)
    for name, spec in service_specs().items():
        (out / f"{name}.json").write_text(render(spec))
        typer.echo(f"wrote {out / (name + '.json')}")
