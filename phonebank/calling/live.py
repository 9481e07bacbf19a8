"""The live side of calling: what the engine tells callers' pages, and what pages ask of it.

`BusNotifier` turns the engine's notices into events on the bus (`session:<id>` channels);
`contact_of` and `session_view` describe a session as its caller's page shows it, from the
running engine when there is one and from the record otherwise.
"""

import logging
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from phonebank.callers.models import CallerSession
from phonebank.calling.schemas import Contact, SessionView
from phonebank.calls.models import Call, Result
from phonebank.calls.results import CONVERSATION_DISPOSITIONS
from phonebank.campaigns.models import Campaign
from phonebank.dialer.commands import Reply
from phonebank.dialer.live import Agent
from phonebank.events.bus import EventBus, session_channel
from phonebank.people.models import Person
from phonebank.scripts.models import Script
from phonebank.scripts.schemas import CUSTOM_FIELD_PREFIX, ScriptOut

logger = logging.getLogger("phonebank.calling")


# What a script that selects no field shows: who to ask for, and the number dialed.
DEFAULT_FIELDS = ("given_name", "family_name", "phone_number")
_NAME_FIELDS = ("given_name", "additional_name", "family_name")


def _system_field(person: Person, name: str) -> Any:
    address = person.postal_addresses[0] if person.postal_addresses else None
    if name == "email_address":
        return person.email_addresses[0].address if person.email_addresses else None
    if name == "postal_address":
        return ", ".join(address.address_lines) if address and address.address_lines else None
    if name in ("locality", "region", "postal_code"):
        return getattr(address, name) if address is not None else None
    if name == "languages_spoken":
        return ", ".join(person.languages_spoken) if person.languages_spoken else None
    return getattr(person, name, None)


def visible_contact(
    person: Person,
    call: Call,
    selected_fields: Sequence[str],
    attempt_id: uuid.UUID | None = None,
) -> Contact:
    """The contact as callers may see them: only the script's `selected_fields`.

    Every caller-facing channel (the page, its events, the caller API) describes a contact
    through this one function, so a column the script does not select reaches no caller.
    """
    fields = list(selected_fields) or list(DEFAULT_FIELDS)
    shown = set(fields)
    names = {name: getattr(person, name) if name in shown else None for name in _NAME_FIELDS}
    name = " ".join(part for part in names.values() if part)
    custom = {**(person.custom_fields or {}), **(call.attributes or {})}
    attributes: dict[str, Any] = {}
    for field in fields:
        if field.startswith(CUSTOM_FIELD_PREFIX):
            key = field.removeprefix(CUSTOM_FIELD_PREFIX)
            value = custom.get(key)
        elif field in _NAME_FIELDS or field == "phone_number":
            continue
        else:
            key, value = field, _system_field(person, field)
        if value is not None and value != "":
            attributes[key] = value
    number = call.next_number or (str(call.numbers[0]) if call.numbers else None)
    return Contact(
        call_id=call.id,
        attempt_id=attempt_id,
        person_id=person.id,
        name=name or "(name not shown)",
        given_name=names["given_name"],
        family_name=names["family_name"],
        phone_number=number if "phone_number" in shown else None,
        attributes=attributes,
    )


async def contact_of(
    session: AsyncSession, call_id: uuid.UUID, attempt_id: uuid.UUID | None = None
) -> Contact | None:
    """The person a call is for, as the caller sees them (the script's selected fields)."""
    call = await session.get(Call, call_id)
    if call is None:
        return None
    person = await session.get(Person, call.person_id)
    if person is None:
        return None
    script_id = await session.scalar(
        select(Campaign.script_id).where(Campaign.id == call.campaign_id)
    )
    script = await session.get(Script, script_id) if script_id is not None else None
    selected = script.selected_fields if script is not None else []
    return visible_contact(person, call, selected, attempt_id)


async def script_of_call(session: AsyncSession, call_id: uuid.UUID) -> ScriptOut | None:
    """The script of the call's campaign, as callers read it."""
    campaign_id = await session.scalar(select(Call.campaign_id).where(Call.id == call_id))
    script_id = await session.scalar(select(Campaign.script_id).where(Campaign.id == campaign_id))
    script = await session.get(Script, script_id) if script_id is not None else None
    return ScriptOut.model_validate(script) if script is not None else None


