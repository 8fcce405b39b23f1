"""Plugging the connection into the qbo-gateway app: ``running_connection`` builds the
`ConnectionRuntime` (Intuit's OAuth client, the token provider the API client uses) for the app's
lifespan and closes it after.

With RUN_WORKER_IN_PROCESS (development) the scheduler runs inside the gateway as well; in
production it runs as `espqb scheduler`. What the shared API needs from the connection (a new send's
start state, revoking tokens on uninstall) is given to the app factory by `qbo_gateway.app`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from espqb.api.context import AppContext
from qbo_gateway.connection.runtime import ConnectionRuntime, build_runtime


@asynccontextmanager
async def running_connection(ctx: AppContext) -> AsyncIterator[ConnectionRuntime]:
    runtime = build_runtime(ctx.db, ctx.settings, ctx.secret_box)
    try:
        if ctx.settings.run_worker_in_process:
            runtime.start_scheduler()
        yield runtime
    finally:
        await runtime.aclose()
