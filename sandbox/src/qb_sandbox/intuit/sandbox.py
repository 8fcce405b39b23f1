"""``IntuitSandbox``: the whole simulated Intuit in one in-memory object.

It holds the OAuth server (clients, codes, grants, tokens), the companies (realms) and their books, the
request throttle, the fault injector, the counters tests read, and the clock. It is meant for one event
loop: every state change happens between awaits, so requests never see each other half-done.

    sandbox = IntuitSandbox()                       # with the demo company DEMO_REALM_ID
    sandbox.register_client("dev-client", "dev-secret", ["http://localhost:8001/v1/qbo/callback"])
    app = create_intuit_app(sandbox)                # qb_sandbox.intuit.app
    ...
    sandbox.entities(DEMO_REALM_ID, "Invoice")      # what the client wrote
    sandbox.advance(3601)                           # the access token is now expired
    sandbox.inject_next(DEMO_REALM_ID, 429)         # the next API call is throttled
"""

from __future__ import annotations

import copy
import secrets
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from .clock import SandboxClock
from .company import ClassTracking, Company
from .editions import CURRENCY_NAMES, edition_named
from .fault_injection import Fault, FaultInjector, FaultSettings
from .oauth_server import ACCOUNTING_SCOPE, OAuthServer, TokenLifetimes
from .qbo_schema import QboSchema, load_schema
from .seed import DEMO_COMPANY_NAME, DEMO_REALM_ID, seed_company
from .throttle import RequestThrottle, ThrottleLimits
from .webhooks import SIGNATURE_HEADER, ChangeEvent, WebhookDelivery, WebhookFormat, encode, sign

MINIMUM_MINOR_VERSION = 75
DEFAULT_VERIFIER_TOKEN = "sandbox-verifier-token"


@dataclass(slots=True)
class ApiCounters:
    api_calls: Counter[str] = field(default_factory=Counter)  # per realm, every /v3 request
    status_counts: Counter[int] = field(default_factory=Counter)  # every /v3 response status
    minor_versions: list[str | None] = field(default_factory=list)  # what each /v3 request sent
    request_ids: list[str | None] = field(default_factory=list)  # the requestid of each write
    # per realm, the number of items of each batch request that ran (replays of a requestid not counted)
    batch_items: defaultdict[str, list[int]] = field(default_factory=lambda: defaultdict(list))

    def as_json(self) -> dict[str, Any]:
        return {
            "api_calls": dict(self.api_calls),
            "status_counts": {str(k): v for k, v in self.status_counts.items()},
            "minor_versions": list(self.minor_versions),
            "request_ids": list(self.request_ids),
            "batch_items": {realm: list(sizes) for realm, sizes in self.batch_items.items()},
        }


@dataclass(slots=True)
class WebhookSettings:
    url: str | None = None
    verifier_token: str = DEFAULT_VERIFIER_TOKEN
    format: WebhookFormat = "legacy"
    # Send a webhook after every successful write, for companies with a live OAuth connection only
    # (docs/quickbooks-online.md §2.13: "Webhooks only fire for companies with a valid OAuth connection").
    automatic: bool = False
    source: str = "intuit.sandbox"


