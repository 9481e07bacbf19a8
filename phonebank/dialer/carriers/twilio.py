"""The Twilio carrier: calls placed through Twilio's REST API, reported by signed callbacks.

`originate` creates a call with a status callback (initiated, ringing, answered, completed) and
answering machine detection; Twilio then fetches the answered call's TwiML (with `AnsweredBy`)
and posts its status callbacks to the routes in `phonebank.telephony.router`, which check the
signature and hand the parameters to the carrier that placed the call (found by the key in the
callback's path). The carrier turns them into normalized events (`twilio_events`), delivered on
its clock so the engine never runs inside a webhook request.

Bridging puts the contact in the caller session's conference (`pb-session-<id>`), the room a
browser caller (Voice SDK) or a phones-only caller (dial-in) waits in; playing and hanging up
replace the call's TwiML or end it through the REST API.
"""

import logging
import secrets
import weakref
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.rest import Client
from twilio.twiml.voice_response import Dial, VoiceResponse

from phonebank.dialer.carriers.base import Carrier, CarrierEvent, Origination
from phonebank.dialer.carriers.twilio_events import (
    CallProgress,
    Normalized,
    from_answer,
    from_status,
)
from phonebank.dialer.clock import Clock

logger = logging.getLogger("phonebank.dialer.twilio")

STATUS_EVENTS = ["initiated", "ringing", "answered", "completed"]
# What an answered contact hears until the engine bridges them (it decides within seconds).
HOLD_SECONDS = 30
# Callbacks that arrive before `originate` knows the call's id wait this many at most.
EARLY_MEMORY = 1000
ENDED_MEMORY = 5000
WEBHOOK_PREFIX = "/telephony/twilio"
# The ids of dials Twilio refused: no call exists behind them.
REFUSED_PREFIX = "refused-"

# The carriers of this process by callback key: a callback names the carrier that placed it.
_CARRIERS: "weakref.WeakValueDictionary[str, TwilioCarrier]" = weakref.WeakValueDictionary()


def client_identity(person_id: str) -> str:
    """The Voice SDK identity of a caller or supervisor (their browser's token carries it)."""
    return f"caller-{person_id}"


def conference_name(caller_session_id: str) -> str:
    """The conference a caller session's calls meet in."""
    return f"pb-session-{caller_session_id}"


def conference_twiml(
    caller_session_id: str, *, end_on_exit: bool = False, muted: bool = False
) -> VoiceResponse:
    """TwiML that puts the call into the caller session's conference."""
    return room_twiml(conference_name(caller_session_id), end_on_exit=end_on_exit, muted=muted)


def room_twiml(room: str, *, end_on_exit: bool = False, muted: bool = False) -> VoiceResponse:
    """TwiML that puts the call into the conference named `room`."""
    response = VoiceResponse()
    dial = Dial()
    dial.conference(
        room,
        start_conference_on_enter=True,
        end_conference_on_exit=end_on_exit,
        beep=False,
        muted=muted,
    )
    response.append(dial)
    return response


def hold_twiml() -> VoiceResponse:
    """TwiML for an answered contact waiting to be bridged."""
    response = VoiceResponse()
    response.pause(length=HOLD_SECONDS)
    return response


@dataclass(frozen=True)
class TwilioConfig:
    """The account, the number calls come from, and where Twilio reaches us."""

    account_sid: str
    auth_token: str
    caller_number: str
    # Our public base URL as Twilio sees it: callbacks are signed over URLs built from it.
    public_url: str
    # Answering machine detection: `Enable`, `DetectMessageEnd` (waits for the beep, for
    # voicemail drops), or empty for none.
    machine_detection: str = "DetectMessageEnd"
    # The REST endpoint (Twilio's own unless a compatible endpoint is given).
    api_base: str | None = None
    # Browser callers (Voice SDK): an API key and the TwiML app whose voice URL is ours.
    api_key_sid: str | None = None
    api_key_secret: str | None = None
    twiml_app_sid: str | None = None

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> "TwilioConfig":
        """A config from settings; names the missing ones."""
        missing = [
            name
            for name in ("account_sid", "auth_token", "caller_number", "public_url")
            if not options.get(name)
        ]
        if missing:
            raise ValueError(f"the twilio carrier needs {', '.join(missing)}")
        known = set(cls.__dataclass_fields__)
        return cls(**{name: value for name, value in options.items() if name in known})

    def url(self, path: str) -> str:
        """The public URL of one of our Twilio webhook paths."""
        return f"{self.public_url.rstrip('/')}{WEBHOOK_PREFIX}{path}"


def carrier_for(key: str) -> "TwilioCarrier | None":
    """The live carrier of this process a callback key belongs to."""
    return _CARRIERS.get(key)


