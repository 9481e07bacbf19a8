"""Lists and their members: `/api/v1/lists`."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status

from phonebank.auth.dependencies import DbSession, require
from phonebank.auth.scopes import Scope
from phonebank.auth.service import Principal
from phonebank.kit.pagination import Page, PageParams, build_page, page_params
from phonebank.lists import service
from phonebank.lists.schemas import ItemsAdded, ItemsToAdd, ListCreate, ListOut, ListUpdate
from phonebank.people.schemas import PersonOut

router = APIRouter(prefix="/lists", tags=["lists"])
Reader = Annotated[Principal, Depends(require(Scope.PEOPLE_READ))]
Writer = Annotated[Principal, Depends(require(Scope.PEOPLE_WRITE))]
Paging = Annotated[PageParams, Depends(page_params)]


@router.get("", response_model=Page[ListOut])
async def list_lists(
    request: Request,
    principal: Reader,
    session: DbSession,
    params: Paging,
    name: Annotated[str | None, Query(description="Exact list name.")] = None,
) -> Page[ListOut]:
    """List lists, newest first, optionally only those with a given name."""
    rows, total = await service.list_lists(
        session, organization_id=principal.organization_id, params=params, name=name
    )
    return build_page(request, params, rows, total, ListOut)


@router.post("", response_model=ListOut, status_code=status.HTTP_201_CREATED)
async def create_list(body: ListCreate, principal: Writer, session: DbSession) -> object:
    """Create an empty list."""
    return await service.create_list(session, organization_id=principal.organization_id, data=body)


@router.get("/{list_id}", response_model=ListOut)
async def get_list(list_id: uuid.UUID, principal: Reader, session: DbSession) -> object:
    """One list, with how many people are on it."""
    return await service.get_list(
        session, organization_id=principal.organization_id, list_id=list_id
    )


@router.patch("/{list_id}", response_model=ListOut)
async def update_list(
    list_id: uuid.UUID, body: ListUpdate, principal: Writer, session: DbSession
) -> object:
    """Rename or describe a list."""
    person_list = await service.get_list(
        session, organization_id=principal.organization_id, list_id=list_id
    )
    return await service.update_list(session, person_list=person_list, data=body)


@router.delete("/{list_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_list(list_id: uuid.UUID, principal: Writer, session: DbSession) -> Response:
    """Delete a list and its items; the people stay."""
    person_list = await service.get_list(
        session, organization_id=principal.organization_id, list_id=list_id
    )
    await service.delete_list(session, person_list=person_list)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{list_id}/items", response_model=Page[PersonOut])
async def list_items(
    request: Request, list_id: uuid.UUID, principal: Reader, session: DbSession, params: Paging
) -> Page[PersonOut]:
    """List the people on a list, most recently added first."""
    person_list = await service.get_list(
        session, organization_id=principal.organization_id, list_id=list_id
    )
    rows, total = await service.list_members(session, person_list=person_list, params=params)
    return build_page(request, params, rows, total, PersonOut)


@router.post("/{list_id}/items", response_model=ItemsAdded)
async def add_items(
    list_id: uuid.UUID, body: ItemsToAdd, principal: Writer, session: DbSession
) -> ItemsAdded:
    """Add many people at once, by id or everyone with a tag; people already on it are skipped."""
    person_list = await service.get_list(
        session, organization_id=principal.organization_id, list_id=list_id
    )
    return await service.add_items(
        session, person_list=person_list, person_ids=body.person_ids, tag_id=body.tag_id
    )


@router.delete("/{list_id}/items/{person_id}", status_code=status.HTTP_204_NO_CONTENT)
async def remove_item(
    list_id: uuid.UUID, person_id: uuid.UUID, principal: Writer, session: DbSession
) -> Response:
    """Take one person off a list."""
    person_list = await service.get_list(
        session, organization_id=principal.organization_id, list_id=list_id
    )
    await service.remove_person(session, person_list=person_list, person_id=person_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
