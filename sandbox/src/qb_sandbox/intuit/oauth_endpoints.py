"""HTTP routes of Intuit's OAuth 2.0 / OpenID side
(docs/quickbooks-online.md §1.1–1.5), all under the sandbox's base URL.

- ``GET /.well-known/openid-configuration`` (also Intuit's ``openid_configuration`` and
  ``openid_sandbox_configuration`` spellings): endpoints pointing back at this app;
- ``GET /connect/oauth2``: the consent page; ``POST /connect/oauth2``: Connect or Cancel;
- ``POST /oauth2/v1/tokens/bearer``: ``authorization_code`` and ``refresh_token`` grants;
- ``POST /oauth2/v1/tokens/revoke`` and Intuit's ``/v2/oauth2/tokens/revoke``: ``{"token": …}``;
- ``GET /v1/openid_connect/userinfo``, ``GET /op/v1/jwks``.
"""

from __future__ import annotations

import asyncio
import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from .consent_page import consent_page, error_page
from .fault_injection import TOKEN_ENDPOINT
from .oauth_server import (
    ACCOUNTING_SCOPE,
    OPENID_SCOPES,
    AccessDenied,
    AuthorizeError,
    RedirectableError,
    TokenError,
)
from .sandbox import IntuitSandbox

HARD_EXPIRY_HEADER = "x-include-refresh-token-hard-expires-in"
# Token responses must not be cached (RFC 6749 §5.1); Intuit's security review asks the same of
# sensitive pages (docs/quickbooks-online.md §1.6).
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _sandbox(request: Request) -> IntuitSandbox:
    sandbox: IntuitSandbox = request.app.state.sandbox
    return sandbox


SandboxDep = Annotated[IntuitSandbox, Depends(_sandbox)]

router = APIRouter(tags=["Intuit OAuth 2.0"])


def _base_url(request: Request, sandbox: IntuitSandbox) -> str:
    return (sandbox.public_base_url or str(request.base_url)).rstrip("/")


@router.get("/.well-known/openid-configuration")
@router.get("/.well-known/openid_configuration")
@router.get("/.well-known/openid_sandbox_configuration")
async def discovery(request: Request, sandbox: SandboxDep) -> JSONResponse:
    base = _base_url(request, sandbox)
    return JSONResponse(
        {
            "issuer": f"{base}/op/v1",
            "authorization_endpoint": f"{base}/connect/oauth2",
            "token_endpoint": f"{base}/oauth2/v1/tokens/bearer",
            "userinfo_endpoint": f"{base}/v1/openid_connect/userinfo",
            # Intuit's revocation endpoint lives under /v2
            # (docs/quickbooks-online.md §1.1); /oauth2/v1/... is served too.
            "revocation_endpoint": f"{base}/v2/oauth2/tokens/revoke",
            "jwks_uri": f"{base}/op/v1/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile", "address", "phone"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "claims_supported": ["aud", "exp", "iat", "iss", "realmid", "sub"],
        }
    )


@router.get("/connect/oauth2", response_model=None)
async def authorize(
    request: Request,
    sandbox: SandboxDep,
    client_id: str | None = None,
    redirect_uri: str | None = None,
    response_type: str | None = None,
    scope: str | None = None,
    state: str | None = None,
) -> Response:
    try:
        pending = sandbox.oauth.begin_authorization(
            client_id=client_id,
            redirect_uri=redirect_uri,
            response_type=response_type,
            scope=scope,
            state=state,
        )
    except AuthorizeError as exc:
        return HTMLResponse(error_page(str(exc)), status_code=400, headers=_NO_STORE)
    except RedirectableError as exc:
        return RedirectResponse(exc.location(), status_code=302)
    companies = [(realm_id, company.name) for realm_id, company in sandbox.companies.items()]
    return HTMLResponse(consent_page(pending, companies), headers=_NO_STORE)


@router.post("/connect/oauth2", response_model=None)
async def answer_consent(
    sandbox: SandboxDep,
    request_id: Annotated[str, Form()],
    action: Annotated[str, Form()],
    realm_id: Annotated[str | None, Form()] = None,
) -> Response:
    try:
        if action == "cancel":
            location = sandbox.oauth.deny(request_id)
        elif action == "connect" and realm_id in sandbox.companies:
            location = sandbox.oauth.approve(request_id, realm_id)
        else:
            return HTMLResponse(error_page("Choose a company to connect"), status_code=400, headers=_NO_STORE)
    except AuthorizeError as exc:
        return HTMLResponse(error_page(str(exc)), status_code=400, headers=_NO_STORE)
    return RedirectResponse(location, status_code=302)


