"""Plugging the connection into the qbo-gateway app: start-up and shut-down hooks.

At start-up it builds the `ConnectionRuntime` and publishes, in `ctx.extras`:

- ``"qbo_connection"``: the runtime (the endpoints' dependency);
- ``"qbo_tokens"``: the `TokenProvider`, the API client's source of access tokens;
- ``"start_state"``: new QBO sends start held while the connection needs re-authorisation, and are
  refused (409) when it is not connected (espqb.sending.service.StartStateHook);
- ``"uninstall_hooks"``: uninstalling QBO revokes and deletes the tokens.

With RUN_WORKER_IN_PROCESS (development) the scheduler runs inside the gateway as well; in
production it runs as `espqb scheduler`.
"""

from __future__ import annotations

from espqb.api.context import AppContext
from qbo_gateway.connection import service
from qbo_gateway.connection.endpoints import RUNTIME_KEY
from qbo_gateway.connection.runtime import ConnectionRuntime, build_runtime

TOKENS_KEY = "qbo_tokens"


async def start_connection(ctx: AppContext) -> None:
    runtime = build_runtime(ctx.db, ctx.settings, ctx.secret_box)
    ctx.extras[RUNTIME_KEY] = runtime
    ctx.extras[TOKENS_KEY] = runtime.tokens
    ctx.extras["start_state"] = service.start_state
    ctx.extras["uninstall_hooks"] = [*ctx.extras.get("uninstall_hooks", ()), service.uninstall_hook(runtime)]
    if ctx.settings.run_worker_in_process:
        runtime.start_scheduler()


async def stop_connection(ctx: AppContext) -> None:
    runtime: ConnectionRuntime | None = ctx.extras.pop(RUNTIME_KEY, None)
    ctx.extras.pop(TOKENS_KEY, None)
    if runtime is not None:
        await runtime.aclose()
