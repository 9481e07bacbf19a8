"""People: create, read, update, delete and find, with numbers normalized to E.164."""

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.db import utcnow
from phonebank.errors import Conflict, Invalid
from phonebank.kit.bulk import RandomUUID, insert_ignoring_duplicates, now_literal, uuid_literal
from phonebank.kit.filters import (
    FieldFilters,
    FilterExpr,
    compile_filter,
    equality_filter,
    timestamp_filters,
)
from phonebank.kit.ownership import get_owned
from phonebank.kit.pagination import PageParams, fetch_page
from phonebank.kit.phones import parse_phone
from phonebank.organizations.models import Organization
from phonebank.people.models import (
    EmailAddress,
    Person,
    PersonIdentifier,
    PhoneNumber,
    PostalAddress,
)
from phonebank.people.schemas import (
    EmailAddressIn,
    PersonCreate,
    PersonUpdate,
    PhoneNumberIn,
    PostalAddressIn,
)

_SCALARS = (
    "given_name",
    "family_name",
    "additional_name",
    "gender",
    "origin_system",
    "languages_spoken",
    "custom_fields",
)
# JSON columns that are never NULL: clearing them stores an empty value.
_EMPTY_WHEN_CLEARED: dict[str, type] = {"languages_spoken": list, "custom_fields": dict}


def _phone_rows(
    organization: Organization, numbers: Sequence[PhoneNumberIn], *, lenient: bool = False
) -> list[PhoneNumber]:
    rows: list[PhoneNumber] = []
    seen: set[str] = set()
    for index, item in enumerate(numbers):
        parsed = parse_phone(
            item.number,
            default_country=organization.default_country,
            field=f"phone_numbers[{index}].number",
            allow_possible=lenient,
        )
        if parsed.e164 in seen:
            continue
        seen.add(parsed.e164)
        rows.append(
            PhoneNumber(
                organization_id=organization.id,
                position=len(rows),
                number=parsed.e164,
                primary=item.primary,
                number_type=item.number_type,
                sms_capable=item.sms_capable,
                do_not_call=item.do_not_call,
                country=parsed.country,
                time_zones=list(parsed.time_zones),
            )
        )
    if rows and not any(row.primary for row in rows):
        rows[0].primary = True
    return rows


def _email_rows(organization: Organization, emails: Sequence[EmailAddressIn]) -> list[EmailAddress]:
    rows = [
        EmailAddress(
            organization_id=organization.id,
            position=index,
            address=item.address.lower(),
            primary=item.primary,
            address_type=item.address_type,
            status=item.status,
        )
        for index, item in enumerate(emails)
    ]
    if rows and not any(row.primary for row in rows):
        rows[0].primary = True
    return rows


def _address_rows(addresses: Sequence[PostalAddressIn]) -> list[PostalAddress]:
    return [
        PostalAddress(position=index, **item.model_dump()) for index, item in enumerate(addresses)
    ]


async def _identifier_rows(
    session: AsyncSession,
    organization: Organization,
    identifiers: Sequence[str],
    *,
    person_id: uuid.UUID | None,
) -> list[PersonIdentifier]:
    unique = list(dict.fromkeys(identifiers))
    if unique:
        statement = select(PersonIdentifier.identifier).where(
            PersonIdentifier.organization_id == organization.id,
            PersonIdentifier.identifier.in_(unique),
        )
        if person_id is not None:
            statement = statement.where(PersonIdentifier.person_id != person_id)
        taken = await session.scalar(statement.limit(1))
        if taken:
            raise Conflict(
                f"identifier {taken!r} already belongs to another person", field="identifiers"
            )
    return [
        PersonIdentifier(organization_id=organization.id, identifier=identifier)
        for identifier in unique
    ]


