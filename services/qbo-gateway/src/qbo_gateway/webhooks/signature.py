"""Intuit signs each webhook delivery: header ``intuit-signature`` = base64(HMAC-SHA256(verifier
token, raw body)) (docs/quickbooks-online.md §2.13). The check runs on the raw bytes, before any parsing."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

__all__ = ["SIGNATURE_HEADER", "is_signed_by_intuit", "sign"]

SIGNATURE_HEADER = "intuit-signature"


def sign(verifier_token: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(verifier_token.encode(), body, hashlib.sha256).digest()).decode()


def is_signed_by_intuit(body: bytes, signature: str | None, verifier_token: str) -> bool:
    if not signature or not verifier_token:
        return False
    try:
        given = base64.b64decode(signature.strip(), validate=True)
    except (binascii.Error, ValueError):
        return False
    expected = hmac.new(verifier_token.encode(), body, hashlib.sha256).digest()
    return hmac.compare_digest(given, expected)
