"""The webhook signature scheme as ESP's receiver applies it (espqb.notifications.signing)."""

from __future__ import annotations

import hashlib
import hmac

from espqb.notifications.signing import signature_header, verify_signature

SECRET = "shared-with-esp"
BODY = b'{"event":"qbo.reauth_due","id":7}'


def test_header_is_hmac_sha256_of_timestamp_dot_body() -> None:
    header = signature_header(SECRET, BODY, 1_767_225_600)
    expected = hmac.new(SECRET.encode(), b"1767225600." + BODY, hashlib.sha256).hexdigest()
    assert header == f"t=1767225600,v1={expected}"


def test_receiver_accepts_a_fresh_genuine_signature() -> None:
    header = signature_header(SECRET, BODY, 1_000)
    assert verify_signature(SECRET, header, BODY, now=1_000 + 299)


def test_receiver_refuses_tampering_wrong_secret_staleness_and_garbage() -> None:
    header = signature_header(SECRET, BODY, 1_000)
    assert not verify_signature(SECRET, header, BODY.replace(b"7", b"8"), now=1_000)
    assert not verify_signature("another-secret", header, BODY, now=1_000)
    assert not verify_signature(SECRET, header, BODY, now=1_000 + 301)
    assert not verify_signature(SECRET, "v1=abc", BODY, now=1_000)
    assert not verify_signature(SECRET, header.replace("t=1000", "t=1001"), BODY, now=1_000)
