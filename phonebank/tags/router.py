"""Tags and taggings: `/api/v1/tags`."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status

from phonebank.auth.dependencies import DbSession, require
from phonebank.auth.scopes import Scope
from phonebank.auth.service import Principal
from phonebank.kit.pagination import Page, PageParams, build_page, page_params
from phonebank.people.schemas import PersonOut
from phonebank.tags import service
from phonebank.tags.schemas import PeopleToTag, TagCreate, TaggingsAdded, TagOut, TagUpdate

router = APIRouter(prefix="/tags", tags=["tags"])
Reader = Annotated[Principal, Depends(require(Scope.PEOPLE_READ))]
Writer = Annotated[Principal, Depends(require(Scope.PEOPLE_WRITE))]
Paging = Annotated[PageParams, Depends(page_params)]


@router.get("", response_model=Page[TagOut])
async def list_tags(
    request: Request,
    principal: Reader,
    session: DbSession,
    params: Paging,
    name: Annotated[str | None, Query(description="Exact tag name.")] = None,
) -> Page[TagOut]:
    """List tags by name, optionally only the one with a given name."""
    rows, total = await service.list_tags(
        session, organization_id=principal.organization_id, params=params, name=name
    )
    return build_page(request, params, rows, total, TagOut)


@router.post("", response_model=TagOut, status_code=status.HTTP_201_CREATED)
async def create_tag(body: TagCreate, principal: Writer, session: DbSession) -> object:
    """Create a tag; its name must be new in the organization."""
    return await service.create_tag(session, organization_id=principal.organization_id, data=body)


@router.get("/{tag_id}", response_model=TagOut)
async def get_tag(tag_id: uuid.UUID, principal: Reader, session: DbSession) -> object:
    """One tag."""
    return await service.get_tag(session, organization_id=principal.organization_id, tag_id=tag_id)


@router.patch("/{tag_id}", response_model=TagOut)
async def update_tag(
    tag_id: uuid.UUID, body: TagUpdate, principal: Writer, session: DbSession
) -> object:
    """Rename or describe a tag."""
    tag = await service.get_tag(session, organization_id=principal.organization_id, tag_id=tag_id)
    return await service.update_tag(session, tag=tag, data=body)


@router.delete("/{tag_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_tag(tag_id: uuid.UUID, principal: Writer, session: DbSession) -> Response:
    """Delete a tag and its taggings; the people stay."""
    tag = await service.get_tag(session, organization_id=principal.organization_id, tag_id=tag_id)
    await service.delete_tag(session, tag=tag)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{tag_id}/people", response_model=Page[PersonOut])
async def list_tagged_people(
    request: Request, tag_id: uuid.UUID, principal: Reader, session: DbSession, params: Paging
) -> Page[PersonOut]:
    """List the people carrying a tag, most recently tagged first."""
    tag = await service.get_tag(session, organization_id=principal.organization_id, tag_id=tag_id)
    rows, total = await service.list_tagged_people(session, tag=tag, params=params)
    return build_page(request, params, rows, total, PersonOut)


@router.post("/{tag_id}/people", response_model=TaggingsAdded)
async def tag_people(
    tag_id: uuid.UUID, body: PeopleToTag, principal: Writer, session: DbSession
) -> TaggingsAdded:
    """Tag many people at once; people already tagged are skipped and counted."""
    tag = await service.get_tag(session, organization_id=principal.organization_id, tag_id=tag_id)
    return await service.tag_people(session, tag=tag, person_ids=body.person_ids)


@router.delete("/{tag_id}/people/{person_id}", status_code=status.HTTP_204_NO_CONTENT)
async def untag_person(
    tag_id: uuid.UUID, person_id: uuid.UUID, principal: Writer, session: DbSession
) -> Response:
    """Remove a tag from one person."""
    tag = await service.get_tag(session, organization_id=principal.organization_id, tag_id=tag_id)
    await service.untag_person(session, tag=tag, person_id=person_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
