"""The example files the README uses stay in step with the code."""

from __future__ import annotations

import json

from espqb.config import REPO_ROOT
from espqb.integration.schemas import SettingsBody
from espqb.orders import a7102_request
from espqb.orders.request import SendRequest


def test_a7102_send_file_is_the_a7102_example() -> None:
    data = json.loads((REPO_ROOT / "examples" / "a7102-send.json").read_text())
    assert SendRequest.model_validate(data) == a7102_request()
    assert data["order"]["total"] == "218.50"


def test_settings_examples_are_valid_settings() -> None:
    for name in ("settings-qbo-sandbox.json", "settings-qbd-sandbox.json"):
        body = SettingsBody.model_validate_json((REPO_ROOT / "examples" / name).read_text())
        assert body.default_accounts.cogs is not None and body.default_accounts.income is not None
