"""A faithful stand-in for Intuit: OAuth 2.0 authorisation server and a QuickBooks Online v3 API subset.

Public API:

- ``IntuitSandbox`` — the in-memory state (clients, companies and their books, tokens, counters, clock,
  fault injection) with helpers to inspect it (``entities``, ``get``) and to steer it (``advance``,
  ``inject_next``, ``configure_faults``, ``disconnect``, ``emit_webhook``, ``connect``);
- ``create_intuit_app(sandbox)`` — the FastAPI app serving it over HTTP under one base URL;
- ``check_entity(entity_name, payload)`` — Intuit's QBO XSD as a JSON payload checker (``qbo_schema``);
- ``DEMO_REALM_ID`` / ``DEMO_TAX_CODE_ID`` — the seeded demo company and its sales-tax code.

Run it on its own with ``python -m qb_sandbox.intuit --port 8003`` (see ``__main__``).
"""

from .app import create_intuit_app
from .fault_injection import TOKEN_ENDPOINT, FaultSettings
from .faults import QboFault
from .oauth_server import ACCOUNTING_SCOPE, TokenLifetimes
from .qbo_schema import check_entity
from .sandbox import IntuitSandbox, WebhookSettings
from .seed import DEMO_COMPANY_NAME, DEMO_REALM_ID, DEMO_TAX_CODE_ID
from .throttle import ThrottleLimits

__all__ = [
    "ACCOUNTING_SCOPE",
    "DEMO_COMPANY_NAME",
    "DEMO_REALM_ID",
    "DEMO_TAX_CODE_ID",
    "TOKEN_ENDPOINT",
    "FaultSettings",
    "IntuitSandbox",
    "QboFault",
    "ThrottleLimits",
    "TokenLifetimes",
    "WebhookSettings",
    "check_entity",
    "create_intuit_app",
]
