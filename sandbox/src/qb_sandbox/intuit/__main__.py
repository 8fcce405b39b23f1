"""Run the Intuit sandbox on its own: ``python -m qb_sandbox.intuit --port 8003``.

Environment (all optional; the defaults suit local development):

- ``INTUIT_SANDBOX_CLIENT_ID`` / ``INTUIT_SANDBOX_CLIENT_SECRET`` — the demo OAuth client
  (``dev-client`` / ``dev-secret``);
- ``INTUIT_SANDBOX_REDIRECT_URIS`` — its redirect URIs, comma-separated
  (``http://localhost:8001/v1/qbo/callback``);
- ``INTUIT_SANDBOX_WEBHOOK_URL`` — where to POST data-change webhooks; when set, every successful write
  sends one (for companies with a live connection);
- ``INTUIT_SANDBOX_VERIFIER_TOKEN`` — the webhook verifier token used for ``intuit-signature``;
- ``INTUIT_SANDBOX_WEBHOOK_FORMAT`` — ``legacy`` (default) or ``cloudevents``;
- ``INTUIT_SANDBOX_PUBLIC_URL`` — the base URL to advertise in the discovery document, when the
  sandbox is reached through another host name than the one in the request.

The test-only control API under ``/_sandbox`` is served too (see ``control_endpoints``).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping

import uvicorn

from .app import create_intuit_app
from .sandbox import DEFAULT_VERIFIER_TOKEN, IntuitSandbox, WebhookSettings
from .seed import DEMO_REALM_ID

DEFAULT_CLIENT_ID = "dev-client"
DEFAULT_CLIENT_SECRET = "dev-secret"
DEFAULT_REDIRECT_URIS = "http://localhost:8001/v1/qbo/callback"


def sandbox_from_env(env: Mapping[str, str]) -> IntuitSandbox:
    webhook_url = env.get("INTUIT_SANDBOX_WEBHOOK_URL") or None
    webhook_format = env.get("INTUIT_SANDBOX_WEBHOOK_FORMAT", "legacy")
    if webhook_format not in ("legacy", "cloudevents"):
        raise SystemExit("INTUIT_SANDBOX_WEBHOOK_FORMAT must be legacy or cloudevents")
    webhooks = WebhookSettings(
        url=webhook_url,
        verifier_token=env.get("INTUIT_SANDBOX_VERIFIER_TOKEN", DEFAULT_VERIFIER_TOKEN),
        format="cloudevents" if webhook_format == "cloudevents" else "legacy",
        automatic=webhook_url is not None,
    )
    sandbox = IntuitSandbox(webhooks=webhooks, public_base_url=env.get("INTUIT_SANDBOX_PUBLIC_URL") or None)
    redirect_uris = [
        u.strip() for u in env.get("INTUIT_SANDBOX_REDIRECT_URIS", DEFAULT_REDIRECT_URIS).split(",")
    ]
    sandbox.register_client(
        env.get("INTUIT_SANDBOX_CLIENT_ID", DEFAULT_CLIENT_ID),
        env.get("INTUIT_SANDBOX_CLIENT_SECRET", DEFAULT_CLIENT_SECRET),
        [u for u in redirect_uris if u],
    )
    return sandbox


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m qb_sandbox.intuit", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8003)
    args = parser.parse_args(argv)
    sandbox = sandbox_from_env(os.environ)
    print(f"Intuit sandbox on http://{args.host}:{args.port} (demo realm {DEMO_REALM_ID})", flush=True)
    uvicorn.run(create_intuit_app(sandbox), host=args.host, port=args.port, log_level="info")


if __name__ == "__main__":
    main()
