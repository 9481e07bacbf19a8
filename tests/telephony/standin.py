"""A loopback stand-in for Twilio: a real HTTP server speaking Twilio's REST and callback shapes.

Twilio itself cannot be reached from the test machines. This server takes the requests the
official `twilio` client makes for Calls (create with Url, StatusCallback, StatusCallbackEvent
and MachineDetection; update with Twiml, Url or Status) and a conference's Participants,
answers with Twilio's JSON shapes and error bodies, and plays each call out as Twilio would:
status callbacks (initiated, ringing,
in-progress, then completed / busy / no-answer / failed / canceled, numbered by SequenceNumber)
and the request for the answered call's TwiML carrying AnsweredBy, each signed with the
account's auth token the way Twilio signs them. What each number does is scripted per test.
"""

import asyncio
import base64
import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

API = "/2010-04-01/Accounts/{account}/Calls"
PARTICIPANTS = "/2010-04-01/Accounts/{account}/Conferences/{conference}/Participants.json"
ENDED = ("completed", "busy", "no-answer", "failed", "canceled")


def twilio_signature(auth_token: str, url: str, params: Mapping[str, str]) -> str:
    """Twilio's X-Twilio-Signature: HMAC-SHA1 over the URL and the sorted name+value pairs."""
    payload = url + "".join(f"{name}{params[name]}" for name in sorted(params))
    digest = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


@dataclass
class StandInCall:
    """One call as the stand-in plays it."""

    sid: str
    to: str
    from_: str
    url: str | None
    status_callback: str | None
    machine_detection: str | None
    outcome: str
    status: str = "queued"
    sequence: int = 0
    answered_by: str | None = None
    twiml: list[str] = field(default_factory=list)
    callbacks: list[dict[str, str]] = field(default_factory=list)
    ending: asyncio.Task[None] | None = None

    @property
    def ended(self) -> bool:
        """Whether the call is over."""
        return self.status in ENDED


