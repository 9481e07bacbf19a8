"""The engine's notices as live events on the bus: what a caller's page receives."""

import asyncio
from typing import Any

from phonebank.events.bus import session_channel
from tests.calling.conftest import Desk


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
