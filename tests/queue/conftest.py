from __future__ import annotations

import pytest

from espqb.db import Database
from espqb.db.models import Company


@pytest.fixture
async def company_id(db: Database) -> str:
    async with db.transaction() as session:
        session.add(Company(id="acme", name="Acme Promotions"))
    return "acme"


@pytest.fixture
def payload() -> dict[str, object]:
    return {"order_number": "A7102", "send_invoice": True, "customer": {"create_new": True}, "suppliers": []}
