"""The phones-only caller over Twilio: <Gather> menus for code and PIN, the conference, `*`,
keypad answers; each request signed as Twilio signs it."""

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.callers.models import CallerSession
from phonebank.calls.models import Answer
from phonebank.dialer.carriers.twilio import conference_name
from tests.calling.conftest import Desk
from tests.telephony.dialing_in import (
    CODE_DIGITS,
    PUBLIC_URL,
    conference_of,
    gather_action,
    log_in,
    twilio_posts,
)
from tests.telephony.loopback import ACCOUNT_SID
from tests.telephony.standin import twilio_signature


async def test_a_phones_only_caller_dials_in_takes_a_call_and_keys_the_result(
    phone_desk: Desk, session: AsyncSession
) -> None:
    desk = phone_desk
    room, star = conference_of(await log_in(desk))
    session_id = uuid.UUID(room.removeprefix("pb-session-"))
    assert room == conference_name(str(session_id))
    await desk.run(0)
    assert session_id in desk.dialer.agents  # the engine took the phone caller's session
    carrier_call_id = await desk.connect(session_id)
    assert (carrier_call_id, str(session_id)) in desk.carrier.bridges

    # `*` offers the call's options; 1 hangs the contact up and opens the result menus.
    action, said = gather_action(await twilio_posts(desk, star, DialCallStatus="completed"))
    assert said.startswith("Press 1 to hang up and enter the result, 3 to transfer to Field")
    action, said = gather_action(await twilio_posts(desk, action, Digits="1"))
    assert carrier_call_id in desk.carrier.hangups
    assert said.startswith("support. Press 1 for Yes")
    await desk.run(0)
    assert desk.dialer.agents[session_id].state == "wrap_up"
    # A digit that is no choice is asked again.
    again, said = gather_action(await twilio_posts(desk, action, Digits="7"))
    assert again == action and said.startswith("'7' is not a choice of 'support'")
    action, said = gather_action(await twilio_posts(desk, action, Digits="1"))
    assert said.startswith("issues.")
    action, said = gather_action(await twilio_posts(desk, action, Digits="13#"))
    assert said.startswith("The result of the call")
    back, _ = conference_of(await twilio_posts(desk, action, Digits="1"))
    assert back == room

    (result,) = await desk.results()
    assert result.disposition == "completed"
    answers = await session.scalars(select(Answer).where(Answer.result_id == result.id))
    assert sorted(a.responses for a in answers) == [["housing", "schools"], ["yes"]]
    assert desk.dialer.agents[session_id].state in {"available", "connected"}


async def test_a_wrong_pin_is_asked_again(phone_desk: Desk) -> None:
    twiml = await log_in(phone_desk, pin="0000")
    action, said = gather_action(twiml)
    assert said.startswith("wrong access code or PIN")
    assert action.endswith("/telephony/twilio/dial-in/code")
    assert twiml.find("Dial") is None


async def test_star_without_a_call_names_what_is_missing(phone_desk: Desk) -> None:
    _, star = conference_of(await log_in(phone_desk))
    action, _ = gather_action(await twilio_posts(phone_desk, star, DialCallStatus="completed"))
    for digits in ("1", "", "1"):
        twiml = await twilio_posts(phone_desk, action, Digits=digits)
        if twiml.find("Gather") is not None:
            action, _ = gather_action(twiml)
    say = twiml.find("Say")
    assert say is not None and say.text == "you have no contact to save a result for."
    conference_of(twiml)


async def test_hanging_up_the_phone_ends_the_session(phone_desk: Desk) -> None:
    room, star = conference_of(await log_in(phone_desk))
    session_id = uuid.UUID(room.removeprefix("pb-session-"))
    await phone_desk.run(0)
    carrier_call_id = await phone_desk.connect(session_id)
    twiml = await twilio_posts(phone_desk, star, CallStatus="completed", DialCallStatus="completed")
    assert list(twiml) == []
    await phone_desk.run(0)
    assert session_id not in phone_desk.dialer.agents
    assert carrier_call_id in phone_desk.carrier.hangups
    async with phone_desk.sessionmaker() as session:
        stored = await session.get_one(CallerSession, session_id)
        assert stored.ended_at is not None and stored.end_reason == "left"


async def test_a_result_keyed_before_the_call_has_ended_is_saved_a_moment_later(
    phone_desk: Desk,
) -> None:
    room, star = conference_of(await log_in(phone_desk))
    session_id = uuid.UUID(room.removeprefix("pb-session-"))
    await phone_desk.run(0)
    await phone_desk.connect(session_id)
    action, _ = gather_action(await twilio_posts(phone_desk, star, DialCallStatus="completed"))
    action, _ = gather_action(await twilio_posts(phone_desk, action, Digits="1"))
    # The hang-up is on its way (the clock has not run): the menus go on meanwhile.
    for digits in ("2", "#"):
        action, _ = gather_action(await twilio_posts(phone_desk, action, Digits=digits))
    twiml = await twilio_posts(phone_desk, action, Digits="4")
    assert phone_desk.dialer.agents[session_id].state == "connected"
    redirect = twiml.find("Redirect")
    assert twiml.find("Pause") is not None and redirect is not None and redirect.text
    assert redirect.text.endswith("/save?entries=k2.k.k4")
    await phone_desk.run(0)
    back, _ = conference_of(await twilio_posts(phone_desk, redirect.text))
    assert back == room
    (result,) = await phone_desk.results()
    assert result.disposition == "wrong_number"


async def test_a_forged_pin_request_opens_no_session(
    phone_desk: Desk, session: AsyncSession
) -> None:
    url = f"{PUBLIC_URL}/telephony/twilio/dial-in/pin?code={CODE_DIGITS}"
    form = {"AccountSid": ACCOUNT_SID, "CallSid": "CAforged", "Digits": "1357"}
    forged = twilio_signature("not-the-auth-token", url, form)
    path = url.removeprefix(PUBLIC_URL)
    for headers in ({}, {"X-Twilio-Signature": forged}):
        response = await phone_desk.client.post(path, data=form, headers=headers)
        assert response.status_code == 403
    opened = await session.scalars(
        select(CallerSession).where(CallerSession.campaign_id == phone_desk.campaign.id)
    )
    assert list(opened) == []
    assert phone_desk.dialer.agents == {}
