"""What a running service holds for its lifetime, typed: settings, database, token verifier, secret
box, the product's lookup provider and record finder, the hooks the shared API calls into the gateway
(`start_state` for a new send, `uninstall_hooks`), the migration head it expects and the metrics it
runs. Built in the app's lifespan (`espqb.api.app.build_app`), kept on `app.state.ctx`.

What only one gateway holds (the QBO connection and sending runtimes, the Web Connector handler) is
that gateway's own typed state (``gateway``), built by the lifespan it gives `build_app` and read with
`espqb.api.deps.gateway_state`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from espqb.config import Settings
from espqb.db import Database
from espqb.security.crypto import SecretBox
from espqb.security.jwt import TokenVerifier

if TYPE_CHECKING:
    from wsgiref.simple_server import WSGIServer

    from espqb.integration.service import UninstallHook
    from espqb.lookups.provider import LookupProvider, RecordFinder
    from espqb.observability.sampling import MetricsSampler
    from espqb.sending.service import StartStateHook


@dataclass
class AppContext:
    service: str
    settings: Settings
    db: Database
    verifier: TokenVerifier
    secret_box: SecretBox
    lookups: LookupProvider | None = None
    records: RecordFinder | None = None  # checks a QuickBooks id before a link to it is kept
    service_product: str | None = None  # "qbo" or "qbd": which product this service speaks for
    # The gateway decides a new send's first state (QBO: held while the connection needs re-authorisation).
    start_state: StartStateHook | None = None
    uninstall_hooks: tuple[UninstallHook, ...] = ()  # what a gateway revokes when its product is uninstalled
    migration_head: str | None = None  # the Alembic head this build needs (None: not one head)
    metrics_server: WSGIServer | None = None  # the internal METRICS_PORT, while it runs
    metrics_sampler: MetricsSampler | None = None  # the database gauges' sampler, while it runs
    gateway: object = None  # the gateway's own state: read it typed with espqb.api.deps.gateway_state