def _agent_call(agent: Agent) -> tuple[uuid.UUID, uuid.UUID] | None:
    placed = agent.preview or (agent.dial.placed if agent.dial is not None else None)
    return (placed.call_id, placed.attempt_id) if placed is not None else None


async def _session_counts(session: AsyncSession, caller_session: CallerSession) -> tuple[int, int]:
    # Results the caller saved in this campaign since the session began: calls, conversations.
    conversation = case((Result.disposition.in_(CONVERSATION_DISPOSITIONS), 1), else_=0)
    statement = select(func.count(Result.id), func.coalesce(func.sum(conversation), 0)).where(
        Result.caller_id == caller_session.caller_id,
        Result.campaign_id == caller_session.campaign_id,
        Result.created_at >= caller_session.started_at,
    )
    if caller_session.ended_at is not None:
        statement = statement.where(Result.created_at <= caller_session.ended_at)
    calls, contacts = (await session.execute(statement)).one()
    return int(calls), int(contacts)


async def session_view(
    session: AsyncSession,
    *,
    caller_session: CallerSession,
    live: Reply | None,
    call_state: str | None = None,
) -> SessionView:
    """A session as its caller's page shows it: live from the engine when it runs."""
    campaign = await session.get_one(Campaign, caller_session.campaign_id)
    agent = live.agent if live is not None else None
    contact = None
    state, since = caller_session.state, caller_session.state_since
    if agent is not None and caller_session.ended_at is None:
        state, since = agent.state, agent.since or since
        if agent.call_id is not None:
            contact = await contact_of(session, agent.call_id, agent.attempt_id)
        if call_state is None:
            call_state = agent.call_state
    calls_made, contacts_made = await _session_counts(session, caller_session)
    return SessionView(
        id=caller_session.id,
        campaign_id=campaign.id,
        campaign_name=campaign.title or campaign.name,
        dialing_mode=campaign.dialing_mode,
        state=state,
        state_since=since,
        started_at=caller_session.started_at,
        ended_at=caller_session.ended_at,
        end_reason=caller_session.end_reason,
        dialer_running=live is not None,
        campaign_status=campaign.status,
        calls_made=calls_made,
        contacts_made=contacts_made,
        contact=contact,
        call_state=call_state,
    )


class BusNotifier:
    """Tells callers' pages what happens, through the event bus."""

    def __init__(self, bus: EventBus, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self.bus = bus
        self.sessionmaker = sessionmaker

    def _send(self, agent: Agent, event: dict[str, Any]) -> None:
        self.bus.publish(session_channel(agent.session_id), event)

    async def _contact_event(self, agent: Agent, kind: str, call_id: uuid.UUID) -> None:
        current = _agent_call(agent)
        attempt_id = current[1] if current is not None else None
        contact = script = None
        try:
            async with self.sessionmaker() as session:
                contact = await contact_of(session, call_id, attempt_id)
                script = await script_of_call(session, call_id)
        except Exception:  # a page missing a contact must never stop the dialer
            logger.exception("could not load the contact of call %s", call_id)
        self._send(
            agent,
            {
                "type": kind,
                "call_id": str(call_id),
                "contact": contact.model_dump(mode="json") if contact is not None else None,
                "script": script.model_dump(mode="json") if script is not None else None,
            },
        )

    async def previewing(self, agent: Agent, call_id: uuid.UUID) -> None:
        """Send the contact to preview."""
        await self._contact_event(agent, "preview", call_id)

    async def connected(self, agent: Agent, call_id: uuid.UUID) -> None:
        """Send the connected contact."""
        await self._contact_event(agent, "connected", call_id)

    async def call_ended(self, agent: Agent, call_id: uuid.UUID) -> None:
        """The contact's call ended (or the caller left it): wrap up."""
        self._send(agent, {"type": "call", "call_id": str(call_id), "state": "ended"})

    def state_changed(self, agent: Agent) -> None:
        """Send the caller's new state."""
        since = agent.since.isoformat() if agent.since is not None else None
        self._send(agent, {"type": "state", "state": agent.state, "since": since})

    async def call_state(self, agent: Agent, call_id: uuid.UUID, state: str) -> None:
        """Send a change of the caller's call (ringing, transferred, ...)."""
        self._send(agent, {"type": "call", "call_id": str(call_id), "state": state})

    def campaign_status(self, agent: Agent, status: str) -> None:
        """Tell the caller's page that the organizer paused, resumed or stopped the campaign."""
        self._send(agent, {"type": "campaign", "status": status})
