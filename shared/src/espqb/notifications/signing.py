"""How ESP can tell that a notification webhook really comes from us (the scheme, for ESP's side).

Every webhook POST carries

    X-ESPQB-Event: qbo.reauth_due                       (what happened; also `event` in the body)
    X-ESPQB-Delivery: 42                                (the notification id: the same on retries)
    X-ESPQB-Signature: t=1767225600,v1=5f2c…e9          (unix seconds, hex HMAC-SHA256)

where ``v1 = HMAC-SHA256(key=NOTIFY_WEBHOOK_SECRET, message="<t>.<raw request body>")`` in lower-case
hex. To verify: split the header on ``,`` into ``t`` and ``v1``; recompute the HMAC over the exact
bytes received (before any JSON parsing) prefixed with ``t`` and a dot; compare in constant time;
refuse a ``t`` more than five minutes from your clock (a captured request cannot be replayed later).
A delivery may arrive more than once (a retry after a timeout whose answer was lost): deduplicate on
``X-ESPQB-Delivery``.
"""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "X-ESPQB-Signature"
EVENT_HEADER = "X-ESPQB-Event"
DELIVERY_HEADER = "X-ESPQB-Delivery"
DEFAULT_TOLERANCE_SECONDS = 300


def _digest(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(secret: str, body: bytes, timestamp: int) -> str:
    """The value of X-ESPQB-Signature for `body` sent at `timestamp` (unix seconds)."""
    return f"t={timestamp},v1={_digest(secret, timestamp, body)}"


def verify_signature(
    secret: str, header: str, body: bytes, *, now: int, tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS
) -> bool:
    """What ESP's receiver does: True when `header` signs `body` with `secret` and is recent."""
    parts: dict[str, str] = {}
    for item in header.split(","):
        key, sep, value = item.strip().partition("=")
        if sep:
            parts[key] = value
    timestamp_text, signature = parts.get("t", ""), parts.get("v1", "")
    if not timestamp_text.isdigit() or not signature:
        return False
    timestamp = int(timestamp_text)
    if abs(now - timestamp) > tolerance_seconds:
        return False
    return hmac.compare_digest(_digest(secret, timestamp, body), signature)
