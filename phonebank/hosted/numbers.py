"""Bare phone numbers from another system, as people Phonebank can call.

A hosted customer keeps its own records and hands over numbers only. Each number becomes (or
finds) a person of the organization holding that number, so calls, attempts and the block
list work exactly as for people entered any other way.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.db import utcnow
from phonebank.errors import Invalid
from phonebank.kit.phones import ParsedPhone, parse_phone
from phonebank.organizations.models import Organization
from phonebank.people.models import Person, PhoneNumber

HOSTED_ORIGIN = "hosted"


@dataclass
class NumbersTaken:
    """People for the usable numbers, in the order given, and the numbers refused."""

    person_ids: list[uuid.UUID] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)


async def people_for_numbers(
    session: AsyncSession, *, organization: Organization, numbers: Sequence[str]
) -> NumbersTaken:
    """A person for each usable number: the one already holding it, or a new one.

    Two statements write any number of new people (people, then their numbers); a number
    given twice is taken once.
    """
    taken = NumbersTaken()
    parsed: dict[str, ParsedPhone] = {}
    for index, raw in enumerate(numbers):
        try:
            phone = parse_phone(raw, default_country=organization.default_country)
        except Invalid as error:
            taken.rejected.append({"index": index, "number": raw, "reason": error.detail})
            continue
        parsed.setdefault(phone.e164, phone)
    if not parsed:
        return taken
    rows = await session.execute(
        select(PhoneNumber.number, PhoneNumber.person_id).where(
            PhoneNumber.organization_id == organization.id,
            PhoneNumber.number.in_(list(parsed)),
        )
    )
    known = {row.number: row.person_id for row in rows}
    now = utcnow()
    new = {number: uuid.uuid4() for number in parsed if number not in known}
    if new:
        await session.execute(
            insert(Person),
            [
                {"id": person_id, "organization_id": organization.id,
                 "origin_system": HOSTED_ORIGIN, "created_at": now, "modified_at": now}
                for person_id in new.values()
            ],
        )  # fmt: skip
        await session.execute(
            insert(PhoneNumber),
            [
                {"id": uuid.uuid4(), "person_id": person_id, "organization_id": organization.id,
                 "position": 0, "number": number, "primary": True,
                 "country": parsed[number].country, "time_zones": list(parsed[number].time_zones)}
                for number, person_id in new.items()
            ],
        )  # fmt: skip
    taken.person_ids = [known.get(number) or new[number] for number in parsed]
    return taken
