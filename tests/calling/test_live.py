"""The engine's notices as live events on the bus: what a caller's page receives."""

import asyncio
import uuid
from typing import Any

from phonebank.calling.live import visible_contact
from phonebank.calls.models import Call
from phonebank.events.bus import session_channel
from phonebank.people.models import EmailAddress, Person
from tests.calling.conftest import Desk, DeskMaker


async def _drain(events: Any) -> list[dict[str, Any]]:
    seen = []
    while True:
        try:
            seen.append(await asyncio.wait_for(anext(events), 0.05))
        except TimeoutError:
            return seen


async def test_a_session_hears_its_states_contact_script_and_end(desk: Desk) -> None:
    csrf = await desk.login()
    session_id = await desk.join(csrf)
    async with desk.bus.subscribe(session_channel(session_id)) as events:
        await desk.run(1)
        carrier_call_id = desk.carrier.carrier_call_ids[-1]
        await desk.carrier.send(carrier_call_id, "ringing")
        await desk.carrier.send(carrier_call_id, "answered", answered_by="human")
        await desk.run(0)
        await desk.client.post(f"/api/v1/caller/sessions/{session_id}/hangup", headers=csrf)
        await desk.run(0)
        kicked = await desk.client.post(
            f"/api/v1/caller_sessions/{session_id}/kick", headers=desk.tenant.headers
        )
        assert kicked.status_code == 200
        seen = await _drain(events)
    kinds = [event["type"] for event in seen]
    assert kinds.index("connected") < kinds.index("call") < kinds.index("ended")
    connected = next(event for event in seen if event["type"] == "connected")
    assert connected["contact"]["name"] == "Pat0 Lee"
    assert [q["name"] for q in connected["script"]["questions"]] == ["support", "issues", "comment"]
    states = [event["state"] for event in seen if event["type"] == "state"]
    assert states[:2] == ["connected", "wrap_up"]
    assert {"type": "call", "call_id": connected["call_id"], "state": "ended"} in seen
    assert seen[kinds.index("ended")]["reason"] == "kicked"


def test_callers_see_only_the_selected_fields() -> None:
    """A contact's email, and any column the script does not select, reaches no caller."""
    person = Person(
        id=uuid.uuid4(),
        given_name="Ada",
        family_name="Okafor",
        gender="female",
        custom_fields={"ward": "3", "income": "secret"},
        email_addresses=[EmailAddress(address="ada@example.org")],
        postal_addresses=[],
    )
    call = Call(id=uuid.uuid4(), numbers=["+14155550123"], next_number="+14155550123")
    call.attributes = {"segment": "b"}

    selected = visible_contact(person, call, ["given_name", "custom_fields.ward", "gender"])
    assert selected.name == "Ada" and selected.family_name is None
    assert selected.phone_number is None
    assert selected.attributes == {"ward": "3", "gender": "female"}

    by_default = visible_contact(person, call, [])
    assert by_default.name == "Ada Okafor" and by_default.phone_number == "+14155550123"
    assert by_default.attributes == {}

    with_email = visible_contact(person, call, ["email_address", "custom_fields.segment"])
    assert with_email.attributes == {"email_address": "ada@example.org", "segment": "b"}
    assert with_email.name == "(name not shown)"


async def test_the_organizers_pause_and_stop_reach_every_session(desk: Desk) -> None:
    csrf = await desk.login()
    session_id = await desk.join(csrf)
    async with desk.bus.subscribe(session_channel(session_id)) as events:
        for action in ("pause", "resume", "stop"):
            changed = await desk.client.post(
                f"/api/v1/campaigns/{desk.campaign.id}/{action}", headers=desk.tenant.headers
            )
            assert changed.status_code == 200, changed.text
            await desk.run(2)
        seen = await _drain(events)
    statuses = [event["status"] for event in seen if event["type"] == "campaign"]
    assert statuses == ["paused", "started", "stopped"]


async def test_a_preview_dial_nobody_takes_is_told_with_its_outcome(make_desk: DeskMaker) -> None:
    desk = await make_desk("preview")
    csrf = await desk.login()
    session_id = await desk.join(csrf)
    await desk.run(1)
    async with desk.bus.subscribe(session_channel(session_id)) as events:
        dialed = await desk.client.post(
            f"/api/v1/caller/sessions/{session_id}/preview/dial", headers=csrf
        )
        assert dialed.status_code == 200, dialed.text
        await desk.run(0)
        await desk.carrier.send(desk.carrier.carrier_call_ids[-1], "completed", cause="busy")
        await desk.run(0)
        seen = await _drain(events)
    calls = [event["state"] for event in seen if event["type"] == "call"]
    assert calls[-1] == "busy"
    states = [event["state"] for event in seen if event["type"] == "state"]
    assert "available" in states or "previewing" in states
