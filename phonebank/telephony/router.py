"""Twilio's webhooks, `/telephony/twilio`: call callbacks, dial-in, browser calls, SDK tokens.

Every route Twilio calls checks the request signature first (`webhooks.signed_request`): an
unsigned or wrongly signed request is a 403 and changes nothing. Handlers are thin: they turn
Twilio's parameters into calls of the carrier or of `calling.phone` and answer with TwiML.
"""

import logging
import uuid
from urllib.parse import quote

from fastapi import APIRouter, BackgroundTasks, Request, Response, status
from pydantic import BaseModel
from twilio.twiml.voice_response import VoiceResponse

from phonebank.auth.dependencies import DbSession
from phonebank.callers.models import CallerSession
from phonebank.calling import phone
from phonebank.calling.dependencies import CurrentCaller
from phonebank.calling.keypad import read_entry
from phonebank.calling.service import end_session
from phonebank.calling.session_actions import clock_now, engine_of, join_engine, leave_engine
from phonebank.calling.throttle import login_keys, throttled
from phonebank.dialer.carriers.twilio import carrier_for, conference_twiml, hold_twiml
from phonebank.dialer.carriers.twilio_events import from_answer, from_status
from phonebank.dialer.commands import AgentView
from phonebank.dialer.outcomes import SAFE_HARBOR_TEXT
from phonebank.dialer.remote import CommandClient
from phonebank.errors import Conflict, Invalid, Unauthorized
from phonebank.kit.ratelimit import TooManyRequests
from phonebank.telephony import rooms, tokens
from phonebank.telephony.twiml import caller_conference, gather, redirect_after, say_and_hang_up
from phonebank.telephony.webhooks import SignedRequest, TwilioRequest, twilio_config, twiml

logger = logging.getLogger("phonebank.telephony")

router = APIRouter(prefix="/telephony/twilio", tags=["telephony"])
# Twilio's webhooks are for Twilio, not API clients: they stay out of the API's schema.
hooks = APIRouter(prefix="/telephony/twilio", include_in_schema=False)

CONNECTED_TEXT = (
    "You are connected. Stay on the line for your next call. During a call, press star for options."
)
# Entries keyed so far travel in the menus' URLs (which Twilio signs), each marked so that a
# skipped (empty) entry survives the trip: "k1.k.k13" is 1, skipped, 13.
ENTRY_SEPARATOR, ENTRY_MARK = ".", "k"


def _encode(entries: list[str]) -> str:
    return ENTRY_SEPARATOR.join(f"{ENTRY_MARK}{entry}" for entry in entries)


def _decode(raw: str) -> list[str]:
    return [entry.removeprefix(ENTRY_MARK) for entry in raw.split(ENTRY_SEPARATOR)] if raw else []


# ------------------------------------------------------------------ outbound dials


def _commands(request: Request) -> CommandClient | None:
    return getattr(request.app.state, "commands", None)


@hooks.post("/calls/{key}/status", status_code=status.HTTP_204_NO_CONTENT)
async def call_status(key: str, twilio: SignedRequest, request: Request) -> Response:
    """A status callback of a call the dialer placed (here, or in a dialer worker)."""
    carrier = carrier_for(key)
    commands = _commands(request)
    if carrier is not None:
        carrier.status_callback(twilio.params)
    elif commands is not None:
        detection = bool(twilio.config.machine_detection)
        event = from_status(twilio.params, machine_detection=detection)
        if event is not None:
            await commands.forward_telephony(key, twilio.params.get("CallSid", ""), event)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@hooks.post("/calls/{key}/answer")
async def call_answered(key: str, twilio: SignedRequest, request: Request) -> Response:
    """Twilio asks what an answered dial should do: hold it until the dialer decides."""
    carrier = carrier_for(key)
    commands = _commands(request)
    if carrier is not None:
        return Response(content=carrier.answer_request(twilio.params), media_type="application/xml")
    sid = twilio.params.get("CallSid", "")
    if commands is None or not await commands.forward_answer(key, sid, from_answer(twilio.params)):
        # The dialer that placed the call is gone (a restart, a dead worker): nobody will
        # connect this person, so they hear the abandoned-call message, not silence.
        logger.warning("answered call %s of a dialer no process runs: ended", sid)
        return twiml(say_and_hang_up(SAFE_HARBOR_TEXT))
    return twiml(hold_twiml())


# ------------------------------------------------------------------ phones-only callers


def _url(twilio: TwilioRequest, path: str) -> str:
    return twilio.config.url(path)


@hooks.post("/dial-in")
async def dial_in(twilio: SignedRequest) -> Response:
    """A caller dialed our number: ask for the campaign's access code."""
    action = _url(twilio, "/dial-in/code")
    return twiml(gather("Welcome. Enter the campaign code, then pound.", action=action))


@hooks.post("/dial-in/code")
async def dial_in_code(twilio: SignedRequest) -> Response:
    """The access code was keyed in: ask for the PIN."""
    code = twilio.params.get("Digits", "")
    if not code:
        return await dial_in(twilio)
    action = _url(twilio, f"/dial-in/pin?code={quote(code)}")
    return twiml(gather("Enter your PIN, then pound.", action=action))


