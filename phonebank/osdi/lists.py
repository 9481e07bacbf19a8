"""OSDI lists and their items."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Response

from phonebank.auth.dependencies import DbSession, require
from phonebank.auth.scopes import Scope
from phonebank.auth.service import Principal
from phonebank.identifiers.service import forget_identifiers
from phonebank.lists import service
from phonebank.lists.models import PersonList
from phonebank.lists.schemas import ListCreate, ListUpdate
from phonebank.osdi import representations as show
from phonebank.osdi.hal import HalResponse, notice, validated
from phonebank.osdi.routing import (
    Listing,
    created,
    keep_identifiers,
    linked_person_id,
    shown_with_ids,
)
from phonebank.osdi.schemas import ListIn, MemberIn

router = APIRouter(prefix="/lists", tags=["OSDI lists"])
Reader = Annotated[Principal, Depends(require(Scope.PEOPLE_READ))]
Writer = Annotated[Principal, Depends(require(Scope.PEOPLE_WRITE))]
KIND = "list"
FIELDS = {"name", "title", "description", "summary", "origin_system"}


async def _shown(session: DbSession, person_list: PersonList) -> HalResponse:
    return await shown_with_ids(session, person_list, kind=KIND, shown=show.person_list)


@router.get("")
async def list_lists(principal: Reader, session: DbSession, listing: Listing) -> Response:
    """Lists, newest first; `filter` on name, modified_date, created_date."""
    found = await service.list_lists(
        session,
        organization_id=principal.organization_id,
        params=listing.params,
        condition=listing.condition,
    )
    return await listing.page_with_ids(session, "lists", found, kind=KIND, shown=show.person_list)


@router.post("")
async def create_list(body: ListIn, principal: Writer, session: DbSession) -> Response:
    """Create an empty list."""
    org_id = principal.organization_id
    data = validated(ListCreate, body.model_dump(include=FIELDS, exclude_unset=True))
    person_list = await service.create_list(session, organization_id=org_id, data=data)
    return await created(
        session,
        person_list,
        organization_id=org_id,
        kind=KIND,
        body=body,
        done="The list was created.",
        respond=_shown,
    )


@router.get("/{list_id}")
async def get_list(list_id: uuid.UUID, principal: Reader, session: DbSession) -> Response:
    """One list, with how many people are on it."""
    person_list = await service.get_list(
        session, organization_id=principal.organization_id, list_id=list_id
    )
    return await _shown(session, person_list)


@router.put("/{list_id}")
async def update_list(
    list_id: uuid.UUID, body: ListIn, principal: Writer, session: DbSession
) -> Response:
    """Change the fields sent."""
    org_id = principal.organization_id
    person_list = await service.get_list(session, organization_id=org_id, list_id=list_id)
    data = validated(ListUpdate, body.model_dump(include=FIELDS, exclude_unset=True))
    person_list = await service.update_list(session, person_list=person_list, data=data)
    await keep_identifiers(
        session, organization_id=org_id, kind=KIND, object_id=person_list.id, sent=body.identifiers
    )
    return await _shown(session, person_list)


@router.delete("/{list_id}")
async def delete_list(list_id: uuid.UUID, principal: Writer, session: DbSession) -> Response:
    """Delete a list and its items (the people stay)."""
    person_list = await service.get_list(
        session, organization_id=principal.organization_id, list_id=list_id
    )
    await service.delete_list(session, person_list=person_list)
    await forget_identifiers(session, kind=KIND, object_id=list_id)
    return notice("This list was successfully deleted.")


@router.get("/{list_id}/items")
async def list_items(
    list_id: uuid.UUID, principal: Reader, session: DbSession, listing: Listing
) -> Response:
    """The people on the list, as items, most recently added first."""
    org_id = principal.organization_id
    await service.get_list(session, organization_id=org_id, list_id=list_id)
    found = await service.list_items(
        session,
        organization_id=org_id,
        params=listing.params,
        list_id=list_id,
        condition=listing.condition,
    )
    return listing.page("items", found, show.item)


@router.post("/{list_id}/items")
async def create_item(
    list_id: uuid.UUID, body: MemberIn, principal: Writer, session: DbSession
) -> Response:
    """Put the person linked as `_links["osdi:person"].href` on the list."""
    org_id = principal.organization_id
    person_list = await service.get_list(session, organization_id=org_id, list_id=list_id)
    person_id = await linked_person_id(session, organization_id=org_id, body=body, purpose="add")
    item = await service.add_person(session, person_list=person_list, person_id=person_id)
    if not body.control.return_response:
        return notice("The person was added to the list.")
    return HalResponse(show.item(item))


@router.get("/{list_id}/items/{item_id}")
async def get_item(
    list_id: uuid.UUID, item_id: uuid.UUID, principal: Reader, session: DbSession
) -> Response:
    """One item."""
    item = await service.get_item(
        session, organization_id=principal.organization_id, list_id=list_id, item_id=item_id
    )
    return HalResponse(show.item(item))


@router.delete("/{list_id}/items/{item_id}")
async def delete_item(
    list_id: uuid.UUID, item_id: uuid.UUID, principal: Writer, session: DbSession
) -> Response:
    """Take the person off the list."""
    org_id = principal.organization_id
    person_list = await service.get_list(session, organization_id=org_id, list_id=list_id)
    item = await service.get_item(session, organization_id=org_id, list_id=list_id, item_id=item_id)
    await service.remove_person(session, person_list=person_list, person_id=item.person_id)
    return notice("This item was successfully deleted.")
