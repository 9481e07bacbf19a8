"""The caller's own organization."""

from typing import Annotated

from fastapi import APIRouter, Depends

from phonebank.auth.dependencies import CurrentPrincipal, DbSession, require
from phonebank.auth.scopes import Scope
from phonebank.auth.service import Principal
from phonebank.organizations import service
from phonebank.organizations.schemas import OrganizationOut, OrganizationUpdate

router = APIRouter(prefix="/organization", tags=["organization"])


@router.get("", response_model=OrganizationOut)
async def get_organization(principal: CurrentPrincipal, session: DbSession) -> object:
    """The organization this API key belongs to."""
    return await service.get_organization(session, principal.organization_id)


@router.patch("", response_model=OrganizationOut)
async def update_organization(
    body: OrganizationUpdate,
    principal: Annotated[Principal, Depends(require(Scope.ADMIN))],
    session: DbSession,
) -> object:
    """Change the organization's name or defaults (admin only)."""
    organization = await service.get_organization(session, principal.organization_id)
    return await service.update_organization(
        session, organization, changes=body.model_dump(exclude_unset=True)
    )
