"""Importing people from CSV: header detection, column mapping, merging, a per-row report.

Rows are matched to people already stored (and to earlier rows of the same file) by email
address, then by phone number: a match is updated, never duplicated. A row that cannot be read
is reported with its row number (the header is row 1), the field and the reason; the other
rows are imported. Writes are batched: one statement per table per batch of rows.
"""

import csv
import io
import re
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.db import utcnow
from phonebank.errors import Invalid
from phonebank.kit.bulk import copy_rows, new_uuids
from phonebank.kit.phones import PhoneCache
from phonebank.organizations.models import Organization
from phonebank.people.models import EmailAddress, Person, PhoneNumber

FIELDS = ("given_name", "family_name", "phone_number", "email_address")
# What people call these columns in the spreadsheets they export.
ALIASES: dict[str, tuple[str, ...]] = {
    "given_name": ("given_name", "given name", "first_name", "first name", "firstname", "first"),
    "family_name": (
        "family_name", "family name", "last_name", "last name", "lastname", "last", "surname",
    ),
    "phone_number": (
        "phone_number", "phone number", "phone", "mobile", "cell", "telephone", "tel", "number",
    ),
    "email_address": ("email_address", "email address", "email", "e-mail", "mail"),
}  # fmt: skip
BATCH = 5000
SIMPLE_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
MAX_CUSTOM_FIELD_LENGTH = 1000


@dataclass(frozen=True)
class RowError:
    """Why one row was not imported."""

    row: int
    field: str
    reason: str


@dataclass
class ImportReport:
    """What an import did."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)
    person_ids: list[uuid.UUID] = field(default_factory=list)


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


def parse_mapping(pairs: Sequence[str]) -> dict[str, str]:
    """`column=field` pairs (as typed on a command line or sent in a form) as a mapping."""
    mapping = {}
    for index, pair in enumerate(pairs):
        column, sep, target = pair.partition("=")
        if not sep or not column.strip() or not target.strip():
            raise Invalid(
                f"write each mapping as column=field, not {pair!r}", field=f"map[{index}]"
            )
        mapping[column.strip()] = target.strip()
    return mapping


def map_columns(header: Sequence[str], overrides: Mapping[str, str]) -> dict[int, str]:
    """Which field each column fills: overrides (`column=field`) first, then known names.

    Other columns become custom fields named after them; `skip` drops a column.
    """
    by_alias = {alias: name for name, aliases in ALIASES.items() for alias in aliases}
    mapping: dict[int, str] = {}
    lowered = {column.strip().lower(): column for column in overrides}
    for index, column in enumerate(header):
        key = column.strip().lower()
        target = overrides.get(column) or (overrides.get(lowered[key]) if key in lowered else None)
        if target is None:
            target = by_alias.get(key) or by_alias.get(key.replace("-", "_"))
        if target is None:
            target = f"custom_fields.{column.strip()}" if column.strip() else "skip"
        if target != "skip" and target not in FIELDS and not target.startswith("custom_fields."):
            raise Invalid(f"cannot map column {column!r} to {target!r}", field="map")
        mapping[index] = target
    for column in overrides:
        if column not in header and column.strip().lower() not in {h.lower() for h in header}:
            raise Invalid(f"no column {column!r} in the file", field="map")
    return mapping


def read_csv(data: bytes) -> tuple[list[str], Iterator[list[str]]]:
    """The header and the rows of a CSV file (UTF-8, with or without BOM; `,` `;` or tab)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    sample = text[:10_000]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    header = next(reader, None)
    if not header or not any(cell.strip() for cell in header):
        raise Invalid("the file is empty: the first row must name the columns", field="file")
    return header, reader


def _email(raw: str) -> str:
    # Plain addresses take the quick check; anything unusual gets the full validator's verdict.
    if SIMPLE_EMAIL.fullmatch(raw):
        return raw.lower()
    return str(validate_email(raw, check_deliverability=False).normalized).lower()


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
            email = _email(values["email_address"])
        except EmailNotValidError as error:
            return RowError(number, "email_address", str(error))
    if phone is None and email is None:
        return RowError(number, "phone_number", "a row needs a phone number or an email address")
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