async def create_person(
    session: AsyncSession,
    *,
    organization: Organization,
    data: PersonCreate,
    lenient_numbers: bool = False,
) -> Person:
    """Store a new person of the organization (`lenient_numbers`: see `parse_phone`)."""
    if not (data.given_name or data.family_name or data.email_addresses or data.phone_numbers):
        raise Invalid(
            "give at least a name, an email address or a phone number", field="given_name"
        )
    scalars: dict[str, Any] = data.model_dump(include=set(_SCALARS), exclude_none=True)
    person = Person(
        organization_id=organization.id,
        **scalars,
        email_addresses=_email_rows(organization, data.email_addresses),
        phone_numbers=_phone_rows(organization, data.phone_numbers, lenient=lenient_numbers),
        postal_addresses=_address_rows(data.postal_addresses),
        identifiers=await _identifier_rows(session, organization, data.identifiers, person_id=None),
    )
    session.add(person)
    await session.flush()
    return person


async def get_person(
    session: AsyncSession, *, organization_id: uuid.UUID, person_id: uuid.UUID
) -> Person:
    """One person of the organization, or NotFound."""
    return await get_owned(
        session, Person, person_id, organization_id=organization_id, what="person"
    )


async def update_person(
    session: AsyncSession,
    *,
    organization: Organization,
    person: Person,
    data: PersonUpdate,
    lenient_numbers: bool = False,
) -> Person:
    """Apply the fields present in `data`; lists given replace the stored ones."""
    for name, value in data.model_dump(include=set(_SCALARS), exclude_unset=True).items():
        if value is None and name in _EMPTY_WHEN_CLEARED:
            value = _EMPTY_WHEN_CLEARED[name]()
        setattr(person, name, value)
    if data.email_addresses is not None:
        person.email_addresses = _email_rows(organization, data.email_addresses)
    if data.phone_numbers is not None:
        person.phone_numbers = _phone_rows(
            organization, data.phone_numbers, lenient=lenient_numbers
        )
    if data.postal_addresses is not None:
        person.postal_addresses = _address_rows(data.postal_addresses)
    if data.identifiers is not None:
        person.identifiers = await _identifier_rows(
            session, organization, data.identifiers, person_id=person.id
        )
    # Child rows may be all that changed; the person itself still counts as modified.
    person.modified_at = utcnow()
    await session.flush()
    return person


async def delete_person(session: AsyncSession, *, person: Person) -> None:
    """Remove a person with their contact details (calls to them go too)."""
    await session.delete(person)
    await session.flush()


def person_filters(organization: Organization) -> FieldFilters:
    """What a people listing can be filtered on: timestamps, an email address, a number."""

    def by_email(value: str) -> ColumnElement[bool]:
        return exists().where(
            EmailAddress.person_id == Person.id, EmailAddress.address == value.strip().lower()
        )

    def by_phone(value: str) -> ColumnElement[bool]:
        try:
            number = parse_phone(
                value, default_country=organization.default_country, allow_possible=True
            )
        except Invalid:
            raise ValueError(f"{value!r} is not a phone number") from None
        return exists().where(PhoneNumber.person_id == Person.id, PhoneNumber.number == number.e164)

    return {
        **timestamp_filters(Person),
        "email": equality_filter(by_email),
        "phone": equality_filter(by_phone),
    }


def _filtered(
    organization: Organization,
    *,
    email: str | None,
    phone: str | None,
    query: str | None,
    condition: FilterExpr | None = None,
) -> Select[Person]:
    statement = select(Person).where(Person.organization_id == organization.id)
    if condition is not None:
        statement = statement.where(compile_filter(condition, person_filters(organization)))
    if email:
        statement = statement.where(
            exists().where(
                EmailAddress.person_id == Person.id, EmailAddress.address == email.lower()
            )
        )
    if phone:
        number = parse_phone(phone, default_country=organization.default_country, field="phone")
        statement = statement.where(
            exists().where(PhoneNumber.person_id == Person.id, PhoneNumber.number == number.e164)
        )
    if query:
        pattern = f"%{query.lower()}%"
        statement = statement.where(
            or_(
                func.lower(Person.given_name).like(pattern),
                func.lower(Person.family_name).like(pattern),
            )
        )
    return statement.order_by(Person.created_at.desc(), Person.id)


