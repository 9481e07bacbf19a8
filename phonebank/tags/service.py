"""Tags and taggings: create, read, update, delete, and tag many people at once."""

import uuid
from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import CursorResult, Select, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.errors import Conflict, Invalid, NotFound
from phonebank.kit.filters import FilterExpr, compile_filter, equality_filter, timestamp_filters
from phonebank.kit.linked_rows import newest_page, one_or_not_found, owned_through
from phonebank.kit.ownership import get_owned
from phonebank.kit.pagination import PageParams, fetch_page
from phonebank.people.models import Person
from phonebank.people.service import get_person, link_people
from phonebank.tags.models import Tag, Tagging
from phonebank.tags.schemas import TagCreate, TaggingsAdded, TagUpdate

# What a tag listing can be filtered on.
TAG_FILTERS = {**timestamp_filters(Tag), "name": equality_filter(lambda value: Tag.name == value)}


def person_ids_with_tag(session: AsyncSession, *, tag_id: uuid.UUID) -> Select[uuid.UUID]:
    """A select of the ids of the people carrying the tag (load the tag with `get_tag` first)."""
    return select(Tagging.person_id).where(Tagging.tag_id == tag_id)


async def _ensure_name_free(
    session: AsyncSession, *, organization_id: uuid.UUID, name: str, tag_id: uuid.UUID | None
) -> None:
    statement = select(Tag.id).where(Tag.organization_id == organization_id, Tag.name == name)
    if tag_id is not None:
        statement = statement.where(Tag.id != tag_id)
    if await session.scalar(statement.limit(1)) is not None:
        raise Conflict(f"a tag named {name!r} already exists", field="name")


async def create_tag(session: AsyncSession, *, organization_id: uuid.UUID, data: TagCreate) -> Tag:
    """Store a new tag of the organization; Conflict if the name is taken."""
    await _ensure_name_free(session, organization_id=organization_id, name=data.name, tag_id=None)
    tag = Tag(organization_id=organization_id, **data.model_dump())
    session.add(tag)
    await session.flush()
    return tag


async def get_tag(
    session: AsyncSession,
    *,
    organization_id: uuid.UUID,
    tag_id: uuid.UUID,
    field: str | None = None,
) -> Tag:
    """One tag of the organization: NotFound, or Invalid naming `field` when the body named it."""
    return await get_owned(
        session, Tag, tag_id, organization_id=organization_id, what="tag", field=field
    )


async def update_tag(session: AsyncSession, *, tag: Tag, data: TagUpdate) -> Tag:
    """Apply the fields present in `data`; Conflict if the new name is taken."""
    changes = data.model_dump(exclude_unset=True)
    if "name" in changes and changes["name"] != tag.name:
        await _ensure_name_free(
            session, organization_id=tag.organization_id, name=changes["name"], tag_id=tag.id
        )
    for name, value in changes.items():
        setattr(tag, name, value)
    await session.flush()
    return tag


async def delete_tag(session: AsyncSession, *, tag: Tag) -> None:
    """Remove a tag and its taggings (the people stay)."""
    await session.delete(tag)
    await session.flush()


async def list_tags(
    session: AsyncSession,
    *,
    organization_id: uuid.UUID,
    params: PageParams,
    name: str | None = None,
    condition: FilterExpr | None = None,
) -> tuple[Sequence[Tag], int]:
    """A page of the organization's tags by name, optionally only the one with `name`."""
    statement = select(Tag).where(Tag.organization_id == organization_id)
    if name is not None:
        statement = statement.where(Tag.name == name)
    if condition is not None:
        statement = statement.where(compile_filter(condition, TAG_FILTERS))
    return await fetch_page(session, statement.order_by(Tag.name, Tag.id), params)


async def list_tagged_people(
    session: AsyncSession, *, tag: Tag, params: PageParams
) -> tuple[Sequence[Person], int]:
    """A page of the people carrying the tag, most recently tagged first."""
    statement = (
        select(Person)
        .join(Tagging, Tagging.person_id == Person.id)
        .where(Tagging.tag_id == tag.id, Person.organization_id == tag.organization_id)
        .order_by(Tagging.created_at.desc(), Person.id)
    )
    return await fetch_page(session, statement, params)


async def tag_people(
    session: AsyncSession, *, tag: Tag, person_ids: Sequence[uuid.UUID]
) -> TaggingsAdded:
    """Tag the people in one statement; people already tagged are counted, not an error."""
    added, present = await link_people(
        session,
        link_model=Tagging,
        container_column="tag_id",
        container_id=tag.id,
        organization_id=tag.organization_id,
        person_ids=person_ids,
    )
    return TaggingsAdded(added=added, already_present=present)


async def untag_person(session: AsyncSession, *, tag: Tag, person_id: uuid.UUID) -> None:
    """Remove the tag from one person; NotFound if the person does not carry it."""
    await get_person(session, organization_id=tag.organization_id, person_id=person_id)
    result = await session.execute(
        delete(Tagging).where(Tagging.tag_id == tag.id, Tagging.person_id == person_id)
    )
    if not cast(CursorResult[Any], result).rowcount:
        raise NotFound(f"person {person_id} does not carry this tag")
    await session.flush()


async def get_tags_by_name(
    session: AsyncSession, *, organization_id: uuid.UUID, names: Sequence[str], field: str
) -> list[Tag]:
    """The tags with these names, in order; Invalid naming `field[i]` for the first unknown."""
    found = {
        tag.name: tag
        for tag in await session.scalars(
            select(Tag).where(Tag.organization_id == organization_id, Tag.name.in_(list(names)))
        )
    }
    for index, name in enumerate(names):
        if name not in found:
            raise Invalid(f"no tag named {name!r} in this organization", field=f"{field}[{index}]")
    return [found[name] for name in dict.fromkeys(names)]


def _owned_taggings(organization_id: uuid.UUID) -> Select[Tagging]:
    return owned_through(Tagging, Tag, Tag.id == Tagging.tag_id, organization_id)


async def list_taggings(
    session: AsyncSession,
    *,
    organization_id: uuid.UUID,
    params: PageParams,
    tag_id: uuid.UUID | None = None,
    person_id: uuid.UUID | None = None,
    condition: FilterExpr | None = None,
) -> tuple[Sequence[Tagging], int]:
    """A page of taggings of one tag or one person, most recent first."""
    return await newest_page(
        session,
        _owned_taggings(organization_id),
        model=Tagging,
        params=params,
        matches=[(Tagging.tag_id, tag_id), (Tagging.person_id, person_id)],
        condition=condition,
    )


async def get_tagging(
    session: AsyncSession, *, organization_id: uuid.UUID, tag_id: uuid.UUID, tagging_id: uuid.UUID
) -> Tagging:
    """One tagging of the tag, or NotFound."""
    return await one_or_not_found(
        session,
        _owned_taggings(organization_id).where(Tagging.id == tagging_id, Tagging.tag_id == tag_id),
        missing=f"no tagging {tagging_id} of this tag",
    )


async def tag_person(session: AsyncSession, *, tag: Tag, person_id: uuid.UUID) -> Tagging:
    """Tag one person and return the tagging (the existing one if they carry the tag already)."""
    await tag_people(session, tag=tag, person_ids=[person_id])
    return (
        await session.scalars(
            select(Tagging).where(Tagging.tag_id == tag.id, Tagging.person_id == person_id)
        )
    ).one()
