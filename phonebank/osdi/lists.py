"""OSDI lists and their items."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from phonebank.auth.dependencies import DbSession, require
from phonebank.auth.scopes import Scope
from phonebank.auth.service import Principal
from phonebank.errors import Invalid, NotFound
from phonebank.identifiers.service import add_identifiers, forget_identifiers, identifiers_of
from phonebank.kit.filters import FilterExpr
from phonebank.kit.pagination import PageParams
from phonebank.lists import service
from phonebank.lists.models import PersonList
from phonebank.lists.schemas import ListCreate, ListUpdate
from phonebank.osdi import representations as show
from phonebank.osdi.hal import (
    HalResponse,
    collection,
    foreign_only,
    id_from_reference,
    notice,
    osdi_filter,
    osdi_page_params,
    validated,
)
from phonebank.osdi.schemas import ListIn, MemberIn
from phonebank.people.service import get_person

router = APIRouter(prefix="/lists", tags=["OSDI lists"])
Reader = Annotated[Principal, Depends(require(Scope.PEOPLE_READ))]
Writer = Annotated[Principal, Depends(require(Scope.PEOPLE_WRITE))]
Paging = Annotated[PageParams, Depends(osdi_page_params)]
Filter = Annotated[FilterExpr | None, Depends(osdi_filter)]
KIND = "list"
FIELDS = {"name", "title", "description", "summary", "origin_system"}


async def _shown(session: DbSession, person_list: PersonList) -> HalResponse:
    foreign = await identifiers_of(session, kind=KIND, object_ids=[person_list.id])
    return HalResponse(show.person_list(person_list, foreign.get(person_list.id, [])))


@router.get("")
async def list_lists(
    request: Request, principal: Reader, session: DbSession, params: Paging, condition: Filter
) -> Response:
    """Lists, newest first; `filter` on name, modified_date, created_date."""
    rows, total = await service.list_lists(
        session, organization_id=principal.organization_id, params=params, condition=condition
    )
    foreign = await identifiers_of(session, kind=KIND, object_ids=[row.id for row in rows])
    items = [show.person_list(row, foreign.get(row.id, [])) for row in rows]
    return HalResponse(collection(request, rel="lists", items=items, params=params, total=total))


@router.post("")
async def create_list(body: ListIn, principal: Writer, session: DbSession) -> Response:
    """Create an empty list."""
    org_id = principal.organization_id
    data = validated(ListCreate, body.model_dump(include=FIELDS, exclude_unset=True))
    person_list = await service.create_list(session, organization_id=org_id, data=data)
    await add_identifiers(
        session,
        organization_id=org_id,
        kind=KIND,
        object_id=person_list.id,
        identifiers=foreign_only(body.identifiers),
    )
    if not body.control.return_response:
        return notice("The list was created.")
    return await _shown(session, person_list)


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
    await add_identifiers(
        session,
        organization_id=org_id,
        kind=KIND,
        object_id=person_list.id,
        identifiers=foreign_only(body.identifiers),
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
    request: Request,
    list_id: uuid.UUID,
    principal: Reader,
    session: DbSession,
    params: Paging,
    condition: Filter,
) -> Response:
    """The people on the list, as items, most recently added first."""
    org_id = principal.organization_id
    await service.get_list(session, organization_id=org_id, list_id=list_id)
    rows, total = await service.list_items(
        session, organization_id=org_id, params=params, list_id=list_id, condition=condition
    )
    items = [show.item(row) for row in rows]
    return HalResponse(collection(request, rel="items", items=items, params=params, total=total))


@router.post("/{list_id}/items")
async def create_item(
    list_id: uuid.UUID, body: MemberIn, principal: Writer, session: DbSession
) -> Response:
    """Put the person linked as `_links["osdi:person"].href` on the list."""
    org_id = principal.organization_id
    person_list = await service.get_list(session, organization_id=org_id, list_id=list_id)
    person_href = body.link_href("osdi:person")
    if person_href is None:
        raise Invalid("link the person to add as `osdi:person`", field="_links.osdi:person")
    person_id = id_from_reference(person_href, collection="people", field="_links.osdi:person")
    try:
        await get_person(session, organization_id=org_id, person_id=person_id)
    except NotFound as error:
        raise Invalid(f"no person {person_id}", field="_links.osdi:person") from error
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