@hooks.post("/dial-in/pin")
async def dial_in_pin(
    code: str,
    twilio: SignedRequest,
    session: DbSession,
    request: Request,
    background: BackgroundTasks,
) -> Response:
    """The PIN was keyed in: log the caller in, open their session, put them in its room."""
    keys = login_keys(
        email=None, access_code=code, address=f"phone:{twilio.params.get('From', '')}"
    )
    try:
        login = await throttled(
            request.app.state.login_throttle,
            keys,
            phone.dial_in(
                session,
                keyed_code=code,
                pin=twilio.params.get("Digits", ""),
                now=clock_now(request),
            ),
        )
    except (Unauthorized, Conflict, TooManyRequests) as error:
        response = gather(
            f"{error.detail} Enter the campaign code, then pound.",
            action=_url(twilio, "/dial-in/code"),
        )
        return twiml(response)
    for old in login.ended:
        background.add_task(leave_engine, request, old, "rejoined")
    # The engine takes the session once it is committed, as it does a browser's.
    background.add_task(join_engine, request, login.caller_session)
    return twiml(_conference(twilio, login.caller_session, CONNECTED_TEXT))


def _conference(twilio: TwilioRequest, caller_session: CallerSession, text: str) -> VoiceResponse:
    # Every request of the caller's own call carries its CallSid: the room's events name it.
    leg = quote(twilio.params.get("CallSid", ""))
    star = _url(twilio, f"/sessions/{caller_session.id}/star")
    room_events = _url(twilio, f"/sessions/{caller_session.id}/room?leg={leg}")
    return caller_conference(
        str(caller_session.id), star_action=star, room_events=room_events, text=text
    )


async def _open_session(session: DbSession, session_id: uuid.UUID) -> CallerSession | None:
    found = await session.get(CallerSession, session_id)
    return found if found is not None and found.ended_at is None else None


@hooks.post("/sessions/{session_id}/star")
async def caller_star(
    session_id: uuid.UUID,
    twilio: SignedRequest,
    session: DbSession,
    request: Request,
    background: BackgroundTasks,
) -> Response:
    """The caller pressed `*` (or hung up): end their call, open the result menus."""
    caller_session = await _open_session(session, session_id)
    if caller_session is None:
        return twiml(say_and_hang_up("Your calling session has ended. Goodbye."))
    if twilio.params.get("CallStatus") == "completed":
        # The caller hung up their phone: they stop calling, as when a browser leaves.
        await end_session(
            session, caller_session=caller_session, reason="left", now=clock_now(request)
        )
        background.add_task(leave_engine, request, caller_session)
        return twiml(VoiceResponse())
    if twilio.params.get("DialCallStatus") not in (None, "completed", "answered"):
        return twiml(say_and_hang_up("The call could not continue. Goodbye."))
    agent = await phone.live_agent(engine_of(request, caller_session), caller_session)
    if phone.on_call(agent):
        return await _call_menu(twilio, session, agent, caller_session)
    return await _menu(twilio, session, caller_session, [])


async def _call_menu(
    twilio: TwilioRequest,
    session: DbSession,
    agent: AgentView | None,
    caller_session: CallerSession,
    text: str = "",
) -> Response:
    menu = await phone.call_menu(session, agent=agent, caller_session=caller_session)
    action = _url(twilio, f"/sessions/{caller_session.id}/call-menu")
    return twiml(gather(f"{text} {menu.text}".strip(), action=action))


@hooks.post("/sessions/{session_id}/call-menu")
async def caller_call_menu(
    session_id: uuid.UUID, twilio: SignedRequest, session: DbSession, request: Request
) -> Response:
    """The in-call menu answered: back to the call, hang up (or leave), or transfer."""
    caller_session = await _open_session(session, session_id)
    if caller_session is None:
        return twiml(say_and_hang_up("Your calling session has ended. Goodbye."))
    try:
        step = await phone.choose_on_call(
            session,
            engine=engine_of(request, caller_session),
            caller_session=caller_session,
            digits=twilio.params.get("Digits", ""),
        )
    except Invalid as error:
        agent = await phone.live_agent(engine_of(request, caller_session), caller_session)
        return await _call_menu(twilio, session, agent, caller_session, f"{error.detail}.")
    except Conflict as error:
        return twiml(_conference(twilio, caller_session, f"{error.detail}. Back to the call."))
    if step == "room":
        return twiml(_conference(twilio, caller_session, "Back to the call."))
    return await _menu(twilio, session, caller_session, [])


@hooks.post("/sessions/{session_id}/call-ended")
async def caller_call_ended(
    session_id: uuid.UUID, twilio: SignedRequest, session: DbSession
) -> Response:
    """The contact hung up and the caller was alone in the room: the result menus."""
    caller_session = await _open_session(session, session_id)
    if caller_session is None:
        return twiml(say_and_hang_up("Your calling session has ended. Goodbye."))
    return await _menu(twilio, session, caller_session, [], "The call has ended.")


