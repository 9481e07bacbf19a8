"""The call lifecycle: every rule about creating and changing a call lives here."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from zoneinfo import available_timezones

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.callers.models import Caller
from phonebank.calls.models import UNDIALED_OUTCOMES, Attempt, Call, Result
from phonebank.calls.policy import RetryPolicy, next_number_index
from phonebank.calls.schemas import AttemptIn, CallCreate
from phonebank.campaigns.models import Campaign
from phonebank.db import utcnow
from phonebank.errors import Conflict, Invalid
from phonebank.kit.cursor import CursorPage, fetch_after
from phonebank.kit.ownership import get_owned
from phonebank.kit.pagination import PageParams, fetch_page
from phonebank.kit.phones import parse_phone
from phonebank.organizations.models import Organization
from phonebank.people.models import Person
from phonebank.webhooks.outbox import Event, campaign_scope, record_events

END_STATES = frozenset({"completed", "cancelled", "expired"})
MAX_NUMBERS_PER_CALL = 3
# Fields a call managed here may not be created with, and why.
_MANAGED_FORBIDDEN = {
    "status": "a call managed here starts as `requested`; status may not be set",
    "attempts": "a call managed here starts with no attempts",
    "result": "a call managed here cannot be created completed",
    "completed_at": "a call managed here cannot be created completed",
    "cancelled_at": "a call managed here cannot be created cancelled",
    "expired_at": "a call managed here cannot be created expired",
}
_EXTERNAL_FORBIDDEN = {
    "type": "an externally managed call may not set `type` (it is `verification`)",
}


@dataclass(frozen=True)
class CallFilters:
    """Narrowing of a call listing."""

    status: str | None = None
    campaign_id: uuid.UUID | None = None
    person_id: uuid.UUID | None = None
    requested_after: datetime | None = None
    updated_after: datetime | None = None


class CallFields(Protocol):
    """What the call rules read and change: a loaded `Call`, or a plain row of its columns."""

    id: uuid.UUID
    organization_id: uuid.UUID
    campaign_id: uuid.UUID
    person_id: uuid.UUID
    status: str
    numbers: list[Any]
    next_number_index: int
    next_number: str | None
    time_zone: str | None
    next_call_at: datetime
    attempts_count: int
    dialing_since: datetime | None
    result: Any
    external_metadata: dict[str, Any] | None
    completed_at: datetime | None
    completed_by_user_uuid: uuid.UUID | None
    cancelled_at: datetime | None
    expired_at: datetime | None


def zone_key(zones: Sequence[str]) -> str | None:
    """The zones a number may ring in, as one `|`-joined key (all must be inside hours)."""
    return "|".join(zones) or None


async def inbox_campaign(
    session: AsyncSession, *, organization: Organization, call_type: str
) -> Campaign:
    """The organization's inbox for calls of `call_type` named no campaign; draft when new."""
    statement = select(Campaign).where(
        Campaign.organization_id == organization.id, Campaign.inbox_type == call_type
    )
    campaign = await session.scalar(statement)
    if campaign is not None:
        return campaign
    campaign = Campaign(
        organization_id=organization.id,
        name=f"Inbox: {call_type.replace('_', ' ')} calls",
        description="Calls created through the API without a campaign.",
        status="draft",
        inbox_type=call_type,
        time_zone=organization.default_time_zone,
    )
    try:
        async with session.begin_nested():
            session.add(campaign)
    except IntegrityError:
        # Another request made the inbox at the same moment; use theirs.
        return (await session.scalars(statement)).one()
    return campaign


def _person_numbers(person: Person) -> list[tuple[str, list[str]]]:
    usable = [number for number in person.phone_numbers if not number.do_not_call]
    usable.sort(key=lambda number: (not number.primary, number.position))
    return [(number.number, list(number.time_zones)) for number in usable][:MAX_NUMBERS_PER_CALL]


def _given_numbers(organization: Organization, raw: Sequence[str]) -> list[tuple[str, list[str]]]:
    parsed = [
        parse_phone(value, default_country=organization.default_country, field=f"numbers[{i}]")
        for i, value in enumerate(raw)
    ]
    return [(number.e164, list(number.time_zones)) for number in parsed]


def _check_forbidden(data: CallCreate, forbidden: dict[str, str]) -> None:
    for field in sorted(data.model_fields_set & forbidden.keys()):
        if getattr(data, field) is not None:
            raise Invalid(forbidden[field], field=field)


