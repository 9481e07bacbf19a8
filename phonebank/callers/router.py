"""Callers and caller groups: `/api/v1/callers`, `/api/v1/caller_groups`."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status

from phonebank.auth.dependencies import DbSession, require
from phonebank.auth.scopes import Scope
from phonebank.auth.service import Principal
from phonebank.callers import service
from phonebank.callers.schemas import (
    CallerCreate,
    CallerGroupCreate,
    CallerGroupOut,
    CallerGroupUpdate,
    CallerOut,
    CallerUpdate,
)
from phonebank.kit.pagination import Page, PageParams, build_page, page_params
from phonebank.organizations.service import get_organization

# No prefix: this one router serves both `/callers` and `/caller_groups`.
router = APIRouter(tags=["callers"])
Reader = Annotated[Principal, Depends(require(Scope.CALLERS_READ))]
Writer = Annotated[Principal, Depends(require(Scope.CALLERS_WRITE))]


@router.get("/caller_groups", response_model=Page[CallerGroupOut])
async def list_caller_groups(
    request: Request,
    principal: Reader,
    session: DbSession,
    params: Annotated[PageParams, Depends(page_params)],
) -> Page[CallerGroupOut]:
    """List caller groups, by name."""
    rows, total = await service.list_caller_groups(
        session, organization_id=principal.organization_id, params=params
    )
    return build_page(request, params, rows, total, CallerGroupOut)


@router.post("/caller_groups", response_model=CallerGroupOut, status_code=status.HTTP_201_CREATED)
async def create_caller_group(
    body: CallerGroupCreate, principal: Writer, session: DbSession
) -> object:
    """Create a caller group; its name must be unique in the organization."""
    return await service.create_caller_group(
        session, organization_id=principal.organization_id, data=body
    )


@router.get("/caller_groups/{group_id}", response_model=CallerGroupOut)
async def get_caller_group(group_id: uuid.UUID, principal: Reader, session: DbSession) -> object:
    """One caller group."""
    return await service.get_caller_group(
        session, organization_id=principal.organization_id, group_id=group_id
    )


@router.patch("/caller_groups/{group_id}", response_model=CallerGroupOut)
async def update_caller_group(
    group_id: uuid.UUID, body: CallerGroupUpdate, principal: Writer, session: DbSession
) -> object:
    """Rename or describe a caller group."""
    group = await service.get_caller_group(
        session, organization_id=principal.organization_id, group_id=group_id
    )
    return await service.update_caller_group(session, group=group, data=body)


@router.delete("/caller_groups/{group_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_caller_group(
    group_id: uuid.UUID, principal: Writer, session: DbSession
) -> Response:
    """Delete a caller group; its callers and campaigns are left without a group."""
    group = await service.get_caller_group(
        session, organization_id=principal.organization_id, group_id=group_id
    )
    await service.delete_caller_group(session, group=group)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/callers", response_model=Page[CallerOut])
async def list_callers(
    request: Request,
    principal: Reader,
    session: DbSession,
    params: Annotated[PageParams, Depends(page_params)],
    caller_group_id: Annotated[uuid.UUID | None, Query(description="Only this group.")] = None,
    active: Annotated[bool | None, Query(description="Only active or inactive callers.")] = None,
    q: Annotated[str | None, Query(description="Part of a name or email address.")] = None,
) -> Page[CallerOut]:
    """List callers, by name, filtered by group, activity or name / email."""
    rows, total = await service.list_callers(
        session,
        organization_id=principal.organization_id,
        params=params,
        caller_group_id=caller_group_id,
        active=active,
        query=q,
    )
    return build_page(request, params, rows, total, CallerOut)


@router.post("/callers", response_model=CallerOut, status_code=status.HTTP_201_CREATED)
async def create_caller(body: CallerCreate, principal: Writer, session: DbSession) -> object:
    """Create a caller; the password and PIN are stored hashed and never shown."""
    organization = await get_organization(session, principal.organization_id)
    return await service.create_caller(session, organization=organization, data=body)


@router.get("/callers/{caller_id}", response_model=CallerOut)
async def get_caller(caller_id: uuid.UUID, principal: Reader, session: DbSession) -> object:
    """One caller."""
    return await service.get_caller(
        session, organization_id=principal.organization_id, caller_id=caller_id
    )


@router.patch("/callers/{caller_id}", response_model=CallerOut)
async def update_caller(
    caller_id: uuid.UUID, body: CallerUpdate, principal: Writer, session: DbSession
) -> object:
    """Change a caller; a null `password` or `pin` removes it."""
    organization = await get_organization(session, principal.organization_id)
    caller = await service.get_caller(session, organization_id=organization.id, caller_id=caller_id)
    return await service.update_caller(session, organization=organization, caller=caller, data=body)


@router.delete("/callers/{caller_id}", response_model=CallerOut)
async def deactivate_caller(caller_id: uuid.UUID, principal: Writer, session: DbSession) -> object:
    """Deactivate a caller (never a hard delete: sessions and attempts keep it); 200 with it."""
    caller = await service.get_caller(
        session, organization_id=principal.organization_id, caller_id=caller_id
    )
    return await service.deactivate_caller(session, caller=caller)