@hooks.post("/sessions/{session_id}/room", status_code=status.HTTP_204_NO_CONTENT)
async def caller_room_event(
    session_id: uuid.UUID, leg: str, twilio: SignedRequest, background: BackgroundTasks
) -> Response:
    """Someone left the caller's conference: a caller left alone goes to the result menus."""
    params = twilio.params
    someone_else = params.get("CallSid") not in (None, "", leg)
    if params.get("StatusCallbackEvent") == "participant-leave" and someone_else and leg:
        background.add_task(
            rooms.send_lone_caller_to,
            twilio.config,
            conference_sid=params.get("ConferenceSid", ""),
            caller_leg=leg,
            url=_url(twilio, f"/sessions/{session_id}/call-ended"),
        )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


async def _menu(
    twilio: TwilioRequest,
    session: DbSession,
    caller_session: CallerSession,
    entries: list[str],
    text: str = "",
) -> Response:
    prompts = await phone.result_prompts(session, caller_session=caller_session)
    prompt = prompts[len(entries)]
    action = _url(twilio, f"/sessions/{caller_session.id}/keypad?entries={_encode(entries)}")
    return twiml(gather(f"{text} {prompt.text}".strip(), action=action))


@hooks.post("/sessions/{session_id}/keypad")
async def caller_keypad(
    session_id: uuid.UUID,
    twilio: SignedRequest,
    session: DbSession,
    request: Request,
    entries: str = "",
) -> Response:
    """One menu answered: ask the next, or store the result and go back to the room."""
    caller_session = await _open_session(session, session_id)
    if caller_session is None:
        return twiml(say_and_hang_up("Your calling session has ended. Goodbye."))
    given = _decode(entries)
    prompts = await phone.result_prompts(session, caller_session=caller_session)
    if len(given) >= len(prompts):
        given = []
    digits = twilio.params.get("Digits", "")
    try:
        read_entry(prompts[len(given)], digits)
    except Invalid as error:
        return await _menu(twilio, session, caller_session, given, f"{error.detail}.")
    given.append(digits.rstrip("#"))
    if len(given) < len(prompts):
        return await _menu(twilio, session, caller_session, given)
    return await _save(twilio, session, request, caller_session, given)


@hooks.post("/sessions/{session_id}/save")
async def caller_save(
    session_id: uuid.UUID,
    twilio: SignedRequest,
    session: DbSession,
    request: Request,
    entries: str = "",
) -> Response:
    """Store a result keyed in earlier (asked again while the call's end was on its way)."""
    caller_session = await _open_session(session, session_id)
    if caller_session is None:
        return twiml(say_and_hang_up("Your calling session has ended. Goodbye."))
    return await _save(twilio, session, request, caller_session, _decode(entries))


async def _save(
    twilio: TwilioRequest,
    session: DbSession,
    request: Request,
    caller_session: CallerSession,
    given: list[str],
) -> Response:
    try:
        await phone.save_keyed_result(
            session,
            engine=engine_of(request, caller_session),
            caller_session=caller_session,
            entries=given,
            now=clock_now(request),
        )
    except Conflict as error:
        live = await engine_of(request, caller_session).ask("view", caller_session.id)
        agent = live.agent if live is not None else None
        if agent is not None and agent.state == "connected":
            # The call's end has not reached the dialer yet: ask again in a moment.
            retry = _url(twilio, f"/sessions/{caller_session.id}/save?entries={_encode(given)}")
            return twiml(redirect_after(1, retry))
        return twiml(_conference(twilio, caller_session, f"{error.detail}."))
    except Invalid as error:
        return await _menu(twilio, session, caller_session, [], f"{error.detail}. Again.")
    return twiml(_conference(twilio, caller_session, "Saved. Stay on the line for the next call."))


# ------------------------------------------------------------------ browser callers


@hooks.post("/browser")
async def browser_call(twilio: SignedRequest, session: DbSession) -> Response:
    """A browser caller's Voice SDK connects: put them in their session's room."""
    caller_id = tokens.caller_of_identity(twilio.params.get("From", ""))
    raw_session = twilio.params.get("session_id", "")
    try:
        session_id = uuid.UUID(raw_session)
    except ValueError:
        return twiml(say_and_hang_up("No calling session was named."))
    caller_session = await _open_session(session, session_id)
    if caller_session is None or caller_session.caller_id != caller_id:
        return twiml(say_and_hang_up("This calling session is not yours or has ended."))
    return twiml(conference_twiml(str(caller_session.id)))


class VoiceToken(BaseModel):
    """A Twilio Voice SDK access token for the logged-in caller's browser."""

    token: str
    identity: str
    expires_in: int


@router.get("/token", response_model=VoiceToken)
async def voice_token(auth: CurrentCaller, request: Request) -> object:
    """An access token for the Twilio Voice SDK, to connect the caller's browser."""
    config = twilio_config(request)
    token, identity = tokens.voice_token(config, auth.caller.id)
    return VoiceToken(token=token, identity=identity, expires_in=tokens.TOKEN_SECONDS)