async def create_call(
    session: AsyncSession, *, organization: Organization, data: CallCreate
) -> Call:
    """Create a call; a repeated client uuid is a Conflict and creates nothing."""
    external = data.external_metadata is not None
    _check_forbidden(data, _EXTERNAL_FORBIDDEN if external else _MANAGED_FORBIDDEN)
    if data.id is not None and await session.get(Call, data.id) is not None:
        raise Conflict(f"a call with uuid {data.id} already exists", field="uuid")
    person = await get_owned(
        session,
        Person,
        data.person_id,
        organization_id=organization.id,
        what="person",
        field="person_id",
    )
    call_type = "verification" if external else (data.type or "verification")
    if data.campaign_id is not None:
        campaign = await get_owned(
            session,
            Campaign,
            data.campaign_id,
            organization_id=organization.id,
            what="campaign",
            field="campaign_id",
        )
    else:
        campaign = await inbox_campaign(session, organization=organization, call_type=call_type)
    if data.preferred_caller_id is not None:
        await get_owned(
            session,
            Caller,
            data.preferred_caller_id,
            organization_id=organization.id,
            what="caller",
            field="preferred_caller_id",
        )
    if data.time_zone is not None and data.time_zone not in available_timezones():
        raise Invalid(f"unknown time zone {data.time_zone!r}", field="time_zone")
    numbers = (
        _given_numbers(organization, data.numbers)
        if data.numbers is not None
        else _person_numbers(person)
    )
    now = utcnow()
    call = Call(
        id=data.id or uuid.uuid4(),
        organization_id=organization.id,
        campaign_id=campaign.id,
        person_id=person.id,
        status=(data.status or "requested") if external else "requested",
        type=call_type,
        numbers=[number for number, _ in numbers],
        next_number=numbers[0][0] if numbers else None,
        time_zone=data.time_zone or zone_key(numbers[0][1] if numbers else []),
        priority=data.priority,
        next_call_at=data.next_call_at or data.requested_at or now,
        preferred_caller_id=data.preferred_caller_id,
        attributes=data.attributes,
        notes=data.notes,
        result=data.result,
        external_metadata=data.external_metadata,
        pledge_case_uuid=data.pledge_case_uuid,
        requested_at=data.requested_at or now,
        requested_by_user_uuid=data.requested_by_user_uuid,
        completed_at=data.completed_at,
        cancelled_at=data.cancelled_at,
        expired_at=data.expired_at,
        attempts=[
            Attempt(
                campaign_id=campaign.id,
                user_uuid=attempt.user_uuid,
                attempted_at=attempt.attempted_at or now,
                outcome=attempt.outcome,
                number=attempt.number,
            )
            for attempt in data.attempts or []
        ],
        attempts_count=sum(
            1 for attempt in data.attempts or [] if attempt.outcome not in UNDIALED_OUTCOMES
        ),
    )
    try:
        async with session.begin_nested():
            session.add(call)
    except IntegrityError:
        # Two posts of the same uuid raced past the check above; the database decided.
        raise Conflict(f"a call with uuid {call.id} already exists", field="uuid") from None
    return call


async def get_call(
    session: AsyncSession, *, organization_id: uuid.UUID, call_id: uuid.UUID
) -> Call:
    """One call of the organization, or NotFound."""
    return await get_owned(session, Call, call_id, organization_id=organization_id, what="call")


async def delete_call(session: AsyncSession, *, call: Call) -> None:
    """Remove a call with its attempts and results; one being dialed right now stays."""
    if call.dialing_since is not None:
        raise Conflict("the call is being dialed right now; try again when the dial has ended")
    await session.delete(call)
    await session.flush()


def status_events(call: CallFields, previous: str) -> list[Event]:
    """A `call.status_changed` event if the call left `previous`, else none."""
    if call.status == previous:
        return []
    at = {"completed": call.completed_at, "cancelled": call.cancelled_at,
          "expired": call.expired_at}.get(call.status)  # fmt: skip
    return [
        Event(
            organization_id=call.organization_id,
            type="call.status_changed",
            data={"call_id": call.id, "campaign_id": call.campaign_id, "person_id": call.person_id,
                  "from": previous, "to": call.status, "at": at, "result": call.result},
            scopes=(campaign_scope(call.campaign_id),),
            at=at,
        )
    ]  # fmt: skip


def _require_changeable(call: CallFields, action: str) -> None:
    if call.external_metadata is not None:
        raise Conflict(f"cannot {action}: this call is managed externally and cannot be changed")
    if call.status in END_STATES:
        raise Conflict(f"cannot {action}: the call is already {call.status}, which is final")


