"""Start the whole stack for the demo: a fresh database, the Intuit sandbox, qbo-gateway and
qbwc-gateway, each under uvicorn on a loopback port in a thread of its own.

Real HTTP on real sockets, so the demo exercises what a deployment runs (middleware, lifespans, the
in-process QBO worker) rather than an ASGI shortcut. Each socket is bound before its app is built:
the port goes into the app's settings (redirect URI, public URLs) and nothing can take it meanwhile.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI
from sqlalchemy.engine import make_url

from espqb.config import REPO_ROOT, Settings
from espqb.db.engine import normalise_database_url
from espqb.db.migrate import upgrade
from qb_sandbox.intuit import DEMO_REALM_ID, IntuitSandbox, create_intuit_app
from qbo_gateway.app import create_app as create_qbo_app
from qbwc_gateway.app import create_app as create_qbwc_app

__all__ = ["DEMO_DIR", "DemoStack", "StartupError", "default_database_url", "fresh_sqlite", "running_stack"]

DEMO_DIR = REPO_ROOT / "var" / "demo"
DEMO_CLIENT_ID = "espqb-demo"
DEMO_CLIENT_SECRET = "espqb-demo-secret"  # the sandbox's client: known to both sides, never a real secret
STARTUP_SECONDS = 20.0


class StartupError(RuntimeError):
    """A server of the demo did not come up."""


@dataclass(frozen=True)
class DemoStack:
    database_url: str
    sandbox: IntuitSandbox
    realm_id: str
    intuit_url: str
    qbo_url: str
    qbwc_url: str
    jwt_secret: str


def default_database_url() -> str:
    return f"sqlite+aiosqlite:///{DEMO_DIR / 'espqb-demo.sqlite3'}"


def fresh_sqlite(url: str) -> None:
    """Delete a SQLite database file (and its WAL companions) so the demo starts from nothing."""
    database = _sqlite_path(url)
    if database is None:
        return
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)


def _sqlite_path(url: str) -> Path | None:
    parsed = make_url(normalise_database_url(url))
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def _bound_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@contextmanager
def _serving(app: FastAPI, sock: socket.socket, name: str) -> Iterator[None]:
    """Run ``app`` on ``sock`` in a background thread (lifespan on) until the block ends."""
    config = uvicorn.Config(
        app, log_level="warning", access_log=False, lifespan="on", ws="none", server_header=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name=name, daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_SECONDS
    try:
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise StartupError(f"{name} did not start (see the messages above)")
            time.sleep(0.02)
        yield
    finally:
        server.should_exit = True
        thread.join(timeout=15)


def _gateway_settings(database_url: str, **values: Any) -> Settings:
    # Explicit values win over the environment; development mode accepts the built-in dev secrets.
    base: dict[str, Any] = {
        "env": "development",
        "database_url": database_url,
        "log_level": "WARNING",
        "run_worker_in_process": True,
    }
    return Settings(_env_file=None, **base, **values)


@contextmanager
def running_stack(database_url: str) -> Iterator[DemoStack]:
    """Migrate ``database_url`` and serve the sandbox and both gateways until the block ends."""
    upgrade(database_url)
    sandbox = IntuitSandbox()
    sockets = {name: _bound_socket() for name in ("intuit", "qbo", "qbwc")}
    ports = {name: sock.getsockname()[1] for name, sock in sockets.items()}
    intuit_url = f"http://127.0.0.1:{ports['intuit']}"
    qbo_url = f"http://127.0.0.1:{ports['qbo']}"
    # The Web Connector accepts plain http only for the host name "localhost" (docs/web-connector.md §2).
    qbwc_url = f"http://localhost:{ports['qbwc']}"
    redirect_uri = f"{qbo_url}/v1/qbo/callback"
    sandbox.register_client(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, [redirect_uri])

    qbo_settings = _gateway_settings(
        database_url,
        intuit_client_id=DEMO_CLIENT_ID,
        intuit_client_secret=DEMO_CLIENT_SECRET,
        intuit_redirect_uri=redirect_uri,
        intuit_discovery_url=f"{intuit_url}/.well-known/openid-configuration",
        intuit_api_base_url=intuit_url,
        qbo_public_url=qbo_url,
    )
    qbwc_settings = _gateway_settings(database_url, qbwc_public_url=qbwc_url)
    with ExitStack() as stack:
        for sock in sockets.values():
            stack.callback(sock.close)  # also when a server before it failed to start
        stack.enter_context(_serving(create_intuit_app(sandbox), sockets["intuit"], "intuit-sandbox"))
        stack.enter_context(_serving(create_qbo_app(qbo_settings), sockets["qbo"], "qbo-gateway"))
        stack.enter_context(_serving(create_qbwc_app(qbwc_settings), sockets["qbwc"], "qbwc-gateway"))
        yield DemoStack(
            database_url=database_url,
            sandbox=sandbox,
            realm_id=DEMO_REALM_ID,
            intuit_url=intuit_url,
            qbo_url=qbo_url,
            qbwc_url=qbwc_url,
            jwt_secret=qbo_settings.esp_jwt_secret.get_secret_value(),
        )