class IntuitSandbox:
    def __init__(
        self,
        *,
        now: Callable[[], datetime] | None = None,
        seed: int = 0,
        demo_company: bool = True,
        schema: QboSchema | None = None,
        schema_dir: Path | None = None,
        throttle_limits: ThrottleLimits | None = None,
        token_lifetimes: TokenLifetimes | None = None,
        minimum_minor_version: int = MINIMUM_MINOR_VERSION,
        throttle_body: str = "json",
        retry_after_seconds: int | None = None,
        webhooks: WebhookSettings | None = None,
        webhook_transport: httpx.AsyncBaseTransport | None = None,
        public_base_url: str | None = None,
    ) -> None:
        self.clock = SandboxClock(now)
        self.schema = schema or load_schema(schema_dir)
        self.oauth = OAuthServer(self.clock.now, token_lifetimes)
        self.throttle = RequestThrottle(self.clock.now, throttle_limits)
        self.faults = FaultInjector(FaultSettings(seed=seed))
        self.counters = ApiCounters()
        self.companies: dict[str, Company] = {}
        self.minimum_minor_version = minimum_minor_version
        # docs/quickbooks-online.md §2.10/§2.11: Intuit has answered 429 in XML even to JSON clients, and
        # documents no Retry-After header; both are switchable so a client can be tested against either.
        self.throttle_body = throttle_body
        self.retry_after_seconds = retry_after_seconds
        self.webhooks = webhooks or WebhookSettings()
        self.webhook_deliveries: list[WebhookDelivery] = []
        self._webhook_transport = webhook_transport
        self.public_base_url = public_base_url
        if demo_company:
            self.add_company(DEMO_COMPANY_NAME, realm_id=DEMO_REALM_ID)

    # -- time --------------------------------------------------------------------------------------------

    def now(self) -> datetime:
        return self.clock.now()

    def advance(self, seconds: float) -> datetime:
        """Move the sandbox clock forward (token expiry, throttle windows, code lifetimes)."""
        return self.clock.advance(seconds)

    # -- set-up --------------------------------------------------------------------------------------------

    def register_client(
        self, client_id: str, client_secret: str, redirect_uris: list[str] | tuple[str, ...]
    ) -> None:
        self.oauth.register_client(client_id, client_secret, redirect_uris)

    def add_company(
        self,
        name: str,
        *,
        realm_id: str | None = None,
        sample_names: bool = True,
        edition: str = "us",
        multi_currency: bool = False,
        currencies: tuple[str, ...] | list[str] = (),
        home_currency: str | None = None,
        class_tracking: ClassTracking = "off",
        track_locations: bool = False,
        location_label: str = "Location",
        custom_fields: tuple[str, ...] | list[str] = (),
        terms: tuple[tuple[str, int], ...] | list[tuple[str, int]] = (),
        classes: tuple[str, ...] | list[str] = (),
        locations: tuple[str, ...] | list[str] = (),
    ) -> str:
        """A new company (realm). ``edition``: "us" (manual sales tax), "us_ast" (automated sales tax),
        "ca", "uk" or "au" (a tax code on every line) — see ``editions``; ``multi_currency`` with the
        ``currencies`` added besides the home currency (the edition's unless ``home_currency``).
        Document details (docs/quickbooks-online.md §7): ``class_tracking`` ("off", "per_transaction",
        "per_line"), ``track_locations`` (called ``location_label``), the names of up to three
        sales-form ``custom_fields`` (DefinitionId 1–3), and list entries to start with: ``terms``
        as (name, due days), ``classes`` and ``locations`` by name."""
        realm_id = realm_id or str(9_341_453_050_000_000 + secrets.randbelow(10**6))
        if realm_id in self.companies:
            raise ValueError(f"realm {realm_id} already exists")
        preset = edition_named(edition)
        for code in (*currencies, home_currency or preset.home_currency):
            if code.upper() not in CURRENCY_NAMES:
                raise ValueError(f"unknown currency {code!r}; the sandbox knows {', '.join(CURRENCY_NAMES)}")
        company = Company(
            realm_id,
            name,
            self.clock.now,
            self.schema,
            edition=preset,
            multi_currency=multi_currency,
            currencies=tuple(currencies),
            home_currency=home_currency,
            class_tracking=class_tracking,
            track_locations=track_locations,
            location_label=location_label,
            custom_fields=tuple(custom_fields),
        )
        seed_company(company, with_sample_names=sample_names)
        for term_name, days in terms:
            company.create("Term", {"Name": term_name, "DueDays": days})
        for class_name in classes:
            company.create("Class", {"Name": class_name})
        for location in locations:
            company.create("Department", {"Name": location})
        self.companies[realm_id] = company
        return realm_id

    def company(self, realm_id: str) -> Company:
        return self.companies[realm_id]

    def connect(
        self, client_id: str, realm_id: str = DEMO_REALM_ID, *, include_hard_expiry: bool = False
    ) -> dict[str, Any]:
        """Tokens as if the user had pressed Connect and the client had exchanged the code (for tests
        that are not about the consent flow)."""
        client = self.oauth.clients[client_id]
        request = self.oauth.begin_authorization(
            client_id=client_id,
            redirect_uri=client.redirect_uris[0],
            response_type="code",
            scope=ACCOUNTING_SCOPE,
            state=None,
        )
        location = self.oauth.approve(request.request_id, realm_id)
        code = httpx.URL(location).params["code"]
        return self.oauth.exchange_code(
            client, code, client.redirect_uris[0], include_hard_expiry=include_hard_expiry
        )

    # -- inspection ----------------------------------------------------------------------------------------

    def entities(self, realm_id: str, kind: str) -> list[dict[str, Any]]:
        """Every live entity of a kind as the API would render it (copies: changing them changes nothing)."""
        return self.company(realm_id).books.snapshot(kind)

    def get(self, realm_id: str, kind: str, entity_id: str) -> dict[str, Any] | None:
        record = self.company(realm_id).books.get(kind, entity_id)
        return None if record is None else copy.deepcopy(record.render())

    @property
    def token_calls(self) -> int:
        return self.oauth.counters.token_calls

    @property
    def refresh_calls(self) -> int:
        return self.oauth.counters.refresh_calls

    @property
    def api_calls(self) -> Counter[str]:
        return self.counters.api_calls

    @property
    def status_counts(self) -> Counter[int]:
        return self.counters.status_counts

    # -- faults --------------------------------------------------------------------------------------------

    def configure_faults(self, **settings: Any) -> FaultSettings:
        """latency_s, p_429, p_500, p_timeout, timeout_delay_s, seed (see fault_injection)."""
        return self.faults.configure(**settings)

    def inject_next(self, realm_id: str, fault: Fault) -> None:
        self.faults.inject_next(realm_id, fault)

    def disconnect(self, realm_id: str) -> int:
        """The user disconnects the app in QuickBooks: every grant for the company is revoked."""
        return self.oauth.disconnect_realm(realm_id)

    # -- webhooks ------------------------------------------------------------------------------------------

    async def emit_webhook(
        self, realm_id: str, entity: str, entity_id: str, operation: str, *, url: str | None = None
    ) -> WebhookDelivery:
        """POST one data-change notification, signed, to the configured webhook URL."""
        target = url or self.webhooks.url
        if not target:
            raise RuntimeError(
                "no webhook URL configured (WebhookSettings.url or INTUIT_SANDBOX_WEBHOOK_URL)"
            )
        event = ChangeEvent(entity, entity_id, operation, self.now())
        body = encode(realm_id, [event], self.webhooks.format, source=self.webhooks.source)
        signature = sign(self.webhooks.verifier_token, body)
        headers = {"content-type": "application/json", SIGNATURE_HEADER: signature}
        try:
            async with httpx.AsyncClient(transport=self._webhook_transport, timeout=10.0) as client:
                response = await client.post(target, content=body, headers=headers)
            delivery = WebhookDelivery(target, body, signature, response.status_code)
        except httpx.HTTPError as exc:
            delivery = WebhookDelivery(target, body, signature, None, f"{type(exc).__name__}: {exc}")
        self.webhook_deliveries.append(delivery)
        return delivery

    def wants_automatic_webhook(self, realm_id: str) -> bool:
        return bool(self.webhooks.automatic and self.webhooks.url and self.oauth.has_live_grant(realm_id))
