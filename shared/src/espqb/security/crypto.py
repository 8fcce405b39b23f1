"""Encryption of secrets at rest (OAuth tokens) with Fernet, with key rotation.

ENCRYPTION_KEYS holds comma-separated Fernet keys, newest first. The newest encrypts; every listed
key decrypts, so a new key can be deployed first and `espqb rotate-keys` re-encrypts old rows.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class SecretBox:
    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise ValueError("at least one encryption key is required (ENCRYPTION_KEYS)")
        try:
            self._fernets = [Fernet(k.strip().encode()) for k in keys]
        except (ValueError, TypeError) as exc:
            raise ValueError(
                "ENCRYPTION_KEYS must be url-safe base64 Fernet keys (make one with `espqb generate-key`)"
            ) from exc
        self._multi = MultiFernet(self._fernets)

    @classmethod
    def from_setting(cls, value: str) -> SecretBox:
        return cls([k for k in value.split(",") if k.strip()])

    def encrypt(self, plaintext: str) -> bytes:
        return self._multi.encrypt(plaintext.encode())

    def decrypt(self, ciphertext: bytes) -> str:
        try:
            return self._multi.decrypt(ciphertext).decode()
        except InvalidToken as exc:
            raise ValueError("a stored secret cannot be decrypted with the configured keys") from exc

    def rotate(self, ciphertext: bytes) -> bytes:
        """Re-encrypt with the newest key (a no-op in meaning, a change in bytes)."""
        return self._multi.rotate(ciphertext)

    def is_current(self, ciphertext: bytes) -> bool:
        try:
            self._fernets[0].decrypt(ciphertext)
        except InvalidToken:
            return False
        return True


def generate_key() -> str:
    return Fernet.generate_key().decode()
