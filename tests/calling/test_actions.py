"""Caller actions beyond the basic journey: preview, pause, voicemail, leaving, the script."""

import uuid
from datetime import timedelta

from sqlalchemy import select

from phonebank.calls.models import Attempt
from tests.calling.conftest import Desk, DeskMaker


async def test_preview_shows_the_contact_then_dials_or_skips(make_desk: DeskMaker) -> None:
    desk: Desk = await make_desk("preview")
    csrf = await desk.login()
    session_id = await desk.join(csrf)
    await desk.run(1)
    view = (await desk.client.get(f"/api/v1/caller/sessions/{session_id}")).json()
    assert view["state"] == "previewing"
    first = view["contact"]["call_id"]
    assert desk.carrier.originations == []  # nothing is dialed before the caller says so

    skipped = await desk.client.post(
        f"/api/v1/caller/sessions/{session_id}/preview/skip", headers=csrf
    )
    assert skipped.status_code == 200
    await desk.run(1)
    view = (await desk.client.get(f"/api/v1/caller/sessions/{session_id}")).json()
    assert view["state"] == "previewing" and view["contact"]["call_id"] != first

    dialed = await desk.client.post(
        f"/api/v1/caller/sessions/{session_id}/preview/dial", headers=csrf
    )
    assert dialed.json()["state"] == "dialing"
    assert len(desk.carrier.originations) == 1
    await desk.carrier.send(desk.carrier.carrier_call_ids[0], "ringing")
    await desk.run(0)
    ringing = (await desk.client.get(f"/api/v1/caller/sessions/{session_id}")).json()
    assert ringing["call_state"] == "ringing"
    again = await desk.client.post(
        f"/api/v1/caller/sessions/{session_id}/preview/dial", headers=csrf
    )
    assert again.status_code == 409


async def test_a_skipped_contact_is_recorded_as_skipped_and_is_no_dial(
    make_desk: DeskMaker,
) -> None:
    desk: Desk = await make_desk("preview")
    csrf = await desk.login()
    session_id = await desk.join(csrf)
    await desk.run(1)
    view = (await desk.client.get(f"/api/v1/caller/sessions/{session_id}")).json()
    first = uuid.UUID(view["contact"]["call_id"])
    skipped = await desk.client.post(
        f"/api/v1/caller/sessions/{session_id}/preview/skip", headers=csrf
    )
    assert skipped.status_code == 200
    await desk.dialer.store.flush(campaign=desk.dialer.campaign, now=desk.clock.now())

    async with desk.sessionmaker() as session:
        [attempt] = await session.scalars(select(Attempt).where(Attempt.call_id == first))
    assert (attempt.outcome, attempt.caller_id) == ("skipped", desk.caller.id)
    call = await desk.call(first)
    wait = timedelta(seconds=desk.campaign.retry_delay_no_answer_seconds)
    assert (call.attempts_count, call.next_call_at) == (0, desk.clock.now() + wait)
    figures = (
        await desk.client.get(
            f"/api/v1/campaigns/{desk.campaign.id}/live", headers=desk.tenant.headers
        )
    ).json()
    assert figures["dials"] == 1  # the attempt open on the next contact shown; the skip is none


async def test_pause_only_between_calls(desk: Desk) -> None:
    csrf = await desk.login()
    session_id = await desk.join(csrf)
    url = f"/api/v1/caller/sessions/{session_id}/pause"
    paused = await desk.client.post(url, json={"paused": True}, headers=csrf)
    assert paused.json()["state"] == "paused"
    await desk.run(5)
    assert desk.carrier.originations == []  # a paused caller is offered nothing
    back = await desk.client.post(url, json={"paused": False}, headers=csrf)
    assert back.json()["state"] == "available"
    await desk.connect(session_id)
    refused = await desk.client.post(url, json={"paused": True}, headers=csrf)
    assert refused.status_code == 409


async def test_voicemail_drop_plays_the_message_and_wraps_up(desk: Desk) -> None:
    csrf = await desk.login()
    session_id = await desk.join(csrf)
    carrier_call_id = await desk.connect(session_id)
    dropped = await desk.client.post(
        f"/api/v1/caller/sessions/{session_id}/voicemail", headers=csrf
    )
    assert dropped.status_code == 200 and dropped.json()["state"] == "wrap_up"
    assert desk.carrier.plays == [(carrier_call_id, "https://example.org/voicemail.mp3", None)]


async def test_leaving_mid_call_hangs_up_and_ends_the_session(desk: Desk) -> None:
    csrf = await desk.login()
    session_id = await desk.join(csrf)
    carrier_call_id = await desk.connect(session_id)
    left = await desk.client.delete(f"/api/v1/caller/sessions/{session_id}", headers=csrf)
    assert left.status_code == 200 and left.json()["state"] == "ended"
    assert carrier_call_id in desk.carrier.hangups
    assert session_id not in desk.dialer.agents
    current = await desk.client.get("/api/v1/caller/sessions/current")
    assert current.status_code == 404


async def test_joining_again_ends_the_previous_session(desk: Desk) -> None:
    csrf = await desk.login()
    first = await desk.join(csrf)
    second = await desk.join(csrf)
    assert first not in desk.dialer.agents and second in desk.dialer.agents
    old = (await desk.client.get(f"/api/v1/caller/sessions/{first}")).json()
    assert old["state"] == "ended" and old["end_reason"] == "rejoined"
    current = (await desk.client.get("/api/v1/caller/sessions/current")).json()
    assert current["id"] == str(second)


async def test_a_stopped_campaign_takes_no_callers(desk: Desk) -> None:
    csrf = await desk.login()
    stopped = await desk.client.post(
        f"/api/v1/campaigns/{desk.campaign.id}/stop", headers=desk.tenant.headers
    )
    assert stopped.status_code == 200
    response = await desk.client.post(
        "/api/v1/caller/sessions", json={"campaign_id": str(desk.campaign.id)}, headers=csrf
    )
    assert response.status_code == 409 and response.json()["field"] == "campaign_id"


async def test_a_voicemail_is_a_machine_outcome_retried_by_the_campaigns_policy(
    desk: Desk,
) -> None:
    csrf = await desk.login()
    session_id = await desk.join(csrf)
    carrier_call_id = await desk.connect(session_id)
    call_id = desk.dialer.agents[session_id].dial.placed.call_id  # type: ignore[union-attr]
    await desk.client.post(f"/api/v1/caller/sessions/{session_id}/voicemail", headers=csrf)
    saved = await desk.client.post(
        f"/api/v1/caller/sessions/{session_id}/result",
        json={"disposition": "voicemail", "then": "stop"},
        headers=csrf,
    )
    assert saved.status_code == 201, saved.text
    # The message ends the call afterwards: the dialer's record agrees it was a machine.
    await desk.carrier.send(carrier_call_id, "completed")
    await desk.run(5)
    call = await desk.call(call_id)
    assert call.status == "requested"
    wait = (call.next_call_at - desk.clock.now()).total_seconds()
    machine_wait = desk.campaign.retry_delay_machine_seconds
    assert machine_wait - 10 <= wait <= machine_wait
    async with desk.sessionmaker() as session:
        outcomes = list(
            await session.scalars(select(Attempt.outcome).where(Attempt.call_id == call_id))
        )
    assert outcomes == ["machine"]
