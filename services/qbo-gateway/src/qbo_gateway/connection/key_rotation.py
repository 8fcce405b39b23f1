"""Re-encrypting every stored QuickBooks Online token with the newest key (`espqb rotate-keys`).

The rotation procedure (ENCRYPTION_KEYS is newest first, every listed key decrypts; espqb.security.crypto):
put a new key first and keep the old ones after it, deploy, run `espqb rotate-keys`, then the old
keys can be removed. Rows are locked while they are rewritten so a token refresh happening at the
same moment cannot be overwritten with an older ciphertext.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.fernet import InvalidToken

from espqb.db import Database
from espqb.security.crypto import SecretBox
from qbo_gateway.connection import repository


@dataclass
class RotationReport:
    connections: int = 0
    rotated: int = 0  # ciphertexts re-encrypted with the newest key
    already_current: int = 0
    unreadable: int = 0  # encrypted with no key that is configured: left as they are

    @property
    def complete(self) -> bool:
        """Every stored token now decrypts with the newest key alone."""
        return self.unreadable == 0


async def rotate_token_encryption(db: Database, box: SecretBox) -> RotationReport:
    report = RotationReport()
    async with db.transaction() as session:
        for row in await repository.all_locked(session):
            report.connections += 1
            for column in ("access_token_enc", "refresh_token_enc"):
                ciphertext: bytes | None = getattr(row, column)
                if ciphertext is None:
                    continue
                if box.is_current(ciphertext):
                    report.already_current += 1
                    continue
                try:
                    setattr(row, column, box.rotate(ciphertext))
                except InvalidToken:  # no configured key opens it
                    report.unreadable += 1
                    continue
                report.rotated += 1
        await session.flush()
    return report
