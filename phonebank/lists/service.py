"""Lists and their members: create, read, update, delete, and add many people at once."""

import uuid
from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import CursorResult, Select, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.errors import Invalid, NotFound
from phonebank.kit.bulk import RandomUUID, insert_ignoring_duplicates, now_literal, uuid_literal
from phonebank.kit.filters import FilterExpr, compile_filter, equality_filter, timestamp_filters
from phonebank.kit.linked_rows import newest_page, one_or_not_found, owned_through
from phonebank.kit.ownership import get_owned
from phonebank.kit.pagination import PageParams, fetch_page
from phonebank.lists.models import ListItem, PersonList
from phonebank.lists.schemas import ItemsAdded, ListCreate, ListUpdate
from phonebank.people.models import Person
from phonebank.people.service import get_person, link_people
from phonebank.tags.models import Tagging
from phonebank.tags.service import get_tag

# What a list listing can be filtered on.
LIST_FILTERS = {
    **timestamp_filters(PersonList),
    "name": equality_filter(lambda value: PersonList.name == value),
}
MEMBERSHIP_COLUMNS = ("id", "list_id", "person_id", "created_at", "modified_at")


def person_ids_in_list(session: AsyncSession, *, list_id: uuid.UUID) -> Select[uuid.UUID]:
    """A select of the ids of the people on the list (load the list with `get_list` first)."""
    return select(ListItem.person_id).where(ListItem.list_id == list_id)


async def _with_count(session: AsyncSession, person_list: PersonList) -> PersonList:
    # The item count is a SQL expression: load it now, as async sessions cannot lazy-load.
    await session.refresh(person_list, attribute_names=["total_items"])
    return person_list


async def create_list(
    session: AsyncSession, *, organization_id: uuid.UUID, data: ListCreate
) -> PersonList:
    """Store a new, empty list of the organization."""
    person_list = PersonList(organization_id=organization_id, **data.model_dump())
    session.add(person_list)
    await session.flush()
    return await _with_count(session, person_list)


async def get_list(
    session: AsyncSession,
    *,
    organization_id: uuid.UUID,
    list_id: uuid.UUID,
    field: str | None = None,
) -> PersonList:
    """One list of the organization: NotFound, or Invalid naming `field` when the body named it."""
    return await get_owned(
        session, PersonList, list_id, organization_id=organization_id, what="list", field=field
    )


async def update_list(
    session: AsyncSession, *, person_list: PersonList, data: ListUpdate
) -> PersonList:
    """Apply the fields present in `data`."""
    for name, value in data.model_dump(exclude_unset=True).items():
        setattr(person_list, name, value)
    await session.flush()
    return await _with_count(session, person_list)


async def delete_list(session: AsyncSession, *, person_list: PersonList) -> None:
    """Remove a list and its items (the people stay; campaigns using it lose the reference)."""
    await session.delete(person_list)
    await session.flush()


async def list_lists(
    session: AsyncSession,
    *,
    organization_id: uuid.UUID,
    params: PageParams,
    name: str | None = None,
    condition: FilterExpr | None = None,
) -> tuple[Sequence[PersonList], int]:
    """A page of the organization's lists, newest first, optionally only those named `name`."""
    statement = select(PersonList).where(PersonList.organization_id == organization_id)
    if name is not None:
        statement = statement.where(PersonList.name == name)
    if condition is not None:
        statement = statement.where(compile_filter(condition, LIST_FILTERS))
    statement = statement.order_by(PersonList.created_at.desc(), PersonList.id)
    return await fetch_page(session, statement, params)


async def list_members(
    session: AsyncSession, *, person_list: PersonList, params: PageParams
) -> tuple[Sequence[Person], int]:
    """A page of the people on the list, most recently added first."""
    statement = (
        select(Person)
        .join(ListItem, ListItem.person_id == Person.id)
        .where(
            ListItem.list_id == person_list.id,
            Person.organization_id == person_list.organization_id,
        )
        .order_by(ListItem.created_at.desc(), Person.id)
    )
    return await fetch_page(session, statement, params)


async def add_people(
    session: AsyncSession, *, person_list: PersonList, person_ids: Sequence[uuid.UUID]
) -> ItemsAdded:
    """Put the people on the list in one statement; people already on it are counted."""
    added, present = await link_people(
        session,
        link_model=ListItem,
        container_column="list_id",
        container_id=person_list.id,
        organization_id=person_list.organization_id,
        person_ids=person_ids,
    )
    return ItemsAdded(added=added, already_present=present)


