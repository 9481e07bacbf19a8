"""OSDI tags and taggings."""

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
from phonebank.osdi.schemas import MemberIn, TagIn
from phonebank.people.service import get_person
from phonebank.tags import service
from phonebank.tags.models import Tag
from phonebank.tags.schemas import TagCreate, TagUpdate

router = APIRouter(prefix="/tags", tags=["OSDI tags"])
Reader = Annotated[Principal, Depends(require(Scope.PEOPLE_READ))]
Writer = Annotated[Principal, Depends(require(Scope.PEOPLE_WRITE))]
Paging = Annotated[PageParams, Depends(osdi_page_params)]
Filter = Annotated[FilterExpr | None, Depends(osdi_filter)]
KIND = "tag"


async def _shown(session: DbSession, tag: Tag) -> HalResponse:
    foreign = await identifiers_of(session, kind=KIND, object_ids=[tag.id])
    return HalResponse(show.tag(tag, foreign.get(tag.id, [])))


@router.get("")
async def list_tags(
    request: Request, principal: Reader, session: DbSession, params: Paging, condition: Filter
) -> Response:
    """Tags by name; `filter` on name, modified_date, created_date."""
    rows, total = await service.list_tags(
        session, organization_id=principal.organization_id, params=params, condition=condition
    )
    foreign = await identifiers_of(session, kind=KIND, object_ids=[row.id for row in rows])
    items = [show.tag(row, foreign.get(row.id, [])) for row in rows]
    return HalResponse(collection(request, rel="tags", items=items, params=params, total=total))


@router.post("")
async def create_tag(body: TagIn, principal: Writer, session: DbSession) -> Response:
    """Create a tag; its name must be new in the organization."""
    data = validated(TagCreate, body.model_dump(include={"name", "description", "origin_system"}))
    org_id = principal.organization_id
    tag = await service.create_tag(session, organization_id=org_id, data=data)
    await add_identifiers(
        session,
        organization_id=org_id,
        kind=KIND,
        object_id=tag.id,
        identifiers=foreign_only(body.identifiers),
    )
    if not body.control.return_response:
        return notice("The tag was created.")
    return await _shown(session, tag)


@router.get("/{tag_id}")
async def get_tag(tag_id: uuid.UUID, principal: Reader, session: DbSession) -> Response:
    """One tag."""
    tag = await service.get_tag(session, organization_id=principal.organization_id, tag_id=tag_id)
    return await _shown(session, tag)


@router.put("/{tag_id}")
async def update_tag(
    tag_id: uuid.UUID, body: TagIn, principal: Writer, session: DbSession
) -> Response:
    """Change the fields sent."""
    org_id = principal.organization_id
    tag = await service.get_tag(session, organization_id=org_id, tag_id=tag_id)
    changes = body.model_dump(include={"name", "description", "origin_system"}, exclude_unset=True)
    tag = await service.update_tag(session, tag=tag, data=validated(TagUpdate, changes))
    await add_identifiers(
        session,
        organization_id=org_id,
        kind=KIND,
        object_id=tag.id,
        identifiers=foreign_only(body.identifiers),
    )
    return await _shown(session, tag)


@router.delete("/{tag_id}")
async def delete_tag(tag_id: uuid.UUID, principal: Writer, session: DbSession) -> Response:
    """Delete a tag and its taggings (the people stay)."""
    tag = await service.get_tag(session, organization_id=principal.organization_id, tag_id=tag_id)
    await service.delete_tag(session, tag=tag)
    await forget_identifiers(session, kind=KIND, object_id=tag_id)
    return notice("This tag was successfully deleted.")


@router.get("/{tag_id}/taggings")
async def list_taggings(
    request: Request,
    tag_id: uuid.UUID,
    principal: Reader,
    session: DbSession,
    params: Paging,
    condition: Filter,
) -> Response:
    """The people carrying the tag, as taggings, most recent first."""
    org_id = principal.organization_id
    await service.get_tag(session, organization_id=org_id, tag_id=tag_id)
    rows, total = await service.list_taggings(
        session, organization_id=org_id, params=params, tag_id=tag_id, condition=condition
    )
    items = [show.tagging(row) for row in rows]
    return HalResponse(collection(request, rel="taggings", items=items, params=params, total=total))


@router.post("/{tag_id}/taggings")
async def create_tagging(
    tag_id: uuid.UUID, body: MemberIn, principal: Writer, session: DbSession
) -> Response:
    """Tag the person linked as `_links["osdi:person"].href` (tagging twice is harmless)."""
    org_id = principal.organization_id
    tag = await service.get_tag(session, organization_id=org_id, tag_id=tag_id)
    person_href = body.link_href("osdi:person")
    if person_href is None:
        raise Invalid("link the person to tag as `osdi:person`", field="_links.osdi:person")
    person_id = id_from_reference(person_href, collection="people", field="_links.osdi:person")
    try:
        await get_person(session, organization_id=org_id, person_id=person_id)
    except NotFound as error:
        raise Invalid(f"no person {person_id}", field="_links.osdi:person") from error
    tagging = await service.tag_person(session, tag=tag, person_id=person_id)
    if not body.control.return_response:
        return notice("The person was tagged.")
    return HalResponse(show.tagging(tagging))


@router.get("/{tag_id}/taggings/{tagging_id}")
async def get_tagging(
    tag_id: uuid.UUID, tagging_id: uuid.UUID, principal: Reader, session: DbSession
) -> Response:
    """One tagging."""
    tagging = await service.get_tagging(
        session, organization_id=principal.organization_id, tag_id=tag_id, tagging_id=tagging_id
    )
    return HalResponse(show.tagging(tagging))


@router.delete("/{tag_id}/taggings/{tagging_id}")
async def delete_tagging(
    tag_id: uuid.UUID, tagging_id: uuid.UUID, principal: Writer, session: DbSession
) -> Response:
    """Take the tag off the person."""
    org_id = principal.organization_id
    tag = await service.get_tag(session, organization_id=org_id, tag_id=tag_id)
    tagging = await service.get_tagging(
        session, organization_id=org_id, tag_id=tag_id, tagging_id=tagging_id
    )
    await service.untag_person(session, tag=tag, person_id=tagging.person_id)
    return notice("This tagging was successfully deleted.")