def _token_error(exc: TokenError) -> JSONResponse:
    headers = dict(_NO_STORE)
    if exc.http_status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="Intuit"'
    return JSONResponse(exc.as_json(), status_code=exc.http_status, headers=headers)


async def _injected_token_fault(sandbox: IntuitSandbox) -> JSONResponse | None:
    fault = sandbox.faults.next_fault(TOKEN_ENDPOINT, random_faults=False)
    if fault is None:
        return None
    if fault in ("timeout", "timeout_after_write"):
        await asyncio.sleep(sandbox.faults.settings.timeout_delay_s)
        return JSONResponse({"error": "temporarily_unavailable"}, status_code=504, headers=_NO_STORE)
    status = fault if isinstance(fault, int) else 500
    return JSONResponse({"error": "server_error"}, status_code=status, headers=_NO_STORE)


@router.post("/oauth2/v1/tokens/bearer")
async def token(request: Request, sandbox: SandboxDep) -> JSONResponse:
    injected = await _injected_token_fault(sandbox)
    if injected is not None:
        return injected
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return _token_error(
            TokenError("invalid_request", "The body must be application/x-www-form-urlencoded")
        )
    form = await request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    include_hard = request.headers.get(HARD_EXPIRY_HEADER, "").lower() == "true"
    try:
        client = sandbox.oauth.authenticate_client(
            request.headers.get("authorization"), fields.get("client_id"), fields.get("client_secret")
        )
        grant_type = fields.get("grant_type")
        if grant_type == "authorization_code":
            body = sandbox.oauth.exchange_code(
                client, fields.get("code"), fields.get("redirect_uri"), include_hard_expiry=include_hard
            )
        elif grant_type == "refresh_token":
            body = sandbox.oauth.refresh(
                client, fields.get("refresh_token"), include_hard_expiry=include_hard
            )
        else:
            raise TokenError("unsupported_grant_type", f"grant_type {grant_type!r} is not supported")
    except TokenError as exc:
        return _token_error(exc)
    return JSONResponse(body, headers=_NO_STORE)


@router.post("/oauth2/v1/tokens/revoke")
@router.post("/v2/oauth2/tokens/revoke")
async def revoke(request: Request, sandbox: SandboxDep) -> JSONResponse:
    try:
        client = sandbox.oauth.authenticate_client(request.headers.get("authorization"), None, None)
        try:
            payload: Any = json.loads(await request.body() or b"{}")
        except json.JSONDecodeError as exc:
            raise TokenError("invalid_request", 'The body must be JSON: {"token": ...}') from exc
        token_value = payload.get("token") if isinstance(payload, dict) else None
        sandbox.oauth.revoke(client, token_value)
    except TokenError as exc:
        return _token_error(exc)
    return JSONResponse({}, headers=_NO_STORE)


@router.get("/v1/openid_connect/userinfo")
async def userinfo(request: Request, sandbox: SandboxDep) -> JSONResponse:
    try:
        grant = sandbox.oauth.grant_for_access_token(request.headers.get("authorization"))
    except AccessDenied as exc:
        return JSONResponse({"error": "invalid_token", "error_description": str(exc)}, status_code=401)
    if not OPENID_SCOPES.intersection(grant.scopes):
        return JSONResponse(
            {"error": "insufficient_scope", "error_description": "openid scope required"}, status_code=403
        )
    return JSONResponse(
        {
            "sub": f"sandbox-user-{grant.realm_id}",
            "email": "sandbox.user@example.com",
            "emailVerified": True,
            "givenName": "Sandbox",
            "familyName": "User",
            "realmid": grant.realm_id,
            "scopes": " ".join(s for s in grant.scopes if s != ACCOUNTING_SCOPE),
        }
    )


@router.get("/op/v1/jwks")
async def jwks() -> JSONResponse:
    # No ID tokens are issued by this sandbox, so there are no signing keys to publish.
    return JSONResponse({"keys": []})