async def list_people(
    session: AsyncSession,
    *,
    organization: Organization,
    params: PageParams,
    email: str | None = None,
    phone: str | None = None,
    query: str | None = None,
    condition: FilterExpr | None = None,
) -> tuple[Sequence[Person], int]:
    """A page of the organization's people, newest first, optionally filtered."""
    statement = _filtered(organization, email=email, phone=phone, query=query, condition=condition)
    return await fetch_page(session, statement, params)


async def check_people_in_organization(
    session: AsyncSession,
    *,
    organization_id: uuid.UUID,
    person_ids: Sequence[uuid.UUID],
    field: str = "person_ids",
) -> list[uuid.UUID]:
    """The distinct ids, in order; Invalid naming `field[i]` for the first id not in the org."""
    unique = list(dict.fromkeys(person_ids))
    found = set(
        (
            await session.scalars(
                select(Person.id).where(
                    Person.organization_id == organization_id, Person.id.in_(unique)
                )
            )
        ).all()
    )
    for index, person_id in enumerate(person_ids):
        if person_id not in found:
            raise Invalid(f"no person {person_id} in this organization", field=f"{field}[{index}]")
    return unique


async def link_people(
    session: AsyncSession,
    *,
    link_model: type[Any],
    container_column: str,
    container_id: uuid.UUID,
    organization_id: uuid.UUID,
    person_ids: Sequence[uuid.UUID],
) -> tuple[int, int]:
    """Link people of the organization to a container (a tag, a list) in one INSERT ... SELECT.

    Returns (added, already linked); an id outside the organization is Invalid naming it.
    """
    unique = await check_people_in_organization(
        session, organization_id=organization_id, person_ids=person_ids
    )
    now = now_literal()
    rows = select(RandomUUID(), uuid_literal(container_id), Person.id, now, now).where(
        Person.organization_id == organization_id, Person.id.in_(unique)
    )
    columns = ("id", container_column, "person_id", "created_at", "modified_at")
    added = await insert_ignoring_duplicates(session, link_model, columns, rows)
    return added, len(unique) - added


async def find_signup_match(
    session: AsyncSession,
    *,
    organization: Organization,
    identifiers: Sequence[str],
    emails: Sequence[str],
    numbers: Sequence[str],
) -> Person | None:
    """The person a signup is about, or None for a new person.

    Tried in order, the first hit wins: a foreign identifier given (they are unique), then each
    email address in the order given (case-insensitive), then each phone number in the order
    given (compared in E.164). When one address is shared by several people, the person
    created first is the match.
    """
    oldest = (Person.created_at, Person.id)
    if identifiers:
        found = await session.scalar(
            select(Person)
            .join(PersonIdentifier, PersonIdentifier.person_id == Person.id)
            .where(
                PersonIdentifier.organization_id == organization.id,
                PersonIdentifier.identifier.in_(list(identifiers)),
            )
            .order_by(*oldest)
            .limit(1)
        )
        if found is not None:
            return found
    for address in emails:
        found = await session.scalar(
            select(Person)
            .join(EmailAddress, EmailAddress.person_id == Person.id)
            .where(
                EmailAddress.organization_id == organization.id,
                EmailAddress.address == address.strip().lower(),
            )
            .order_by(*oldest)
            .limit(1)
        )
        if found is not None:
            return found
    for index, raw in enumerate(numbers):
        parsed = parse_phone(
            raw,
            default_country=organization.default_country,
            field=f"phone_numbers[{index}].number",
            allow_possible=True,
        )
        found = await session.scalar(
            select(Person)
            .join(PhoneNumber, PhoneNumber.person_id == Person.id)
            .where(
                PhoneNumber.organization_id == organization.id,
                PhoneNumber.number == parsed.e164,
            )
            .order_by(*oldest)
            .limit(1)
        )
        if found is not None:
            return found
    return None
