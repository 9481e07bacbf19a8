"""Importing people from CSV: header detection, column mapping, merging, a per-row report.

The rules are in `import_rules`. On PostgreSQL the file is loaded with COPY and checked and
merged set-based (`importing_sql`); elsewhere this module applies the same rules row by row.
A row that cannot be read is reported with its row number (the header is row 1), the field and
the reason; the other rows are imported.
"""

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from email_validator import EmailNotValidError
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.db import utcnow
from phonebank.errors import Invalid
from phonebank.kit.bulk import copy_rows, new_uuids
from phonebank.kit.phones import PhoneCache
from phonebank.organizations.models import Organization
from phonebank.people.import_rules import (
    MAX_CUSTOM_FIELD_LENGTH,
    NEEDS_CONTACT,
    CsvSource,
    ImportReport,
    RowError,
    map_columns,
    normalize_email,
    open_csv,
    parse_mapping,
    read_csv,
)
from phonebank.people.importing_sql import import_set_based
from phonebank.people.models import EmailAddress, Person, PhoneNumber

__all__ = ["ImportReport", "RowError", "import_people", "map_columns", "parse_mapping", "read_csv"]
BATCH = 5000


@dataclass
class _Row:
    number: int
    given_name: str | None
    family_name: str | None
    phone: str | None
    zones: list[str]
    country: str | None
    email: str | None
    custom_fields: dict[str, str]


def _parse_row(
    number: int, cells: Sequence[str], mapping: Mapping[int, str], phones: PhoneCache
) -> _Row | RowError:
    values: dict[str, str] = {}
    custom: dict[str, str] = {}
    for index, cell in enumerate(cells):
        target = mapping.get(index, "skip")
        text = cell.strip()
        if target == "skip" or not text:
            continue
        if target.startswith("custom_fields."):
            custom[target.removeprefix("custom_fields.")] = text[:MAX_CUSTOM_FIELD_LENGTH]
        else:
            values[target] = text
    phone = zones = country = None
    if "phone_number" in values:
        try:
            parsed = phones.parse(values["phone_number"], field="phone_number")
        except Invalid as error:
            return RowError(number, "phone_number", error.detail)
        phone, zones, country = parsed.e164, list(parsed.time_zones), parsed.country
    email = None
    if "email_address" in values:
        try:
            email = normalize_email(values["email_address"])
        except EmailNotValidError as error:
            return RowError(number, "email_address", str(error))
    if phone is None and email is None:
        return RowError(number, "phone_number", NEEDS_CONTACT)
    return _Row(
        number=number,
        given_name=values.get("given_name"),
        family_name=values.get("family_name"),
        phone=phone,
        zones=zones or [],
        country=country,
        email=email,
        custom_fields=custom,
    )


async def _stored(
    session: AsyncSession, organization_id: uuid.UUID, rows: Sequence[_Row]
) -> tuple[dict[str, uuid.UUID], dict[str, uuid.UUID]]:
    """Who already holds each address and number of the file (the lowest id if several do)."""
    emails = sorted({row.email for row in rows if row.email})
    phones = sorted({row.phone for row in rows if row.phone})
    by_email: dict[str, uuid.UUID] = {}
    by_phone: dict[str, uuid.UUID] = {}
    for found, column, values in (
        (by_email, EmailAddress.address, emails),
        (by_phone, PhoneNumber.number, phones),
    ):
        model = column.class_
        for start in range(0, len(values), BATCH):
            for value, person_id in await session.execute(
                select(column, model.person_id).where(
                    model.organization_id == organization_id,
                    column.in_(values[start : start + BATCH]),
                )
            ):
                if value not in found or person_id < found[value]:
                    found[value] = person_id
    return by_email, by_phone


