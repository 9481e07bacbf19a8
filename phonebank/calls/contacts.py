"""Calls that bring their own contact: a person is made for each, many at once.

Contact-center clients (OBI customers) send the numbers to dial with each call rather than a
person already stored. Every entry is checked on its own, so a bulk add can say which entries
were refused and why; the accepted ones are written with one multi-row INSERT per table.
"""

import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any
from zoneinfo import available_timezones

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.callers.models import Caller
from phonebank.calls.models import Call
from phonebank.calls.service import MAX_NUMBERS_PER_CALL, zone_key
from phonebank.campaigns.models import Campaign
from phonebank.db import utcnow
from phonebank.errors import Conflict, DomainError, Invalid
from phonebank.kit.phones import ParsedPhone, country_for_zone, parse_phone
from phonebank.organizations.models import Organization
from phonebank.people.models import Person, PhoneNumber

CALL_DIALING_MODES = ("preview", "predictive")


@cache
def _zones() -> frozenset[str]:
    # Reading the zone database takes milliseconds; a bulk add checks thousands of entries.
    return frozenset(available_timezones())


@dataclass(frozen=True)
class ContactCall:
    """One call to add, with the numbers of the contact it reaches."""

    numbers: Sequence[str]
    external_id: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    next_call_at: datetime | None = None
    preferred_caller_id: uuid.UUID | None = None
    dialing_mode: str | None = None
    preview_seconds: int | None = None
    priority: int = 0
    time_zone: str | None = None


@dataclass(frozen=True)
class ContactCallOutcome:
    """What became of one entry: its new call id, or why it was refused."""

    call_id: uuid.UUID | None = None
    error: DomainError | None = None

    @property
    def accepted(self) -> bool:
        """Whether the entry passed every check."""
        return self.error is None


def _numbers(organization: Organization, entry: ContactCall) -> list[ParsedPhone]:
    numbers = [number.strip() for number in entry.numbers if number and number.strip()]
    if not numbers:
        raise Invalid("at least one phone number is required", field="numbers")
    if len(numbers) > MAX_NUMBERS_PER_CALL:
        raise Invalid(
            f"at most {MAX_NUMBERS_PER_CALL} numbers per call, got {len(numbers)}", field="numbers"
        )
    # A number in national form belongs to the country of the contact's zone when one is given.
    country = country_for_zone(entry.time_zone) or organization.default_country
    return [
        parse_phone(raw, default_country=country, field=f"numbers[{index}]")
        for index, raw in enumerate(numbers)
    ]


def _check_entry(entry: ContactCall, callers: set[uuid.UUID]) -> None:
    if entry.time_zone is not None and entry.time_zone not in _zones():
        raise Invalid(f"unknown time zone {entry.time_zone!r}", field="time_zone")
    if entry.dialing_mode is not None and entry.dialing_mode not in CALL_DIALING_MODES:
        raise Invalid(f"unknown dialing mode {entry.dialing_mode!r}", field="dialing_mode")
    if entry.preview_seconds is not None and not 0 <= entry.preview_seconds <= 3600:
        raise Invalid("preview time must be between 0 and 3600 seconds", field="preview_seconds")
    if entry.preferred_caller_id is not None and entry.preferred_caller_id not in callers:
        raise Invalid(
            f"no caller {entry.preferred_caller_id} in this organization",
            field="preferred_caller_id",
        )
    if entry.external_id is not None and not 0 < len(entry.external_id) <= 200:
        raise Invalid("an external id has 1 to 200 characters", field="external_id")


async def _known_callers(
    session: AsyncSession, organization: Organization, entries: Sequence[ContactCall]
) -> set[uuid.UUID]:
    wanted = {entry.preferred_caller_id for entry in entries if entry.preferred_caller_id}
    if not wanted:
        return set()
    rows = await session.scalars(
        select(Caller.id).where(Caller.organization_id == organization.id, Caller.id.in_(wanted))
    )
    return set(rows)


async def _taken_external_ids(
    session: AsyncSession, campaign: Campaign, entries: Sequence[ContactCall]
) -> set[str]:
    given = [entry.external_id for entry in entries if entry.external_id is not None]
    counts = Counter(given)
    taken = {external_id for external_id, count in counts.items() if count > 1}
    for start in range(0, len(counts), 500):
        chunk = list(counts)[start : start + 500]
        rows = await session.scalars(
            select(Call.external_id).where(
                Call.campaign_id == campaign.id, Call.external_id.in_(chunk)
            )
        )
        taken.update(row for row in rows if row is not None)
    return taken


