"""HTTP only: Admin → Integrations and the settings tabs."""

from __future__ import annotations

from fastapi import APIRouter

from espqb.api.deps import AdminDep, ContextDep, PrincipalDep, SessionDep
from espqb.api.errors import V1_PROBLEMS
from espqb.integration import repository, service
from espqb.integration.schemas import InstallRequest, IntegrationOut, SettingsBody, SettingsOut

router = APIRouter(prefix="/v1", tags=["integration"], responses=V1_PROBLEMS)


@router.get("/integration", summary="The company's QuickBooks integration")
async def get_integration(session: SessionDep, principal: PrincipalDep) -> IntegrationOut:
    """Which QuickBooks product is installed (if any), since when, and what to do next."""
    return service.integration_out(await repository.get_integration(session, principal.company_id))


@router.post("/integration/install", summary="Install QuickBooks Online or Desktop (admins)")
async def install(body: InstallRequest, session: SessionDep, principal: AdminDep) -> IntegrationOut:
    """Admin → Integrations → choose QuickBooks Online or QuickBooks Desktop → Install.
    Installing the product that is already installed changes nothing; installing the other one
    while one is installed is refused (409): uninstall first."""
    row = await service.install(session, principal.company_id, body.product, principal.user_id)
    return service.integration_out(row)


@router.post("/integration/uninstall", summary="Uninstall the integration (admins)")
async def uninstall(session: SessionDep, principal: AdminDep, ctx: ContextDep) -> IntegrationOut:
    """Uninstall. For QuickBooks Online the tokens are revoked at Intuit and deleted. Mappings are
    kept, so re-installing later does not duplicate what was already sent."""
    row = await service.uninstall(session, principal.company_id, principal.user_id, ctx.uninstall_hooks)
    return service.integration_out(row)


@router.get("/settings", summary="The settings tabs (Details, Accounts)")
async def get_settings(session: SessionDep, principal: PrincipalDep) -> SettingsOut:
    return await service.read_settings(session, principal.company_id)


@router.put("/settings", summary="Change the settings (admins)")
async def put_settings(body: SettingsBody, session: SessionDep, principal: AdminDep) -> SettingsOut:
    """Replaces the Details and Accounts tabs as a whole (fields left out take their defaults)."""
    return await service.update_settings(session, principal.company_id, body, principal.user_id)