def rest_client(config: TwilioConfig) -> Client:
    """Twilio's REST client over aiohttp, pointed at the configured endpoint."""
    client = Client(config.account_sid, config.auth_token, http_client=AsyncTwilioHttpClient())
    if config.api_base:
        client.api.base_url = config.api_base.rstrip("/")
    return client


class TwilioCarrier(Carrier):
    """Real phone calls through Twilio."""

    name = "twilio"

    def __init__(self, clock: Clock, config: TwilioConfig, *, client: Client | None = None) -> None:
        super().__init__()
        self._clock = clock
        self.config = config
        # Made on first use: its aiohttp session belongs to the running event loop.
        self._rest: Client | None = client
        self.key = secrets.token_urlsafe(12)
        _CARRIERS[self.key] = self
        self._calls: dict[str, CallProgress] = {}
        self._early: dict[str, list[Normalized]] = {}
        self._ended: deque[str] = deque()
        self._ended_ids: set[str] = set()

    @property
    def active_calls(self) -> int:
        """Calls originated and not yet ended."""
        return len(self._calls)

    @property
    def _client(self) -> Client:
        if self._rest is None:
            self._rest = rest_client(self.config)
        return self._rest

    async def close(self) -> None:
        """Release the REST client's connections and stop taking callbacks."""
        _CARRIERS.pop(self.key, None)
        http_client = self._rest.http_client if self._rest is not None else None
        if isinstance(http_client, AsyncTwilioHttpClient):
            await http_client.close()

    # ------------------------------------------------------------------ operations

    async def originate(self, origination: Origination) -> str:
        """Create the call with status callbacks and answering machine detection.

        A call Twilio refuses (an invalid number, a suspended account) still gets an id, and
        is reported as `queued` then `completed` (failed), as every dial is.
        """
        extra: dict[str, Any] = {}
        if self.config.machine_detection:
            extra["machine_detection"] = self.config.machine_detection
        try:
            call = await self._client.calls.create_async(
                to=origination.number,
                from_=origination.caller_id or self.config.caller_number,
                url=self.config.url(f"/calls/{self.key}/answer"),
                method="POST",
                status_callback=self.config.url(f"/calls/{self.key}/status"),
                status_callback_method="POST",
                status_callback_event=STATUS_EVENTS,
                timeout=origination.ring_timeout_seconds,
                **extra,
            )
            sid = str(call.sid)
        except TwilioException as error:
            logger.warning("twilio refused the dial %s: %s", origination.reference, error)
            sid = f"{REFUSED_PREFIX}{secrets.token_hex(8)}"
            self._calls[sid] = CallProgress()
            self._accept(sid, Normalized("queued"))
            self._accept(sid, Normalized("completed", cause="failed"))
            return sid
        self._calls[sid] = CallProgress()
        # Twilio took the call: it is queued, whichever of its callbacks arrives first.
        self._accept(sid, Normalized("queued"))
        for event in self._early.pop(sid, []):
            self._accept(sid, event)
        return sid

    async def hangup(self, carrier_call_id: str) -> None:
        """End the call; Twilio reports `canceled` if it was not answered yet."""
        if carrier_call_id not in self._calls:
            return
        # `completed` ends a call in any state (`canceled` would leave one Twilio has
        # connected while answering machine detection still listens).
        await self._update(carrier_call_id, status="completed")

    async def end_left_over(self, carrier_call_id: str) -> None:
        """End a call another carrier placed (a dialer that died) by its sid, in any state.

        Its callbacks go to that carrier's key, which no process serves now: no events follow.
        Twilio refuses a call already over (400, not in progress) or unknown (404); both are
        what was wanted. Any other failure is logged: the call ends on its own later.
        """
        if carrier_call_id.startswith(REFUSED_PREFIX):
            return
        try:
            await self._client.calls(carrier_call_id).update_async(status="completed")
        except TwilioRestException as error:
            if error.status in (400, 404):
                logger.info("left-over call %s was already over: %s", carrier_call_id, error.msg)
            else:
                logger.error("twilio did not end the left-over call %s: %s", carrier_call_id, error)
        except Exception:  # the network, a timeout: never the engine's problem
            logger.exception("could not reach twilio to end the left-over call %s", carrier_call_id)
        else:
            logger.info("ended the left-over call %s", carrier_call_id)

    async def bridge(self, carrier_call_id: str, caller_session_id: str) -> None:
        """Move the answered contact into the caller session's conference."""
        progress = self._calls.get(carrier_call_id)
        if progress is None or not progress.answered:
            return
        progress.bridged_to = caller_session_id
        response = conference_twiml(caller_session_id)
        response.hangup()
        await self._update(carrier_call_id, twiml=str(response))

    async def play(self, carrier_call_id: str, *, audio_url: str | None, text: str | None) -> None:
        """Play the recording (or speak the text) to the answered party, then hang up."""
        progress = self._calls.get(carrier_call_id)
        if progress is None or not progress.answered:
            return
        response = VoiceResponse()
        if audio_url:
            response.play(audio_url)
        elif text:
            response.say(text)
        response.hangup()
        await self._update(carrier_call_id, twiml=str(response))

    async def transfer(self, carrier_call_id: str, number: str, *, warm: bool) -> None:
        """Cold: the contact's call dials `number`; warm: `number` joins the conference."""
        progress = self._calls.get(carrier_call_id)
        if progress is None or progress.bridged_to is None:
            return
        if not warm:
            response = VoiceResponse()
            response.dial(number, caller_id=self.config.caller_number)
            await self._update(carrier_call_id, twiml=str(response))
            return
        progress.transfer_leg = await self._create(number, conference_twiml(progress.bridged_to))

    async def release(self, carrier_call_id: str) -> None:
        """The caller leaves a warm transfer: the contact and the transfer move to their own room.

        The caller's room is theirs for the next call; the two left talking meet in a room
        named after the contact's call, which ends when either of them hangs up.
        """
        progress = self._calls.get(carrier_call_id)
        if progress is None or progress.bridged_to is None:
            return
        room = f"pb-transfer-{carrier_call_id}"
        contact = room_twiml(room, end_on_exit=True)
        contact.hangup()
        await self._update(carrier_call_id, twiml=str(contact))
        if progress.transfer_leg is not None:
            await self._update(progress.transfer_leg, twiml=str(room_twiml(room, end_on_exit=True)))

    async def monitor(self, carrier_call_id: str, *, supervisor: str, mode: str) -> None:
        """Ring the supervisor's browser into the conference, muted to listen, open to barge."""
        progress = self._calls.get(carrier_call_id)
        if progress is None or progress.bridged_to is None:
            return
        twiml = conference_twiml(progress.bridged_to, muted=mode == "listen")
        await self._create(f"client:{client_identity(supervisor)}", twiml)

    async def _create(self, to: str, twiml: VoiceResponse) -> str | None:
        try:
            call = await self._client.calls.create_async(
                to=to, from_=self.config.caller_number, twiml=str(twiml)
            )
        except TwilioException:
            logger.exception("twilio refused a call to %s", to)
            return None
        return str(call.sid)

    async def _update(self, carrier_call_id: str, **changes: str) -> None:
        try:
            await self._client.calls(carrier_call_id).update_async(**changes)
        except TwilioException as error:
            # The call ended meanwhile (Twilio refuses to change a finished call): its
            # `completed` callback is on its way, and acting on it is a no-op by contract.
            logger.info("twilio could not update %s: %s", carrier_call_id, error)

    # ------------------------------------------------------------------ callbacks

    def status_callback(self, params: Mapping[str, str]) -> None:
        """A status callback Twilio sent (its signature already checked)."""
        event = from_status(params, machine_detection=bool(self.config.machine_detection))
        if event is not None:
            self.receive(params.get("CallSid", ""), event)

    def answer_request(self, params: Mapping[str, str]) -> str:
        """Twilio asks what an answered call should do: report the answer, hold the line."""
        self.receive(params.get("CallSid", ""), from_answer(params))
        return str(hold_twiml())

    def receive(self, sid: str, event: Normalized) -> None:
        """A normalised callback of one of its calls (here, or forwarded by an API process)."""
        if not sid or sid in self._ended_ids:
            return  # a late or repeated callback of a finished call
        if sid not in self._calls:
            # The callback beat `originate` returning the call's id: keep it for then.
            if len(self._early) >= EARLY_MEMORY:
                self._early.pop(next(iter(self._early)))
            self._early.setdefault(sid, []).append(event)
            return
        self._accept(sid, event)

    def _accept(self, sid: str, event: Normalized) -> None:
        progress = self._calls[sid]
        sequence = progress.advance(event)
        if sequence is None:
            return
        if progress.ended:
            del self._calls[sid]
            self._ended.append(sid)
            self._ended_ids.add(sid)
            if len(self._ended) > ENDED_MEMORY:
                self._ended_ids.discard(self._ended.popleft())
        normalized = CarrierEvent(
            carrier_call_id=sid,
            kind=event.kind,
            at=self._clock.now(),
            sequence=sequence,
            answered_by=event.answered_by,
            cause=event.cause,
        )
        # Delivered on the clock: the engine runs in its own loop, not in the webhook request.
        self._clock.call_later(0, partial(self.emit, normalized))
