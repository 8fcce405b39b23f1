"""What a running service holds for its lifetime: settings, database, token verifier, secret box,
and the product-specific lookup provider. Built in the app's lifespan, kept on `app.state.ctx`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from espqb.config import Settings
from espqb.db import Database
from espqb.security.crypto import SecretBox
from espqb.security.jwt import TokenVerifier

if TYPE_CHECKING:
    from espqb.lookups.provider import LookupProvider, RecordFinder


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
    extras: dict[str, Any] = field(default_factory=dict)