async def campaign_max_attempts(session: AsyncSession, campaign: Campaign) -> int:
    """Attempts a call of the campaign gets: its retries + 1, never above the organization's
    maximum (the owning organization decides how many attempts a person gets)."""
    organization = await session.get_one(Organization, campaign.organization_id)
    return min(campaign.retry_count + 1, organization.max_call_attempts)


async def add_attempt(
    session: AsyncSession, *, call: Call, data: AttemptIn, now: datetime | None = None
) -> Attempt:
    """Record an attempt; the last allowed one expires the call unless it reached a human."""
    _require_changeable(call, "add an attempt")
    now = now or utcnow()
    attempt = Attempt(
        call_id=call.id,
        campaign_id=call.campaign_id,
        user_uuid=data.user_uuid,
        attempted_at=data.attempted_at or now,
        outcome=data.outcome,
        number=data.number or call.next_number,
    )
    call.attempts.append(attempt)
    if data.outcome not in UNDIALED_OUTCOMES:
        # Recorded either way, but only a dial uses up one of the call's attempts.
        call.attempts_count += 1
    campaign = await session.get_one(Campaign, call.campaign_id)
    conclude_attempt(
        call,
        campaign,
        max_attempts=await campaign_max_attempts(session, campaign),
        outcome=data.outcome,
        at=attempt.attempted_at,
        now=now,
    )
    await session.flush()
    await record_events(session, [attempt_event(call, attempt), *status_events(call, "requested")])
    return attempt


def attempt_event(call: Call, attempt: Attempt) -> Event:
    """The `attempt.completed` event of an attempt reported through the API."""
    return Event(
        organization_id=call.organization_id,
        type="attempt.completed",
        data={"attempt_id": attempt.id, "call_id": call.id, "campaign_id": call.campaign_id,
              "number": attempt.number, "outcome": attempt.outcome, "cause": None,
              "caller_id": attempt.caller_id, "attempted_at": attempt.attempted_at,
              "call_status": call.status, "attempts_count": call.attempts_count},
        scopes=(campaign_scope(call.campaign_id),),
        at=attempt.attempted_at,
    )  # fmt: skip


def conclude_attempt(
    call: CallFields,
    campaign: Campaign,
    *,
    max_attempts: int,
    outcome: str | None,
    at: datetime,
    now: datetime,
) -> None:
    """What an attempt's outcome does to its call: the last allowed one expires it (OBI
    MAXCALLS) unless a human was reached (their result ends the call), others reschedule.
    A number never dialed changes nothing, but a caller's skip sends the contact to the back
    of the line."""
    if outcome in UNDIALED_OUTCOMES:
        if outcome == "skipped":
            schedule_next_attempt(call, campaign, outcome=outcome, now=now)
    elif call.attempts_count >= max_attempts and outcome != "human":
        call.status = "expired"
        call.expired_at = at
    elif outcome is not None:
        schedule_next_attempt(call, campaign, outcome=outcome, now=now)


def retry_policy(campaign: Campaign) -> RetryPolicy:
    """The campaign's waits between attempts, by outcome."""
    return RetryPolicy(
        busy_seconds=campaign.retry_delay_busy_seconds,
        no_answer_seconds=campaign.retry_delay_no_answer_seconds,
        machine_seconds=campaign.retry_delay_machine_seconds,
        failed_seconds=campaign.retry_delay_failed_seconds,
        abandoned_seconds=campaign.retry_delay_abandoned_seconds,
    )


def schedule_next_attempt(
    call: CallFields, campaign: Campaign, *, outcome: str, now: datetime
) -> None:
    """After an attempt with `outcome`: when to try again, and which number to dial then."""
    delay = retry_policy(campaign).delay(outcome)
    if delay is not None:
        call.next_call_at = now + delay
    index = next_number_index(call.next_number_index, len(call.numbers), outcome)
    if index != call.next_number_index:
        call.next_number_index = index
        call.next_number = call.numbers[index]
        zones = parse_phone(call.next_number, default_country="US").time_zones
        call.time_zone = zone_key(zones) or call.time_zone


async def complete_call(
    session: AsyncSession,
    *,
    call: Call,
    user_uuid: uuid.UUID | None,
    result: Any,
    completed_at: datetime | None = None,
) -> Call:
    """Mark a requested call completed with its result, recorded as a caller's save is (a
    result of its latest attempt), so every figure counted from the record agrees."""
    mark_completed(call, user_uuid=user_uuid, result=result, completed_at=completed_at)
    await _record_result(session, call=call, result=result)
    await session.flush()
    await record_events(session, status_events(call, "requested"))
    return call


