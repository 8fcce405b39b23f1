"""espqb rotate-keys: every stored token re-encrypted with the newest key, so old keys can go."""

from __future__ import annotations

from espqb.config import DEV_ENCRYPTION_KEY
from espqb.db import Database
from espqb.security.crypto import SecretBox, generate_key
from qb_sandbox.intuit import IntuitSandbox
from qbo_gateway.connection.key_rotation import rotate_token_encryption
from tests.qbo.connection.connection_support import connection_row, seed_connection


async def test_rotation_reencrypts_and_the_old_key_can_then_be_dropped(
    db: Database, box: SecretBox, sandbox: IntuitSandbox
) -> None:
    grant = await seed_connection(db, box, sandbox)  # `box` holds only DEV_ENCRYPTION_KEY
    await seed_connection(db, box, sandbox, company_id="globex")
    new_key = generate_key()
    rotating = SecretBox([new_key, DEV_ENCRYPTION_KEY])  # newest first, the old one still decrypts

    report = await rotate_token_encryption(db, rotating)
    assert (report.connections, report.rotated, report.already_current, report.unreadable) == (2, 4, 0, 0)

    new_only = SecretBox([new_key])
    row = await connection_row(db)
    assert row is not None and row.access_token_enc is not None and row.refresh_token_enc is not None
    assert new_only.decrypt(row.access_token_enc) == grant.access_token
    assert new_only.decrypt(row.refresh_token_enc) == grant.refresh_token

    again = await rotate_token_encryption(db, rotating)
    assert (again.rotated, again.already_current) == (0, 4)


async def test_tokens_under_an_unknown_key_are_reported_and_left_alone(
    db: Database, box: SecretBox, sandbox: IntuitSandbox
) -> None:
    await seed_connection(db, box, sandbox)
    before = await connection_row(db)
    report = await rotate_token_encryption(db, SecretBox([generate_key()]))
    assert (report.unreadable, report.rotated, report.complete) == (2, 0, False)
    after = await connection_row(db)
    assert before is not None and after is not None
    assert after.refresh_token_enc == before.refresh_token_enc
