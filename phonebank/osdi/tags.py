"""OSDI tags and taggings."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Response

from phonebank.auth.dependencies import DbSession, require
from phonebank.auth.scopes import Scope
from phonebank.auth.service import Principal
from phonebank.identifiers.service import forget_identifiers
from phonebank.osdi import representations as show
from phonebank.osdi.hal import HalResponse, notice, validated
from phonebank.osdi.routing import (
    Listing,
    created,
    keep_identifiers,
    linked_person_id,
    shown_with_ids,
)
from phonebank.osdi.schemas import MemberIn, TagIn
from phonebank.tags import service
from phonebank.tags.models import Tag
from phonebank.tags.schemas import TagCreate, TagUpdate

router = APIRouter(prefix="/tags", tags=["OSDI tags"])
Reader = Annotated[Principal, Depends(require(Scope.PEOPLE_READ))]
Writer = Annotated[Principal, Depends(require(Scope.PEOPLE_WRITE))]
KIND = "tag"


async def _shown(session: DbSession, tag: Tag) -> HalResponse:
    return await shown_with_ids(session, tag, kind=KIND, shown=show.tag)


@router.get("")
async def list_tags(principal: Reader, session: DbSession, listing: Listing) -> Response:
    """Tags by name; `filter` on name, modified_date, created_date."""
    found = await service.list_tags(
        session,
        organization_id=principal.organization_id,
        params=listing.params,
        condition=listing.condition,
    )
    return await listing.page_with_ids(session, "tags", found, kind=KIND, shown=show.tag)


@router.post("")
async def create_tag(body: TagIn, principal: Writer, session: DbSession) -> Response:
    """Create a tag; its name must be new in the organization."""
    data = validated(TagCreate, body.model_dump(include={"name", "description", "origin_system"}))
    org_id = principal.organization_id
    tag = await service.create_tag(session, organization_id=org_id, data=data)
    return await created(
        session,
        tag,
        organization_id=org_id,
        kind=KIND,
        body=body,
        done="The tag was created.",
        respond=_shown,
    )


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
    await keep_identifiers(
        session, organization_id=org_id, kind=KIND, object_id=tag.id, sent=body.identifiers
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
    tag_id: uuid.UUID, principal: Reader, session: DbSession, listing: Listing
) -> Response:
    """The people carrying the tag, as taggings, most recent first."""
    org_id = principal.organization_id
    await service.get_tag(session, organization_id=org_id, tag_id=tag_id)
    found = await service.list_taggings(
        session,
        organization_id=org_id,
        params=listing.params,
        tag_id=tag_id,
        condition=listing.condition,
    )
    return listing.page("taggings", found, show.tagging)


@router.post("/{tag_id}/taggings")
async def create_tagging(
    tag_id: uuid.UUID, body: MemberIn, principal: Writer, session: DbSession
) -> Response:
    """Tag the person linked as `_links["osdi:person"].href` (tagging twice is harmless)."""
    org_id = principal.organization_id
    tag = await service.get_tag(session, organization_id=org_id, tag_id=tag_id)
    person_id = await linked_person_id(session, organization_id=org_id, body=body, purpose="tag")
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
