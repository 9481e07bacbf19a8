"""Merging a signup into a known person: what is sent is added or updated, nothing dropped."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.db import utcnow
from phonebank.organizations.models import Organization
from phonebank.people.models import Person
from phonebank.people.schemas import EmailAddressIn, PersonUpdate, PhoneNumberIn, PostalAddressIn

# The row builders and field lists are the ones create and update use, so the three agree.
from phonebank.people.service import (
    _EMPTY_WHEN_CLEARED,
    _SCALARS,
    _address_rows,
    _email_rows,
    _identifier_rows,
    _phone_rows,
)


def _make_primary(rows: Sequence[Any], chosen: Any) -> None:
    for row in rows:
        row.primary = row is chosen


def _merge_emails(
    organization: Organization, person: Person, given: Sequence[EmailAddressIn]
) -> None:
    stored = {row.address: row for row in person.email_addresses}
    asked_primary = any(item.primary for item in given)
    for row in _email_rows(organization, given):
        known = stored.get(row.address)
        asked = row.primary and asked_primary
        if known is None:
            row.position = len(person.email_addresses)
            row.primary = False
            person.email_addresses.append(row)
            stored[row.address] = row
            known = row
        else:
            known.address_type = row.address_type or known.address_type
            known.status = row.status or known.status
        if asked:
            _make_primary(person.email_addresses, known)
    if person.email_addresses and not any(row.primary for row in person.email_addresses):
        person.email_addresses[0].primary = True


def _merge_numbers(
    organization: Organization, person: Person, given: Sequence[PhoneNumberIn]
) -> None:
    stored = {row.number: row for row in person.phone_numbers}
    asked_primary = any(item.primary for item in given)
    for row in _phone_rows(organization, given, lenient=True):
        known = stored.get(row.number)
        asked = row.primary and asked_primary
        if known is None:
            row.position = len(person.phone_numbers)
            row.primary = False
            person.phone_numbers.append(row)
            stored[row.number] = row
            known = row
        else:
            known.number_type = row.number_type or known.number_type
            if row.sms_capable is not None:
                known.sms_capable = row.sms_capable
            known.do_not_call = known.do_not_call or row.do_not_call
        if asked:
            _make_primary(person.phone_numbers, known)
    if person.phone_numbers and not any(row.primary for row in person.phone_numbers):
        person.phone_numbers[0].primary = True


def _address_key(item: Any) -> tuple[Any, ...]:
    return (
        [line.strip().lower() for line in item.address_lines],
        (item.locality or "").strip().lower(),
        (item.region or "").strip().lower(),
        (item.postal_code or "").strip().lower(),
        (item.country or "").upper(),
    )


def _merge_addresses(person: Person, given: Sequence[PostalAddressIn]) -> None:
    for row in _address_rows(given):
        known = next(
            (item for item in person.postal_addresses if _address_key(item) == _address_key(row)),
            None,
        )
        if known is None:
            row.position = len(person.postal_addresses)
            person.postal_addresses.append(row)
            known = row
        else:
            known.address_type = row.address_type or known.address_type
            known.time_zone = row.time_zone or known.time_zone
            known.notes = row.notes or known.notes
            known.status = row.status or known.status
        if row.primary:
            _make_primary(person.postal_addresses, known)


async def merge_person(
    session: AsyncSession, *, organization: Organization, person: Person, data: PersonUpdate
) -> Person:
    """Merge `data` into a person: fields sent overwrite (null clears), addresses, numbers and
    identifiers sent are added to the stored ones or update the matching one, never drop others;
    a list sent as null clears it. Numbers are kept when merely possible (see `parse_phone`).
    """
    sent = data.model_fields_set
    for name, value in data.model_dump(include=set(_SCALARS), exclude_unset=True).items():
        if value is None and name in _EMPTY_WHEN_CLEARED:
            value = _EMPTY_WHEN_CLEARED[name]()
        elif name == "custom_fields":
            value = {**person.custom_fields, **value}
        setattr(person, name, value)
    if "email_addresses" in sent:
        if data.email_addresses is None:
            person.email_addresses = []
        else:
            _merge_emails(organization, person, data.email_addresses)
    if "phone_numbers" in sent:
        if data.phone_numbers is None:
            person.phone_numbers = []
        else:
            _merge_numbers(organization, person, data.phone_numbers)
    if "postal_addresses" in sent:
        if data.postal_addresses is None:
            person.postal_addresses = []
        else:
            _merge_addresses(person, data.postal_addresses)
    if data.identifiers:
        stored = {row.identifier for row in person.identifiers}
        person.identifiers.extend(
            await _identifier_rows(
                session,
                organization,
                [item for item in data.identifiers if item not in stored],
                person_id=person.id,
            )
        )
    person.modified_at = utcnow()
    await session.flush()
    return person
