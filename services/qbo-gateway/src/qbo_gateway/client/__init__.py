"""The QuickBooks Online API client: calls, limits, retries and typed errors.

    client = QboClient(http, tokens, QboClientSettings.from_settings(settings), RealmLimiter())
    invoice = await client.create(company_id, "Invoice", body, request_id=request_id(job.id, "invoice"))

See ``qbo_client`` for what every call does, ``errors`` for the error tree, ``limiter`` for Intuit's
limits and ``request_ids`` for how writes stay exactly-once.
"""

from qbo_gateway.client.auth import Credentials, TokenSource
from qbo_gateway.client.batch import MAX_BATCH_ITEMS, BatchItem, BatchResult
from qbo_gateway.client.errors import (
    AuthFailed,
    DuplicateName,
    ObjectNotFound,
    QboFault,
    StaleObject,
    Throttled,
    Unavailable,
    ValidationFault,
)
from qbo_gateway.client.limiter import RealmLimiter, RealmLimits
from qbo_gateway.client.qbo_client import CompanyApi, QboClient, QboClientSettings
from qbo_gateway.client.query_text import contains, quote
from qbo_gateway.client.request_ids import request_id
from qbo_gateway.client.retry import RetryPolicy

__all__ = [
    "MAX_BATCH_ITEMS",
    "AuthFailed",
    "BatchItem",
    "BatchResult",
    "CompanyApi",
    "Credentials",
    "DuplicateName",
    "ObjectNotFound",
    "QboClient",
    "QboClientSettings",
    "QboFault",
    "RealmLimiter",
    "RealmLimits",
    "RetryPolicy",
    "StaleObject",
    "Throttled",
    "TokenSource",
    "Unavailable",
    "ValidationFault",
    "contains",
    "quote",
    "request_id",
]
