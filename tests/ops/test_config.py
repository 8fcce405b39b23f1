"""Insecure development defaults are refused outside ENV=development."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from espqb.config import Settings
from espqb.security.crypto import generate_key


def test_production_refuses_development_secrets() -> None:
    with pytest.raises(ValidationError) as info:
        Settings(env="production")
    message = str(info.value)
    for name in (
        "ESP_JWT_SECRET",
        "ENCRYPTION_KEYS",
        "QBWC_PASSWORD_PEPPER",
        "NOTIFY_WEBHOOK_SECRET",
        "INTUIT_CLIENT_SECRET",
        "INTUIT_WEBHOOK_VERIFIER_TOKEN",
    ):
        assert name in message


def test_production_accepts_own_secrets() -> None:
    settings = Settings(
        env="production",
        esp_jwt_secret="a-real-secret-from-the-vault-0123456789abcdef",
        encryption_keys=generate_key(),
        qbwc_password_pepper="another-real-secret-0123456789",
        notify_webhook_secret="webhook-secret-0123456789",
        intuit_client_secret="intuit-secret-from-the-developer-portal",
        intuit_webhook_verifier_token="verifier-token-from-the-developer-portal",
    )
    assert settings.env == "production" and not settings.is_development


def test_development_defaults_to_sqlite_under_var() -> None:
    settings = Settings(env="development")
    assert settings.is_sqlite and "/var/" in settings.database_url


def test_every_setting_is_documented_in_the_readme() -> None:
    from espqb.config import REPO_ROOT

    readme = (REPO_ROOT / "README.md").read_text()
    missing = [
        str(f.validation_alias)
        for f in Settings.model_fields.values()
        if f"`{f.validation_alias}`" not in readme
    ]
    assert not missing, f"README's configuration table lacks: {missing}"


def test_desktop_bill_to_po_linking_is_a_setting() -> None:
    from qbwc_gateway.session.options import SessionOptions

    assert SessionOptions.from_settings(Settings(env="development")).link_bills_to_purchase_orders is False
    linked = Settings(env="development", qbwc_link_bills_to_purchase_orders=True)
    assert SessionOptions.from_settings(linked).link_bills_to_purchase_orders is True
