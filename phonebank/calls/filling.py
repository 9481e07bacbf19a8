"""Filling a campaign: one call per person, made by one INSERT ... SELECT whatever the size."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import (
    CursorResult,
    Integer,
    Select,
    String,
    and_,
    case,
    exists,
    func,
    insert,
    literal,
    literal_column,
    not_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.calls.models import Call
from phonebank.campaigns.models import Campaign
from phonebank.errors import Invalid
from phonebank.kit.bulk import RandomUUID, now_literal, uuid_literal
from phonebank.lists.service import get_list, person_ids_in_list
from phonebank.people.models import Person, PhoneNumber
from phonebank.people.service import check_people_in_organization
from phonebank.tags.service import get_tag, person_ids_with_tag

NUMBERS_PER_CALL = 3


@dataclass(frozen=True)
class CallsAdded:
    """What a bulk add did: calls made, and people skipped with the reason."""

    requested: int
    added: int
    already_in_campaign: int
    without_number: int


def _zone_key_sql(dialect: str) -> Any:
    # The JSON list of a number's zones as one `|`-joined string, as calls.time_zone holds it.
    if dialect == "postgresql":
        return literal_column(
            "array_to_string(ARRAY(SELECT jsonb_array_elements_text(phone_numbers.time_zones)),"
            " '|')",
            String(),
        )
    return literal_column(
        "(SELECT group_concat(value, '|') FROM json_each(phone_numbers.time_zones))", String()
    )


def _json_array(dialect: str, *items: Any) -> Any:
    return (func.jsonb_build_array if dialect == "postgresql" else func.json_array)(*items)


async def add_people_to_campaign(
    session: AsyncSession, *, campaign: Campaign, people: Select[Any], call_type: str | None = None
) -> CallsAdded:
    """Make a requested call for each selected person id not already in the campaign.

    Each call gets up to three usable numbers (primary first, do-not-call ones left out) and
    the zone of the first; people with no usable number are counted, not called.
    """
    dialect = session.get_bind().dialect.name
    person_ids = people.subquery()
    person_id = person_ids.c[0]
    ranked = (
        select(
            PhoneNumber.person_id,
            PhoneNumber.number,
            _zone_key_sql(dialect).label("zone"),
            func.row_number()
            .over(
                partition_by=PhoneNumber.person_id,
                order_by=(PhoneNumber.primary.desc(), PhoneNumber.position),
            )
            .label("rank"),
        )
        .where(
            PhoneNumber.organization_id == campaign.organization_id,
            not_(PhoneNumber.do_not_call),
            PhoneNumber.person_id.in_(select(person_id)),
        )
        .subquery()
    )
    first, second, third = (
        func.max(case((ranked.c.rank == n, ranked.c.number))) for n in (1, 2, 3)
    )
    count = func.count()
    per_person = (
        select(
            ranked.c.person_id,
            case(
                (count == 1, _json_array(dialect, first)),
                (count == 2, _json_array(dialect, first, second)),
                else_=_json_array(dialect, first, second, third),
            ).label("numbers"),
            first.label("first_number"),
            func.max(case((ranked.c.rank == 1, ranked.c.zone))).label("zone"),
        )
        .where(ranked.c.rank <= NUMBERS_PER_CALL)
        .group_by(ranked.c.person_id)
        .subquery()
    )
    already = exists().where(
        Call.campaign_id == campaign.id, Call.person_id == per_person.c.person_id
    )
    now = now_literal()
    rows = select(
        RandomUUID(),
        uuid_literal(campaign.organization_id),
        uuid_literal(campaign.id),
        per_person.c.person_id,
        literal("requested"),
        literal(call_type or "verification"),
        per_person.c.numbers,
        literal(0, Integer()),
        per_person.c.first_number,
        per_person.c.zone,
        literal(0, Integer()),
        now,
        literal(0, Integer()),
        literal_column("'{}'") if dialect != "postgresql" else literal_column("'{}'::jsonb"),
        now,
        now,
        now,
    ).where(not_(already))
    columns = [
        "id", "organization_id", "campaign_id", "person_id", "status", "type", "numbers",
        "next_number_index", "next_number", "time_zone", "priority", "next_call_at",
        "attempts_count", "attributes", "requested_at", "created_at", "modified_at",
    ]  # fmt: skip
    requested = int(await session.scalar(select(func.count()).select_from(person_ids)) or 0)
    in_campaign = int(
        await session.scalar(
            select(func.count())
            .select_from(person_ids)
            .where(exists().where(Call.campaign_id == campaign.id, Call.person_id == person_id))
        )
        or 0
    )
    result = await session.execute(insert(Call).from_select(columns, rows))
    added = int(cast(CursorResult[Any], result).rowcount)
    return CallsAdded(
        requested=requested,
        added=added,
        already_in_campaign=in_campaign,
        without_number=requested - in_campaign - added,
    )


def people_by_id(organization_id: uuid.UUID, person_ids: Sequence[uuid.UUID]) -> Select[Any]:
    """A select of the given person ids (already checked to be in the organization)."""
    return select(Person.id).where(
        and_(Person.organization_id == organization_id, Person.id.in_(list(person_ids)))
    )


async def fill_campaign(
    session: AsyncSession,
    *,
    campaign: Campaign,
    person_ids: Sequence[uuid.UUID] | None = None,
    list_id: uuid.UUID | None = None,
    tag_id: uuid.UUID | None = None,
    call_type: str | None = None,
) -> CallsAdded:
    """Add calls for explicit people, everyone on a list, or everyone with a tag (one of them)."""
    given = [name for name, value in [("person_ids", person_ids), ("list_id", list_id),
                                      ("tag_id", tag_id)] if value is not None]  # fmt: skip
    if len(given) != 1:
        raise Invalid("give exactly one of person_ids, list_id or tag_id", field="person_ids")
    organization_id = campaign.organization_id
    people: Select[Any]
    if person_ids is not None:
        await check_people_in_organization(
            session, organization_id=organization_id, person_ids=person_ids
        )
        people = people_by_id(organization_id, person_ids)
    elif list_id is not None:
        person_list = await get_list(
            session, organization_id=organization_id, list_id=list_id, field="list_id"
        )
        people = person_ids_in_list(session, list_id=person_list.id)
    else:
        assert tag_id is not None
        tag = await get_tag(session, organization_id=organization_id, tag_id=tag_id, field="tag_id")
        people = person_ids_with_tag(session, tag_id=tag.id)
    return await add_people_to_campaign(
        session, campaign=campaign, people=people, call_type=call_type
    )
