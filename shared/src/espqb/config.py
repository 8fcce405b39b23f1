"""Configuration, read once from the environment (and an optional `.env`).

Every setting is listed, with its default and when to change it, in README.md ("Configuration").
Secrets that have development defaults (the JWT secret, the encryption keys, the webhook secrets)
are refused at start-up unless ``ENV=development``: a production process never runs on a key that
is printed in this repository.
"""

from __future__ import annotations

import base64
import functools
import re
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[3]

# Development-only defaults. They are public (they are in this file), so they are refused
# outside ENV=development by `Settings._refuse_insecure_defaults`.
DEV_JWT_SECRET = "dev-only-jwt-secret-change-me-0123456789abcdef"
DEV_ENCRYPTION_KEY = base64.urlsafe_b64encode(b"dev-only-encryption-key-32bytes!").decode()
DEV_PASSWORD_PEPPER = "dev-only-qbwc-password-pepper"
DEV_NOTIFY_WEBHOOK_SECRET = "dev-only-notification-webhook-secret"

Environment = Literal["development", "test", "production"]

# Send-job queue: the settings' defaults, and what a queue function or `Worker` uses when its caller
# passes no value (tests, benchmarks). A process passes its `Settings` values explicitly: the
# library never reads the environment itself.
DEFAULT_JOB_LEASE_SECONDS = 60.0  # JOB_LEASE_SECONDS: how long a job stays claimed without a heartbeat
DEFAULT_JOB_MAX_ATTEMPTS = 8  # JOB_MAX_ATTEMPTS: attempts of a send before it fails for good
DEFAULT_JOB_BACKOFF_BASE_SECONDS = 2.0  # JOB_BACKOFF_BASE_SECONDS: the first retry's longest wait
DEFAULT_JOB_BACKOFF_MAX_SECONDS = 900.0  # JOB_BACKOFF_MAX_SECONDS: the cap of a retry's wait
DEFAULT_JOB_POLL_SECONDS = 1.0  # JOB_POLL_SECONDS: an idle worker looks for work at least this often
# WORKER_CONCURRENCY: sends one QBO worker process runs at once. Intuit's 10-at-once limit is the
# limiter's business whatever this is; a realm's sends need to be in flight together to share batch
# calls (docs/quickbooks-online.md §2.7a: about 200 orders/min with 10, 300-400 with 30 or more).
DEFAULT_WORKER_CONCURRENCY = 40


