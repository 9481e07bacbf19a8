"""A phones-only caller during a call: the `*` menu (back, hang up, transfers) and the room's
events that bring the caller to the result menus when the contact hangs up."""

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI

from phonebank.dialer.carriers.twilio import TwilioConfig
from tests.calling.conftest import Desk
from tests.telephony.dialing_in import (
    PUBLIC_URL,
    conference_of,
    gather_action,
    log_in,
    twilio_posts,
)
from tests.telephony.loopback import ACCOUNT_SID, AUTH_TOKEN, CALLER_NUMBER
from tests.telephony.standin import StandInCall, TwilioStandIn, twilio_signature

CALLER_LEG = "CAphone"  # the CallSid `twilio_posts` sends for the caller's own call


async def on_a_call(desk: Desk) -> tuple[uuid.UUID, str, str]:
    """Log in and be connected; the session, the contact's carrier id, and the `*` URL."""
    room, star = conference_of(await log_in(desk))
    session_id = uuid.UUID(room.removeprefix("pb-session-"))
    await desk.run(0)
    return session_id, await desk.connect(session_id), star


async def test_the_room_reports_who_leaves_to_us(phone_desk: Desk) -> None:
    twiml = await log_in(phone_desk)
    dial = twiml.find("Dial")
    assert dial is not None
    room = dial.find("Conference")
    assert room is not None
    # The caller stepping out to a menu keeps the room (and the contact in it) going.
    assert room.attrib["endConferenceOnExit"] == "false"
    assert room.attrib["statusCallbackEvent"] == "leave"
    assert room.attrib["statusCallback"].endswith(f"/room?leg={CALLER_LEG}")


async def test_two_goes_back_to_the_call(phone_desk: Desk) -> None:
    session_id, contact, star = await on_a_call(phone_desk)
    action, _ = gather_action(await twilio_posts(phone_desk, star, DialCallStatus="completed"))
    room, _ = conference_of(await twilio_posts(phone_desk, action, Digits="2"))
    assert room == f"pb-session-{session_id}"
    assert contact not in phone_desk.carrier.hangups
    assert phone_desk.dialer.agents[session_id].state == "connected"


async def test_a_digit_that_is_no_choice_is_asked_again(phone_desk: Desk) -> None:
    session_id, _, star = await on_a_call(phone_desk)
    action, _ = gather_action(await twilio_posts(phone_desk, star, DialCallStatus="completed"))
    again, said = gather_action(await twilio_posts(phone_desk, action, Digits="8"))
    assert again == action and said.startswith("'8' is not a choice.")
    assert phone_desk.dialer.agents[session_id].state == "connected"


async def test_a_warm_transfer_keeps_the_caller_on_until_they_leave(phone_desk: Desk) -> None:
    desk = phone_desk
    session_id, contact, star = await on_a_call(desk)
    action, _ = gather_action(await twilio_posts(desk, star, DialCallStatus="completed"))
    # 3 is the script's first transfer, the warm "Field office": the caller goes back in.
    room, _ = conference_of(await twilio_posts(desk, action, Digits="3"))
    assert room == f"pb-session-{session_id}"
    assert desk.carrier.transfers == [(contact, "+14155550100", True)]
    assert desk.dialer.agents[session_id].state == "connected"

    # `*` again: now the caller can only leave (or stay); leaving does not hang anyone up.
    action, said = gather_action(await twilio_posts(desk, star, DialCallStatus="completed"))
    assert said.startswith("Press 1 to leave the call and enter the result")
    action, said = gather_action(await twilio_posts(desk, action, Digits="1"))
    assert said.startswith("support.")
    assert desk.carrier.releases == [contact]
    assert contact not in desk.carrier.hangups
    assert desk.dialer.agents[session_id].state == "wrap_up"


async def test_a_cold_transfer_frees_the_caller_for_the_result(phone_desk: Desk) -> None:
    desk = phone_desk
    session_id, contact, star = await on_a_call(desk)
    action, _ = gather_action(await twilio_posts(desk, star, DialCallStatus="completed"))
    action, said = gather_action(await twilio_posts(desk, action, Digits="4"))  # the Hotline
    assert said.startswith("support.")
    assert desk.carrier.transfers == [(contact, "+14155550101", False)]
    assert desk.dialer.agents[session_id].state == "wrap_up"


@pytest.fixture
async def standin(phone_desk: Desk, app: FastAPI) -> AsyncIterator[TwilioStandIn]:
    """Twilio's REST API on loopback, where the app's Twilio client is pointed."""
    server = TwilioStandIn(ACCOUNT_SID, AUTH_TOKEN)
    api_base = await server.start()
    app.state.twilio = TwilioConfig(
        account_sid=ACCOUNT_SID,
        auth_token=AUTH_TOKEN,
        caller_number=CALLER_NUMBER,
        public_url=PUBLIC_URL,
        api_base=api_base,
    )
    # The caller's own call, in progress: the one Twilio would redirect.
    server.calls[CALLER_LEG] = StandInCall(
        CALLER_LEG, CALLER_NUMBER, "+14155550199", None, None, None, "human", "in-progress"
    )
    yield server
    await server.stop()


async def room_event(desk: Desk, session_id: uuid.UUID, left: str) -> None:
    """Twilio tells us `left` left the caller's conference `CFroom`."""
    url = f"{PUBLIC_URL}/telephony/twilio/sessions/{session_id}/room?leg={CALLER_LEG}"
    form = {
        "StatusCallbackEvent": "participant-leave",
        "ConferenceSid": "CFroom",
        "FriendlyName": f"pb-session-{session_id}",
        "CallSid": left,
    }
    form = {"AccountSid": ACCOUNT_SID, **form}
    headers = {"X-Twilio-Signature": twilio_signature(AUTH_TOKEN, url, form)}
    response = await desk.client.post(url.removeprefix(PUBLIC_URL), data=form, headers=headers)
    assert response.status_code == 204, response.text


async def redirects(standin: TwilioStandIn) -> list[str]:
    """The URLs the caller's call was sent to, once the background work has had its chance."""
    await asyncio.sleep(0.2)
    return [form["Url"] for sid, form in standin.updates if sid == CALLER_LEG and "Url" in form]


async def test_a_caller_left_alone_is_taken_to_the_result_menus(
    phone_desk: Desk, standin: TwilioStandIn
) -> None:
    desk = phone_desk
    session_id, contact, _ = await on_a_call(desk)
    await desk.carrier.send(contact, "completed", cause="completed")  # the contact hangs up
    standin.rooms["CFroom"] = [CALLER_LEG]
    await room_event(desk, session_id, left=contact)
    (url,) = await redirects(standin)
    assert url == f"{PUBLIC_URL}/telephony/twilio/sessions/{session_id}/call-ended"
    # Twilio then asks that URL what the caller's call does next: the result menus.
    _, said = gather_action(await twilio_posts(desk, url))
    assert said.startswith("The call has ended. support.")


async def test_nobody_is_moved_while_others_are_in_the_room(
    phone_desk: Desk, standin: TwilioStandIn
) -> None:
    desk = phone_desk
    session_id, _, _ = await on_a_call(desk)
    # A supervisor left; the contact is still talking to the caller.
    standin.rooms["CFroom"] = [CALLER_LEG, "CAcontact"]
    await room_event(desk, session_id, left="CAsupervisor")
    # The caller stepping out to a menu is their own leaving: nothing to do either.
    standin.rooms["CFroom"] = ["CAcontact"]
    await room_event(desk, session_id, left=CALLER_LEG)
    assert await redirects(standin) == []