async def add_people_with_tag(
    session: AsyncSession, *, person_list: PersonList, tag_id: uuid.UUID
) -> ItemsAdded:
    """Put everyone carrying the tag on the list with one INSERT ... SELECT."""
    organization_id = person_list.organization_id
    tag = await get_tag(session, organization_id=organization_id, tag_id=tag_id, field="tag_id")
    tagged = (
        select(Tagging.person_id)
        .join(Person, Person.id == Tagging.person_id)
        .where(Tagging.tag_id == tag.id, Person.organization_id == organization_id)
    )
    tagged_count = await session.scalar(select(func.count()).select_from(tagged.subquery()))
    now = now_literal()
    rows = tagged.with_only_columns(
        RandomUUID(), uuid_literal(person_list.id), Tagging.person_id, now, now
    )
    added = await insert_ignoring_duplicates(session, ListItem, MEMBERSHIP_COLUMNS, rows)
    return ItemsAdded(added=added, already_present=int(tagged_count or 0) - added)


async def add_items(
    session: AsyncSession,
    *,
    person_list: PersonList,
    person_ids: Sequence[uuid.UUID] | None,
    tag_id: uuid.UUID | None,
) -> ItemsAdded:
    """Add the people given by id, or everyone with a tag; exactly one of the two is required."""
    if person_ids is not None and tag_id is not None:
        raise Invalid("give either person_ids or tag_id, not both", field="tag_id")
    if tag_id is not None:
        return await add_people_with_tag(session, person_list=person_list, tag_id=tag_id)
    if person_ids is None:
        raise Invalid("give person_ids or tag_id", field="person_ids")
    return await add_people(session, person_list=person_list, person_ids=person_ids)


async def remove_person(
    session: AsyncSession, *, person_list: PersonList, person_id: uuid.UUID
) -> None:
    """Take one person off the list; NotFound if they are not on it."""
    await get_person(session, organization_id=person_list.organization_id, person_id=person_id)
    result = await session.execute(
        delete(ListItem).where(ListItem.list_id == person_list.id, ListItem.person_id == person_id)
    )
    if not cast(CursorResult[Any], result).rowcount:
        raise NotFound(f"person {person_id} is not on this list")
    await session.flush()


async def get_lists_by_name(
    session: AsyncSession, *, organization_id: uuid.UUID, names: Sequence[str], field: str
) -> list[PersonList]:
    """For each name, the oldest list so named; Invalid naming `field[i]` for the first unknown."""
    found: dict[str, PersonList] = {}
    rows = await session.scalars(
        select(PersonList)
        .where(PersonList.organization_id == organization_id, PersonList.name.in_(list(names)))
        .order_by(PersonList.created_at.desc(), PersonList.id.desc())
    )
    for row in rows:
        found[row.name] = row  # oldest last, so it wins
    for index, name in enumerate(names):
        if name not in found:
            raise Invalid(f"no list named {name!r} in this organization", field=f"{field}[{index}]")
    return [found[name] for name in dict.fromkeys(names)]


def _owned_items(organization_id: uuid.UUID) -> Select[ListItem]:
    return owned_through(ListItem, PersonList, PersonList.id == ListItem.list_id, organization_id)


async def list_items(
    session: AsyncSession,
    *,
    organization_id: uuid.UUID,
    params: PageParams,
    list_id: uuid.UUID | None = None,
    person_id: uuid.UUID | None = None,
    condition: FilterExpr | None = None,
) -> tuple[Sequence[ListItem], int]:
    """A page of the items of one list or of one person's lists, most recent first."""
    return await newest_page(
        session,
        _owned_items(organization_id),
        model=ListItem,
        params=params,
        matches=[(ListItem.list_id, list_id), (ListItem.person_id, person_id)],
        condition=condition,
    )


async def get_item(
    session: AsyncSession, *, organization_id: uuid.UUID, list_id: uuid.UUID, item_id: uuid.UUID
) -> ListItem:
    """One item of the list, or NotFound."""
    return await one_or_not_found(
        session,
        _owned_items(organization_id).where(ListItem.id == item_id, ListItem.list_id == list_id),
        missing=f"no item {item_id} on this list",
    )


async def add_person(
    session: AsyncSession, *, person_list: PersonList, person_id: uuid.UUID
) -> ListItem:
    """Put one person on the list and return the item (the existing one if already on it)."""
    await add_people(session, person_list=person_list, person_ids=[person_id])
    return (
        await session.scalars(
            select(ListItem).where(
                ListItem.list_id == person_list.id, ListItem.person_id == person_id
            )
        )
    ).one()