def reported_disposition(result: Any) -> str:
    """The disposition of a result a client reported: its own `disposition` when it gives one,
    else `completed` (the call reached its end)."""
    given = result.get("disposition") if isinstance(result, dict) else None
    if isinstance(given, str) and given.strip():
        return given.strip()[:100]
    return "completed"


async def _record_result(session: AsyncSession, *, call: Call, result: Any) -> None:
    # The latest attempt reached the person: a completion proves the talk happened, as a
    # caller's save does. An attempt that already has a result keeps it.
    dialed = [attempt for attempt in call.attempts if attempt.outcome not in UNDIALED_OUTCOMES]
    latest = dialed[-1] if dialed else None
    if latest is not None:
        await session.flush()  # the attempt's id
        saved = await session.scalar(select(Result.id).where(Result.attempt_id == latest.id))
        if saved is not None:
            return
        if latest.outcome is None:
            latest.outcome = "human"
    session.add(
        Result(
            call_id=call.id,
            campaign_id=call.campaign_id,
            attempt_id=latest.id if latest is not None else None,
            caller_id=latest.caller_id if latest is not None else None,
            disposition=reported_disposition(result),
        )
    )


def mark_completed(
    call: CallFields, *, user_uuid: uuid.UUID | None, result: Any, completed_at: datetime | None
) -> None:
    """The completion rule itself, for callers that flush many calls at once."""
    _require_changeable(call, "complete")
    call.status = "completed"
    call.result = result
    call.completed_by_user_uuid = user_uuid
    call.completed_at = completed_at or utcnow()


async def cancel_call(
    session: AsyncSession, *, call: Call, cancelled_at: datetime | None = None
) -> Call:
    """Cancel a requested call: it will never be dialed."""
    _require_changeable(call, "cancel")
    call.status = "cancelled"
    call.cancelled_at = cancelled_at or utcnow()
    await session.flush()
    await record_events(session, status_events(call, "requested"))
    return call


async def expire_call(
    session: AsyncSession, *, call: Call, expired_at: datetime | None = None
) -> Call:
    """Expire a requested call."""
    _require_changeable(call, "expire")
    call.status = "expired"
    call.expired_at = expired_at or utcnow()
    await session.flush()
    await record_events(session, status_events(call, "requested"))
    return call


def _filtered(organization_id: uuid.UUID, filters: CallFilters) -> Select[Any]:
    statement = select(Call).where(Call.organization_id == organization_id)
    if filters.status:
        statement = statement.where(Call.status == filters.status)
    if filters.campaign_id:
        statement = statement.where(Call.campaign_id == filters.campaign_id)
    if filters.person_id:
        statement = statement.where(Call.person_id == filters.person_id)
    if filters.requested_after:
        statement = statement.where(Call.requested_at > filters.requested_after)
    if filters.updated_after:
        statement = statement.where(Call.modified_at > filters.updated_after)
    return statement


async def list_calls(
    session: AsyncSession,
    *,
    organization_id: uuid.UUID,
    filters: CallFilters,
    params: PageParams,
) -> tuple[Sequence[Call], int]:
    """A page of the organization's calls, newest first."""
    statement = _filtered(organization_id, filters).order_by(Call.created_at.desc(), Call.id.desc())
    return await fetch_page(session, statement, params)


async def list_calls_after(
    session: AsyncSession,
    *,
    organization_id: uuid.UUID,
    filters: CallFilters,
    first: int,
    after: str | None,
) -> CursorPage:
    """Up to `first` calls after a cursor, newest first."""
    return await fetch_after(
        session,
        _filtered(organization_id, filters),
        created_at=Call.created_at,
        id_column=Call.id,
        first=first,
        after=after,
    )


async def request_call(
    session: AsyncSession, *, organization: Organization, person: Person, campaign_id: uuid.UUID
) -> Call:
    """A call to the person in the campaign: the one already waiting there, else a new one."""
    campaign = await get_owned(
        session,
        Campaign,
        campaign_id,
        organization_id=organization.id,
        what="campaign",
        field="campaign_id",
    )
    waiting = await session.scalar(
        select(Call)
        .where(
            Call.campaign_id == campaign.id,
            Call.person_id == person.id,
            Call.status == "requested",
        )
        .limit(1)
    )
    if waiting is not None:
        return waiting
    call = await create_call(
        session,
        organization=organization,
        data=CallCreate(person_id=person.id, campaign_id=campaign.id),
    )
    await session.flush()
    return call