class TwilioStandIn:
    """The stand-in server; `outcomes` says what each number does (default: a person answers).

    Outcomes: `human`, `machine`, `busy`, `no_answer`, `failed`. A bridged person talks for
    `talk_seconds`, then hangs up; an unanswered number rings for `ring_seconds`.
    """

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        *,
        outcomes: dict[str, str] | None = None,
        default_outcome: str = "human",
        step_seconds: float = 0.01,
        ring_seconds: float = 0.3,
        talk_seconds: float = 0.2,
        duplicate_callbacks: bool = False,
        swap_first_callbacks: bool = False,
    ) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.outcomes = outcomes or {}
        self.default_outcome = default_outcome
        self.step_seconds = step_seconds
        self.ring_seconds = ring_seconds
        self.talk_seconds = talk_seconds
        self.duplicate_callbacks = duplicate_callbacks
        self.swap_first_callbacks = swap_first_callbacks
        self.calls: dict[str, StandInCall] = {}
        self.created: list[dict[str, Any]] = []
        self.updates: list[tuple[str, dict[str, str]]] = []
        # Conferences by sid, and the calls in each (set by a test): Participants lists them.
        self.rooms: dict[str, list[str]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._runner: web.AppRunner | None = None
        self._http: aiohttp.ClientSession | None = None
        self.base_url = ""

    async def start(self) -> str:
        """Listen on a free loopback port; the base URL to give the REST client."""
        app = web.Application()
        app.router.add_post(API.format(account="{account}") + ".json", self._create)
        app.router.add_post(API.format(account="{account}") + "/{sid}.json", self._update)
        participants = PARTICIPANTS.format(account="{account}", conference="{conference}")
        app.router.add_get(participants, self._participants)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self._http = aiohttp.ClientSession()
        self.base_url = f"http://127.0.0.1:{port}"
        return self.base_url

    async def stop(self) -> None:
        """Stop playing calls and close the server."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._http is not None:
            await self._http.close()
        if self._runner is not None:
            await self._runner.cleanup()

    def call_to(self, number: str) -> StandInCall:
        """The last call placed to `number`."""
        return [call for call in self.calls.values() if call.to == number][-1]

    # ------------------------------------------------------------------ REST

    def _authorized(self, request: web.Request, account: str) -> bool:
        expected = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        return account == self.account_sid and request.headers.get("Authorization") == (
            f"Basic {expected}"
        )

    @staticmethod
    def _error(status: int, code: int, message: str) -> web.Response:
        body = {"code": code, "message": message, "more_info": "", "status": status}
        return web.json_response(body, status=status)

    def _resource(self, call: StandInCall) -> dict[str, Any]:
        return {
            "sid": call.sid,
            "account_sid": self.account_sid,
            "to": call.to,
            "from": call.from_,
            "status": call.status,
            "direction": "outbound-api",
            "answered_by": call.answered_by,
            "api_version": "2010-04-01",
            "uri": f"{API.format(account=self.account_sid)}/{call.sid}.json",
        }

    async def _create(self, request: web.Request) -> web.Response:
        if not self._authorized(request, request.match_info["account"]):
            return self._error(401, 20003, "Authenticate")
        form = await request.post()
        fields = {name: str(value) for name, value in form.items()}
        fields["StatusCallbackEvent"] = " ".join(
            str(v) for v in form.getall("StatusCallbackEvent", [])
        )
        self.created.append(fields)
        if "To" not in fields or "From" not in fields:
            return self._error(400, 21201, "No 'To' number is specified")
        call = StandInCall(
            sid="CA" + secrets.token_hex(16),
            to=fields["To"],
            from_=fields["From"],
            url=fields.get("Url"),
            status_callback=fields.get("StatusCallback"),
            machine_detection=fields.get("MachineDetection"),
            outcome=self.outcomes.get(fields["To"], self.default_outcome),
        )
        self.calls[call.sid] = call
        if "Twiml" in fields:
            call.twiml.append(fields["Twiml"])
            call.status = "in-progress"
        else:
            self._spawn(self._play(call))
        return web.json_response(self._resource(call), status=201)

    async def _participants(self, request: web.Request) -> web.Response:
        if not self._authorized(request, request.match_info["account"]):
            return self._error(401, 20003, "Authenticate")
        conference = request.match_info["conference"]
        if conference not in self.rooms:
            return self._error(404, 20404, "The requested resource was not found")
        rows = [
            {"account_sid": self.account_sid, "call_sid": sid, "conference_sid": conference}
            for sid in self.rooms[conference]
        ]
        meta = {"key": "participants", "page": 0, "page_size": 50, "next_page_url": None}
        return web.json_response({"participants": rows, "meta": meta})

    async def _update(self, request: web.Request) -> web.Response:
        if not self._authorized(request, request.match_info["account"]):
            return self._error(401, 20003, "Authenticate")
        call = self.calls.get(request.match_info["sid"])
        if call is None:
            return self._error(404, 20404, "The requested resource was not found")
        form = {name: str(value) for name, value in (await request.post()).items()}
        self.updates.append((call.sid, form))
        if call.ended:
            return self._error(400, 21220, "Call is not in-progress. Cannot redirect.")
        status = form.get("Status")
        if status in ("completed", "canceled"):
            answered = call.status == "in-progress"
            if status == "canceled" and answered:
                return self._error(400, 21220, "Call is in-progress. Cannot cancel.")
            self._end_after(call, 0, "completed" if answered else "canceled")
        elif "Twiml" in form:
            if call.status != "in-progress":
                return self._error(400, 21220, "Call is not in-progress. Cannot redirect.")
            twiml = form["Twiml"]
            call.twiml.append(twiml)
            # A person in a conference (or transferred) talks, a message plays, then it ends.
            talking = "<Conference" in twiml or "<Dial" in twiml
            self._end_after(call, self.talk_seconds if talking else self.step_seconds)
        return web.json_response(self._resource(call))

    # ------------------------------------------------------------------ playing calls

    def _spawn(self, job: Any) -> None:
        task = asyncio.ensure_future(job)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _end_after(self, call: StandInCall, seconds: float, status: str = "completed") -> None:
        if call.ending is not None:
            call.ending.cancel()

        async def end() -> None:
            await asyncio.sleep(seconds)
            await self._status(call, status)

        call.ending = asyncio.ensure_future(end())
        self._tasks.add(call.ending)
        call.ending.add_done_callback(self._tasks.discard)

    async def _play(self, call: StandInCall) -> None:
        step = self.step_seconds
        await asyncio.sleep(step)
        if call.ended:
            return
        if call.outcome == "failed":
            await self._status(call, "failed")
            return
        first = self._params(call, "initiated")
        second = self._params(call, "ringing")
        call.status = "ringing"
        order = [second, first] if self.swap_first_callbacks else [first, second]
        for params in order:
            await self._send(call.status_callback, params)
            await asyncio.sleep(step)
        if call.outcome in ("busy", "no_answer"):
            await asyncio.sleep(self.ring_seconds if call.outcome == "no_answer" else step)
            if not call.ended:
                await self._status(call, call.outcome.replace("_", "-"))
            return
        await asyncio.sleep(step)
        if call.ended:
            return
        call.status = "in-progress"
        await self._send(call.status_callback, self._params(call, "in-progress"))
        if call.machine_detection:
            call.answered_by = "human" if call.outcome == "human" else "machine_end_beep"
        params = self._params(call, "in-progress", callback=False)
        twiml = await self._send(call.url, params)
        if twiml is not None:
            call.twiml.append(twiml)

    def _params(self, call: StandInCall, status: str, *, callback: bool = True) -> dict[str, str]:
        params = {
            "AccountSid": self.account_sid,
            "ApiVersion": "2010-04-01",
            "CallSid": call.sid,
            "CallStatus": status,
            "Direction": "outbound-api",
            "From": call.from_,
            "To": call.to,
        }
        if callback:
            params["CallbackSource"] = "call-progress-events"
            params["SequenceNumber"] = str(call.sequence)
            call.sequence += 1
        if call.answered_by is not None:
            params["AnsweredBy"] = call.answered_by
        return params

    async def _status(self, call: StandInCall, status: str) -> None:
        call.status = status
        params = self._params(call, status)
        if status == "completed":
            params["CallDuration"] = "1"
        await self._send(call.status_callback, params)

    async def _send(self, url: str | None, params: dict[str, str]) -> str | None:
        """POST a signed webhook; Twilio retries nothing here, but may send twice."""
        if url is None or self._http is None:
            return None
        if params.get("CallbackSource"):
            calls = [c for c in self.calls.values() if c.sid == params["CallSid"]]
            for call in calls:
                call.callbacks.append(params)
        headers = {"X-Twilio-Signature": twilio_signature(self.auth_token, url, params)}
        text = None
        for _ in range(2 if self.duplicate_callbacks and params.get("CallbackSource") else 1):
            async with self._http.post(url, data=params, headers=headers) as response:
                text = await response.text() if response.status == 200 else None
        return text