INSERT_CHUNK = 1000


async def _insert(
    session: AsyncSession,
    organization: Organization,
    campaign: Campaign,
    chunk: Sequence[tuple[ContactCall, list[ParsedPhone], uuid.UUID]],
    *,
    now: datetime,
    first: int,
) -> None:
    """Write the contacts, numbers and calls of accepted entries (three statements)."""
    people: list[dict[str, Any]] = []
    phones: list[dict[str, Any]] = []
    calls: list[dict[str, Any]] = []
    for index, (entry, numbers, call_id) in enumerate(chunk, start=first):
        person_id = uuid.uuid4()
        people.append(
            {
                "id": person_id,
                "organization_id": organization.id,
                "given_name": entry.given_name,
                "family_name": entry.family_name,
                "languages_spoken": [],
                "custom_fields": {},
            }
        )
        phones.extend(
            {
                "id": uuid.uuid4(),
                "person_id": person_id,
                "organization_id": organization.id,
                "position": position,
                "number": number.e164,
                "primary": position == 0,
                "country": number.country,
                "time_zones": list(number.time_zones),
            }
            for position, number in enumerate(numbers)
        )
        calls.append(
            {
                "id": call_id,
                "organization_id": organization.id,
                "campaign_id": campaign.id,
                "person_id": person_id,
                "status": "requested",
                "type": "verification",
                "numbers": [number.e164 for number in numbers],
                "next_number_index": 0,
                "next_number": numbers[0].e164,
                "time_zone": entry.time_zone or zone_key(numbers[0].time_zones),
                "priority": entry.priority,
                "next_call_at": entry.next_call_at or now,
                "preferred_caller_id": entry.preferred_caller_id,
                "attributes": entry.attributes,
                "external_id": entry.external_id or call_id.hex.upper(),
                "dialing_mode": entry.dialing_mode,
                "preview_seconds": entry.preview_seconds,
                "attempts_count": 0,
                "requested_at": now,
                # A microsecond apart, so listings keep the order the entries were sent in.
                "created_at": now + timedelta(microseconds=index),
            }
        )
    await session.execute(insert(Person), people)
    await session.execute(insert(PhoneNumber), phones)
    await session.execute(insert(Call), calls)


async def add_contact_calls(
    session: AsyncSession,
    *,
    organization: Organization,
    campaign: Campaign,
    entries: Sequence[ContactCall],
    all_or_nothing: bool = False,
    dry_run: bool = False,
) -> list[ContactCallOutcome]:
    """Check every entry and add a call (and its contact) for each accepted one.

    An external id must be unique in the campaign (the call's id in hex when none is given).
    With `all_or_nothing`, one refused entry means nothing is added; the accepted entries are
    then reported without a call id, as they are by a `dry_run`, which only checks.
    """
    callers = await _known_callers(session, organization, entries)
    taken = await _taken_external_ids(session, campaign, entries)
    outcomes: list[ContactCallOutcome] = []
    accepted: list[tuple[ContactCall, list[ParsedPhone], uuid.UUID]] = []
    for entry in entries:
        try:
            _check_entry(entry, callers)
            if entry.external_id is not None and entry.external_id in taken:
                raise Conflict(
                    f"external id {entry.external_id!r} is not unique in the campaign",
                    field="external_id",
                )
            numbers = _numbers(organization, entry)
        except DomainError as error:
            # Kept without its traceback: frames would hold every entry alive in cycles.
            error.__context__ = None
            outcomes.append(ContactCallOutcome(error=error.with_traceback(None)))
            continue
        call_id = uuid.uuid4()
        outcomes.append(ContactCallOutcome(call_id=call_id))
        accepted.append((entry, numbers, call_id))
    if dry_run or (all_or_nothing and any(not outcome.accepted for outcome in outcomes)):
        return [outcome if not outcome.accepted else ContactCallOutcome() for outcome in outcomes]
    if accepted:
        try:
            async with session.begin_nested():
                # Rows are built and written a chunk at a time: a large list stays small in memory.
                now = utcnow()
                for start in range(0, len(accepted), INSERT_CHUNK):
                    chunk = accepted[start : start + INSERT_CHUNK]
                    await _insert(session, organization, campaign, chunk, now=now, first=start)
        except IntegrityError:
            # Another request added one of these external ids at the same moment.
            raise Conflict(
                "an external id was added to the campaign at the same moment; retry",
                field="external_id",
            ) from None
    return outcomes
