"""The same order reads the same on both products: sent to QuickBooks Online (through the Intuit
sandbox) and to QuickBooks Desktop (through the Web Connector simulator), its job's timeline carries
the same sentence for each event. Only the product's name and QuickBooks' ids differ."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from espqb.db import Database
from espqb.orders import a7102_request
from tests.conftest import truncate_all
from tests.qbo.sending.harness import send_harness
from tests.qbwc.harness import a7102, office

_PRODUCT = re.compile(r"QuickBooks (Online|Desktop)")
_ID = re.compile(r"\((Id|ListID|TxnID) [^)]+\)")


def _normalised(summary: str | None) -> str:
    """The sentence with exactly the two things that may differ replaced: the product, the ids."""
    assert summary, "every settled step says what happened"
    return _ID.sub("(<id>)", _PRODUCT.sub("QuickBooks <product>", summary))


def _emptied(database_url: str, request: pytest.FixtureRequest) -> None:
    """The test database as a fresh migration leaves it: each product starts from nothing."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        shutil.copyfile(template, str(url.database))
    else:
        truncate_all(database_url)


async def _online(database_url: str, number: str) -> dict[str, str | None]:
    """The timeline of order ``number`` sent to QuickBooks Online after the A7102 order 10245."""
    db = Database.from_url(database_url)
    try:
        async with send_harness(db) as world:
            for each in dict.fromkeys(["10245", number]):
                request = a7102_request()
                order = request.order.model_copy(update={"order_number": each})
                job = await world.send(request.model_copy(update={"order": order}))
                assert job.status == "succeeded", job.last_error
            return {key: step.summary for key, step in (await world.steps(job.id)).items()}
    finally:
        await db.dispose()


async def _desktop(database_url: str, number: str) -> dict[str, str | None]:
    """The same, sent to QuickBooks Desktop through the Web Connector."""
    async with office(database_url) as desk:
        for each in dict.fromkeys(["10245", number]):
            sent = await desk.send(a7102(each))
            await desk.update()
            finished = await desk.job(sent["id"])
            assert finished["status"] == "succeeded", finished["last_error"]
    return {step["key"]: step["summary"] for step in finished["steps"]}


@pytest.mark.parametrize(
    "number",
    [
        pytest.param("10245", id="first-order-creates-everything"),
        pytest.param("10246", id="second-order-links-customer-vendor-item"),
    ],
)
async def test_the_a7102_timeline_reads_the_same_on_both_products(
    database_url: str, request: pytest.FixtureRequest, number: str
) -> None:
    online = await _online(database_url, number)
    _emptied(database_url, request)
    desktop = await _desktop(database_url, number)

    # Desktop also writes its subtotal and discount items (QuickBooks Online has a discount line
    # instead); every other step is on both timelines, and each reads the same.
    assert set(desktop) - set(online) == {"item:special:subtotal", "item:special:discount"}
    assert set(online) <= set(desktop)
    for key in online:
        assert _normalised(online[key]) == _normalised(desktop[key]), key
    # The sentences name each product, and the comparison is not between two empty timelines.
    assert "QuickBooks Online" in online["invoice"] and "QuickBooks Desktop" in desktop["invoice"]
    assert (
        _normalised(online["invoice"])
        == f"Invoice {number} for 218.50 created in QuickBooks <product> (<id>)"
    )
    if number != "10245":
        assert _normalised(online["customer"]).startswith(
            "Linked to the QuickBooks <product> customer “Lakeside Dental Group” (<id>)"
        )