async def _write(
    session: AsyncSession, organization: Organization, rows: Sequence[_Row], report: ImportReport
) -> None:
    by_email, by_phone = await _stored(session, organization.id, rows)
    new_people: dict[uuid.UUID, dict[str, object]] = {}
    updates: dict[uuid.UUID, dict[str, object]] = {}
    phones: list[dict[str, object]] = []
    emails: list[dict[str, object]] = []
    with_phone: set[uuid.UUID] = set()
    with_email: set[uuid.UUID] = set()
    now = utcnow()
    ids = new_uuids(3 * len(rows))  # at most a person, a number and an address per row
    for row in rows:
        person_id = (by_email.get(row.email) if row.email else None) or (
            by_phone.get(row.phone) if row.phone else None
        )
        names = {
            key: value
            for key, value in (("given_name", row.given_name), ("family_name", row.family_name))
            if value
        }
        if person_id is None:
            person_id = next(ids)
            new_people[person_id] = {
                "id": person_id,
                "organization_id": organization.id,
                "given_name": row.given_name,
                "family_name": row.family_name,
                "custom_fields": row.custom_fields,
                "languages_spoken": [],
                "created_at": now,
                "modified_at": now,
            }
        elif person_id in new_people:
            new_people[person_id].update(names)  # a later row of the same file adds to it
            custom = new_people[person_id]["custom_fields"]
            assert isinstance(custom, dict)
            custom.update(row.custom_fields)
        else:
            updates.setdefault(person_id, {"id": person_id, "modified_at": now}).update(names)
        is_new = person_id in new_people
        if row.email and row.email not in by_email:
            by_email[row.email] = person_id
            emails.append(
                {
                    "id": next(ids),
                    "person_id": person_id,
                    "organization_id": organization.id,
                    "address": row.email,
                    "primary": is_new and person_id not in with_email,
                    "position": 0,
                }
            )
            with_email.add(person_id)
        if row.phone and row.phone not in by_phone:
            by_phone[row.phone] = person_id
            phones.append(
                {
                    "id": next(ids),
                    "person_id": person_id,
                    "organization_id": organization.id,
                    "number": row.phone,
                    "primary": is_new and person_id not in with_phone,
                    "country": row.country,
                    "time_zones": row.zones,
                    "position": 0,
                    "do_not_call": False,
                }
            )
            with_phone.add(person_id)
        report.person_ids.append(person_id)
    report.created, report.updated = len(new_people), len(updates)
    people = list(new_people.values())
    for start in range(0, max(len(people), len(emails), len(phones), len(updates)), BATCH):
        await copy_rows(session, Person, people[start : start + BATCH])
        await copy_rows(session, EmailAddress, emails[start : start + BATCH])
        await copy_rows(session, PhoneNumber, phones[start : start + BATCH])
    if updates:
        await session.execute(update(Person), list(updates.values()))


async def _import_row_by_row(
    session: AsyncSession,
    organization: Organization,
    source: CsvSource,
    columns: Mapping[int, str],
    on_progress: Callable[[int], None] | None,
) -> ImportReport:
    phones = PhoneCache(organization.default_country)
    report = ImportReport()
    rows: list[_Row] = []
    for number, cells in enumerate(source.rows, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        report.rows += 1
        parsed = _parse_row(number, cells, columns, phones)
        if isinstance(parsed, RowError):
            report.errors.append(parsed)
        else:
            rows.append(parsed)
        if on_progress is not None and report.rows % BATCH == 0:
            on_progress(report.rows)
    await _write(session, organization, rows, report)
    if on_progress is not None:
        on_progress(report.rows)
    report.person_ids = list(dict.fromkeys(report.person_ids))  # merged rows: one person
    return report


async def import_people(
    session: AsyncSession,
    *,
    organization: Organization,
    data: bytes,
    mapping: Mapping[str, str] | None = None,
    on_progress: Callable[[int], None] | None = None,
    keep_person_ids: bool = True,
) -> ImportReport:
    """Read a CSV file of people and store them, merging with people already stored.

    `on_progress` hears how many rows have been done, as the import goes. The report lists
    the people's ids (to add them to a campaign or a list) unless `keep_person_ids` is false.
    """
    source = open_csv(data)
    columns = map_columns(source.header, mapping or {})
    if not {"phone_number", "email_address"} & set(columns.values()):
        raise Invalid("no column holds phone numbers or email addresses", field="file")
    if session.get_bind().dialect.name == "postgresql":
        report = await import_set_based(
            session,
            organization=organization,
            source=source,
            columns=columns,
            on_progress=on_progress,
            keep_person_ids=keep_person_ids,
        )
    else:
        report = await _import_row_by_row(session, organization, source, columns, on_progress)
    await session.flush()
    return report