def _default_database_url() -> str:
    return f"sqlite+aiosqlite:///{REPO_ROOT / 'var' / 'espqb.sqlite3'}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", env_prefix="")

    env: Environment = Field(default="development", validation_alias="ENV")
    database_url: str = Field(default_factory=_default_database_url, validation_alias="DATABASE_URL")
    database_echo: bool = Field(default=False, validation_alias="DATABASE_ECHO")
    log_format: Literal["console", "json"] | None = Field(default=None, validation_alias="LOG_FORMAT")
    log_level: str = Field(default="INFO", validation_alias="LOG_LEVEL")

    # --- ESP front end authentication -------------------------------------------------------
    esp_jwt_secret: SecretStr = Field(default=SecretStr(DEV_JWT_SECRET), validation_alias="ESP_JWT_SECRET")
    esp_jwks_url: str | None = Field(default=None, validation_alias="ESP_JWKS_URL")
    esp_jwt_issuer: str | None = Field(default=None, validation_alias="ESP_JWT_ISSUER")
    esp_jwt_audience: str | None = Field(default=None, validation_alias="ESP_JWT_AUDIENCE")

    # --- Secrets at rest ----------------------------------------------------------------------
    # Comma-separated Fernet keys, newest first: the first encrypts, all decrypt (rotation).
    encryption_keys: SecretStr = Field(
        default=SecretStr(DEV_ENCRYPTION_KEY), validation_alias="ENCRYPTION_KEYS"
    )

    # --- HTTP ---------------------------------------------------------------------------------
    max_request_bytes: int = Field(default=1_000_000, validation_alias="MAX_REQUEST_BYTES")
    qbo_public_url: str = Field(default="http://localhost:8001", validation_alias="QBO_PUBLIC_URL")
    qbwc_public_url: str = Field(default="http://localhost:8002", validation_alias="QBWC_PUBLIC_URL")
    # Prometheus metrics: on an internal port of their own (never published), and/or on the public
    # port's /metrics for requests carrying the token. Neither set: no metrics are served.
    metrics_port: int = Field(default=0, ge=0, le=65535, validation_alias="METRICS_PORT")
    metrics_token: SecretStr | None = Field(default=None, validation_alias="METRICS_TOKEN")
    # Browser origins allowed to call the JSON API (ESP's front ends), comma-separated, e.g.
    # "https://app.esp.example,https://console.esp.example"; empty: no cross-origin access.
    cors_allowed_origins: str = Field(default="", validation_alias="CORS_ALLOWED_ORIGINS")

    # --- Send-job queue -----------------------------------------------------------------------
    job_lease_seconds: float = Field(default=DEFAULT_JOB_LEASE_SECONDS, validation_alias="JOB_LEASE_SECONDS")
    job_max_attempts: int = Field(default=DEFAULT_JOB_MAX_ATTEMPTS, validation_alias="JOB_MAX_ATTEMPTS")
    job_backoff_base_seconds: float = Field(
        default=DEFAULT_JOB_BACKOFF_BASE_SECONDS, validation_alias="JOB_BACKOFF_BASE_SECONDS"
    )
    job_backoff_max_seconds: float = Field(
        default=DEFAULT_JOB_BACKOFF_MAX_SECONDS, validation_alias="JOB_BACKOFF_MAX_SECONDS"
    )
    job_poll_seconds: float = Field(default=DEFAULT_JOB_POLL_SECONDS, validation_alias="JOB_POLL_SECONDS")
    run_worker_in_process: bool = Field(default=True, validation_alias="RUN_WORKER_IN_PROCESS")
    worker_concurrency: int = Field(
        default=DEFAULT_WORKER_CONCURRENCY, ge=1, validation_alias="WORKER_CONCURRENCY"
    )

    # --- Notifications outbox -----------------------------------------------------------------
    notify_webhook_url: str | None = Field(default=None, validation_alias="NOTIFY_WEBHOOK_URL")
    notify_webhook_secret: SecretStr = Field(
        default=SecretStr(DEV_NOTIFY_WEBHOOK_SECRET), validation_alias="NOTIFY_WEBHOOK_SECRET"
    )
    smtp_host: str | None = Field(default=None, validation_alias="SMTP_HOST")
    smtp_port: int = Field(default=25, validation_alias="SMTP_PORT")
    smtp_username: str | None = Field(default=None, validation_alias="SMTP_USERNAME")
    smtp_password: SecretStr | None = Field(default=None, validation_alias="SMTP_PASSWORD")
    smtp_starttls: bool = Field(default=False, validation_alias="SMTP_STARTTLS")
    smtp_from: str = Field(
        default="QuickBooks integration <no-reply@localhost>", validation_alias="SMTP_FROM"
    )

    # --- QuickBooks Online --------------------------------------------------------------------
    intuit_client_id: str = Field(default="dev-client", validation_alias="INTUIT_CLIENT_ID")
    intuit_client_secret: SecretStr = Field(
        default=SecretStr("dev-secret"), validation_alias="INTUIT_CLIENT_SECRET"
    )
    intuit_redirect_uri: str = Field(
        default="http://localhost:8001/v1/qbo/callback", validation_alias="INTUIT_REDIRECT_URI"
    )
    # Discovery document. The default is the local Intuit sandbox's; Intuit's own are
    # https://developer.intuit.com/.well-known/openid_configuration/ (production) and
    # https://developer.intuit.com/.well-known/openid_sandbox_configuration/ (Intuit's sandbox companies).
    intuit_discovery_url: str = Field(
        default="http://127.0.0.1:8003/.well-known/openid-configuration",
        validation_alias="INTUIT_DISCOVERY_URL",
    )
    intuit_api_base_url: str = Field(default="http://127.0.0.1:8003", validation_alias="INTUIT_API_BASE_URL")
    intuit_webhook_verifier_token: SecretStr = Field(
        default=SecretStr("dev-verifier-token"), validation_alias="INTUIT_WEBHOOK_VERIFIER_TOKEN"
    )
    # Where QuickBooks Online shows a record to a person (the jobs' links); left out, chosen from
    # INTUIT_API_BASE_URL (espqb.jobs.links).
    qbo_app_url: str | None = Field(default=None, validation_alias="QBO_APP_URL")
    qbo_minor_version: int = Field(default=75, validation_alias="QBO_MINOR_VERSION")
    reauth_policy_days: int = Field(default=180, validation_alias="REAUTH_POLICY_DAYS")
    reauth_notice_days: int = Field(default=7, validation_alias="REAUTH_NOTICE_DAYS")

    # --- QuickBooks Desktop / Web Connector ---------------------------------------------------
    qbwc_password_pepper: SecretStr = Field(
        default=SecretStr(DEV_PASSWORD_PEPPER), validation_alias="QBWC_PASSWORD_PEPPER"
    )
    qbwc_run_every_minutes: int = Field(default=15, validation_alias="QBWC_RUN_EVERY_MINUTES")
    qbwc_min_client_version: str = Field(default="2.1.0.30", validation_alias="QBWC_MIN_CLIENT_VERSION")
    qbwc_ticket_ttl_seconds: int = Field(default=1800, validation_alias="QBWC_TICKET_TTL_SECONDS")
    qbwc_max_message_bytes: int = Field(default=2_000_000, validation_alias="QBWC_MAX_MESSAGE_BYTES")
    qbwc_link_bills_to_purchase_orders: bool = Field(
        default=False, validation_alias="QBWC_LINK_BILLS_TO_PURCHASE_ORDERS"
    )
    qbwc_max_soap_body_bytes: int = Field(default=10_000_000, validation_alias="QBWC_MAX_SOAP_BODY_BYTES")

    @property
    def is_development(self) -> bool:
        return self.env == "development"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def cors_origins(self) -> list[str]:
        return [o.strip().rstrip("/") for o in self.cors_allowed_origins.split(",") if o.strip()]

    @model_validator(mode="after")
    def _origins_are_origins(self) -> Settings:
        for origin in self.cors_origins:
            if not _ORIGIN.fullmatch(origin):
                raise ValueError(
                    f"CORS_ALLOWED_ORIGINS: “{origin}” is not an origin; give each as scheme://host[:port], "
                    "e.g. https://app.esp.example (an allow-list: no wildcard, no path)"
                )
        return self

    @model_validator(mode="after")
    def _refuse_insecure_defaults(self) -> Settings:
        if self.env == "development":
            return self
        insecure = []
        if self.esp_jwt_secret.get_secret_value() == DEV_JWT_SECRET and not self.esp_jwks_url:
            insecure.append("ESP_JWT_SECRET")
        if DEV_ENCRYPTION_KEY in self.encryption_keys.get_secret_value().split(","):
            insecure.append("ENCRYPTION_KEYS")
        if self.qbwc_password_pepper.get_secret_value() == DEV_PASSWORD_PEPPER:
            insecure.append("QBWC_PASSWORD_PEPPER")
        if self.notify_webhook_secret.get_secret_value() == DEV_NOTIFY_WEBHOOK_SECRET:
            insecure.append("NOTIFY_WEBHOOK_SECRET")
        if self.intuit_client_secret.get_secret_value() == "dev-secret":
            insecure.append("INTUIT_CLIENT_SECRET")
        if self.intuit_webhook_verifier_token.get_secret_value() == "dev-verifier-token":
            insecure.append("INTUIT_WEBHOOK_VERIFIER_TOKEN")
        if insecure:
            raise ValueError(
                f"ENV={self.env} refuses the development defaults of {', '.join(insecure)}; "
                "set them to your own secret values (see README, Configuration)"
            )
        return self


_ORIGIN = re.compile(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?")


@functools.lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