async def _existing(
    session: AsyncSession, organization_id: uuid.UUID, rows: Sequence[_Row]
) -> tuple[dict[str, uuid.UUID], dict[str, uuid.UUID]]:
    emails = {row.email for row in rows if row.email}
    phones = {row.phone for row in rows if row.phone}
    by_email: dict[str, uuid.UUID] = {}
    by_phone: dict[str, uuid.UUID] = {}
    if emails:
        for address, person_id in await session.execute(
            select(EmailAddress.address, EmailAddress.person_id).where(
                EmailAddress.organization_id == organization_id, EmailAddress.address.in_(emails)
            )
        ):
            by_email.setdefault(address, person_id)
    if phones:
        for number, person_id in await session.execute(
            select(PhoneNumber.number, PhoneNumber.person_id).where(
                PhoneNumber.organization_id == organization_id, PhoneNumber.number.in_(phones)
            )
        ):
            by_phone.setdefault(number, person_id)
    return by_email, by_phone


async def _write_batch(
    session: AsyncSession, organization: Organization, rows: Sequence[_Row], report: ImportReport
) -> None:
    by_email, by_phone = await _existing(session, organization.id, rows)
    known_emails, known_phones = set(by_email), set(by_phone)
    new_people: dict[uuid.UUID, dict[str, object]] = {}
    updates: dict[uuid.UUID, dict[str, object]] = {}
    phones: list[dict[str, object]] = []
    emails: list[dict[str, object]] = []
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
            report.created += 1
        elif person_id in new_people:
            new_people[person_id].update(names)  # a later row of the same file adds to it
            custom = new_people[person_id]["custom_fields"]
            assert isinstance(custom, dict)
            custom.update(row.custom_fields)
        else:
            if person_id not in updates:
                report.updated += 1
            updates.setdefault(person_id, {"id": person_id, "modified_at": now}).update(names)
        if row.email and row.email not in by_email:
            by_email[row.email] = person_id
            emails.append(
                {
                    "id": next(ids),
                    "person_id": person_id,
                    "organization_id": organization.id,
                    "address": row.email,
                    "primary": person_id in new_people,
                    "position": 0,
                }
            )
        if row.phone and row.phone not in by_phone:
            by_phone[row.phone] = person_id
            phones.append(
                {
                    "id": next(ids),
                    "person_id": person_id,
                    "organization_id": organization.id,
                    "number": row.phone,
                    "primary": person_id in new_people,
                    "country": row.country,
                    "time_zones": row.zones,
                    "position": 0,
                    "do_not_call": False,
                }
            )
        report.person_ids.append(person_id)
    await copy_rows(session, Person, list(new_people.values()))
    if updates:
        await session.execute(update(Person), list(updates.values()))
    # Numbers and addresses already stored (checked above) are not added twice.
    await copy_rows(session, EmailAddress, [e for e in emails if e["address"] not in known_emails])
    await copy_rows(session, PhoneNumber, [p for p in phones if p["number"] not in known_phones])


async def import_people(
    session: AsyncSession,
    *,
    organization: Organization,
    data: bytes,
    mapping: Mapping[str, str] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Read a CSV file of people and store them, merging with people already stored.

    `on_progress` hears how many rows have been read, after each batch.
    """
    header, cells = read_csv(data)
    phones = PhoneCache(organization.default_country)
    columns = map_columns(header, mapping or {})
    if not {"phone_number", "email_address"} & set(columns.values()):
        raise Invalid("no column holds phone numbers or email addresses", field="file")
    report = ImportReport()
    batch: list[_Row] = []
    for number, row in enumerate(cells, start=2):
        if not any(cell.strip() for cell in row):
            continue
        report.rows += 1
        parsed = _parse_row(number, row, columns, phones)
        if isinstance(parsed, RowError):
            report.errors.append(parsed)
            continue
        batch.append(parsed)
        if len(batch) >= BATCH:
            await _write_batch(session, organization, batch, report)
            batch = []
            if on_progress is not None:
                on_progress(report.rows)
    if batch:
        await _write_batch(session, organization, batch, report)
    if on_progress is not None:
        on_progress(report.rows)
    report.person_ids = list(dict.fromkeys(report.person_ids))  # merged rows: one person
    await session.flush()
    return report
