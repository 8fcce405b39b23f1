from __future__ import annotations

import pytest

from qb_sandbox.desktop import CompanyFile
from tests.sandbox.desktop.qbd_messages import TickingClock


@pytest.fixture
def clock() -> TickingClock:
    return TickingClock()


@pytest.fixture
def company(clock: TickingClock) -> CompanyFile:
    """A demo company: chart of accounts, sales tax on (Tax/Non codes, "State Sales Tax" 8.25%)."""
    return CompanyFile(clock=clock, seed_demo=True)


@pytest.fixture
def empty_company(clock: TickingClock) -> CompanyFile:
    """A brand-new company file with nothing in it."""
    return CompanyFile(clock=clock)
