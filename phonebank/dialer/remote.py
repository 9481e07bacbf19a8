"""Commands to an engine in another process, through Redis: API processes ask, dialers answer.

A dialer process (`CommandServer`) pops commands from its own list (`dialer:<owner>:commands`,
the owner name its leases carry) and pushes each answer to the list the asker waits on, named
by the command's id. An API process (`RemoteLink`) finds the campaign's lease holder in the
database, pushes the command and waits for the answer: a refusal comes back as the same
Conflict the engine raised; no answer in time is a 503. Carrier callbacks (Twilio's) received
by an API process are checked there, normalised, and published to every dialer process: the
one whose carrier placed the call applies it. An answered call waits for that process to say
it took it: when none does (the process died), the API process ends the call itself.
"""

import asyncio
import contextlib
import json
import logging
import time
import uuid
from typing import Any, cast

from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from phonebank.db import utcnow
from phonebank.dialer import leases
from phonebank.dialer.carriers.twilio import carrier_for
from phonebank.dialer.carriers.twilio_events import Normalized
from phonebank.dialer.commands import EngineLink, Reply, execute
from phonebank.dialer.service import DialerService
from phonebank.errors import Conflict, DomainError, Unavailable
from phonebank.kit.problems import redis_unavailable
from phonebank.kit.redis import connect

logger = logging.getLogger("phonebank.dialer.remote")

PREFIX = "phonebank:dialer:"
TELEPHONY_CHANNEL = "phonebank:telephony"
# How long an API process waits for a dialer's answer before answering 503.
REPLY_SECONDS = 5.0
# Lists nobody reads any more (a dead dialer's, an abandoned answer) go away on their own.
KEY_SECONDS = 60
# How long an API process waits for a dialer process to say it took an answered call.
ANSWER_TAKEN_SECONDS = 3.0


def _commands_key(owner: str) -> str:
    return f"{PREFIX}{owner}:commands"


def _reply_key(command_id: str) -> str:
    return f"{PREFIX}reply:{command_id}"


class CommandClient:
    """An API process's way to the engines other processes run."""

    def __init__(self, url: str, *, timeout: float = REPLY_SECONDS) -> None:
        # The socket outwaits the reply wait: a dialer that does not answer ends as a 503,
        # never as a socket timeout racing the BLPOP (a 500).
        self._redis: Redis = connect(url, blocking_seconds=timeout)
        self.timeout = timeout

    async def ask(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        campaign_id: uuid.UUID,
        command: str,
        session_id: uuid.UUID,
        args: dict[str, Any],
    ) -> Reply | None:
        """The reply of the campaign's engine, wherever it runs; None when none runs."""
        async with sessionmaker() as session:
            owner = await leases.holder(session, campaign_id=campaign_id, now=utcnow())
        if owner is None:
            return None
        command_id = uuid.uuid4().hex
        message = {
            "id": command_id,
            "campaign_id": str(campaign_id),
            "command": command,
            "session_id": str(session_id),
            "args": args,
            "deadline": time.time() + self.timeout,
        }
        key = _commands_key(owner)
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.rpush(key, json.dumps(message, default=str))
                pipe.expire(key, KEY_SECONDS)
                await pipe.execute()
            answered = await self._redis.blpop([_reply_key(command_id)], timeout=self.timeout)
        except RedisError:
            raise redis_unavailable() from None
        if answered is None:
            raise Unavailable("the campaign's dialer did not answer: try again in a moment")
        data = json.loads(cast(tuple[bytes, bytes], answered)[1])
        if "error" in data:
            error = data["error"]
            if error.get("not_here"):
                return None  # the lease changed hands meanwhile; the next ask finds the new one
            if error.get("status") == 409:
                raise Conflict(error["detail"], field=error.get("field"))
            raise Unavailable("the campaign's dialer could not do it: try again in a moment")
        return Reply.from_json(data["reply"])

    async def forward_telephony(self, key: str, sid: str, event: Normalized) -> None:
        """Hand a checked carrier callback to the dialer process whose carrier placed the call."""
        payload = _telephony_payload(key, sid, event)
        await self._redis.publish(TELEPHONY_CHANNEL, json.dumps(payload))

    async def forward_answer(self, key: str, sid: str, event: Normalized) -> bool:
        """Hand an answered call to the dialer process whose carrier placed it; whether one
        took it (none does when that process died: nobody will ever connect the call)."""
        reply = uuid.uuid4().hex
        payload = {**_telephony_payload(key, sid, event), "reply": reply}
        try:
            if not await self._redis.publish(TELEPHONY_CHANNEL, json.dumps(payload)):
                return False  # no dialer process listens at all
            wait = min(self.timeout, ANSWER_TAKEN_SECONDS)
            taken = await self._redis.blpop([_reply_key(reply)], timeout=wait)
        except RedisError:
            logger.exception("could not hand answered call %s to its dialer", sid)
            return False
        return taken is not None

    async def close(self) -> None:
        """Let the connections go."""
        await self._redis.aclose()


def _telephony_payload(key: str, sid: str, event: Normalized) -> dict[str, Any]:
    return {
        "key": key,
        "sid": sid,
        "kind": event.kind,
        "answered_by": event.answered_by,
        "cause": event.cause,
    }


async def say_taken(redis: Redis, payload: dict[str, Any]) -> None:
    """Tell the API process that handed over an answered call that this process took it."""
    async with redis.pipeline(transaction=True) as pipe:
        pipe.rpush(_reply_key(payload["reply"]), "taken")
        pipe.expire(_reply_key(payload["reply"]), KEY_SECONDS)
        await pipe.execute()


class RemoteLink(EngineLink):
    """A campaign's engine in another process, reached through Redis."""

    def __init__(
        self,
        client: CommandClient,
        sessionmaker: async_sessionmaker[AsyncSession],
        campaign_id: uuid.UUID,
    ) -> None:
        self.client = client
        self.sessionmaker = sessionmaker
        self.campaign_id = campaign_id

    async def ask(self, command: str, session_id: uuid.UUID, **args: Any) -> Reply | None:
        """Send the command to the engine's process and wait for its reply."""
        return await self.client.ask(self.sessionmaker, self.campaign_id, command, session_id, args)


class CommandServer:
    """A dialer process's side: carry out the commands sent to its engines."""

    def __init__(self, url: str, service: DialerService) -> None:
        self._redis: Redis = Redis.from_url(url)
        self.service = service
        self._tasks: list[asyncio.Task[None]] = []
        self._running: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        """Listen for commands and carrier callbacks in the background."""
        self._tasks = [
            asyncio.create_task(self._serve_commands(), name="phonebank-dialer-commands"),
            asyncio.create_task(self._serve_telephony(), name="phonebank-dialer-telephony"),
        ]

    async def _serve_commands(self) -> None:
        key = _commands_key(self.service.owner)
        while True:
            try:
                popped = await self._redis.blpop([key], timeout=1)
            except asyncio.CancelledError:
                raise
            except Exception:  # Redis away: try again shortly
                logger.exception("could not read dialer commands")
                await asyncio.sleep(1)
                continue
            if popped is None:
                continue
            message = json.loads(cast(tuple[bytes, bytes], popped)[1])
            task = asyncio.create_task(self._handle(message))
            self._running.add(task)
            task.add_done_callback(self._running.discard)

    async def _handle(self, message: dict[str, Any]) -> None:
        if message["deadline"] < time.time():
            return  # the asker gave up: acting now would surprise them
        dialer = self.service.dialer_for(uuid.UUID(message["campaign_id"]))
        answer: dict[str, Any]
        if dialer is None:
            answer = {"error": {"not_here": True}}
        else:
            try:
                reply = await execute(
                    dialer, message["command"], uuid.UUID(message["session_id"]), message["args"]
                )
                answer = {"reply": reply.to_json()}
            except DomainError as error:
                answer = {"error": {"status": 409, "detail": error.detail, "field": error.field}}
            except Exception:
                logger.exception("dialer command %s failed", message["command"])
                answer = {"error": {"status": 500}}
        key = _reply_key(message["id"])
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.rpush(key, json.dumps(answer, default=str))
                pipe.expire(key, KEY_SECONDS)
                await pipe.execute()
        except Exception:
            logger.exception("could not answer dialer command %s", message["id"])

    async def _serve_telephony(self) -> None:
        while True:
            try:
                pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
                await pubsub.subscribe(TELEPHONY_CHANNEL)
                while True:
                    message = await pubsub.get_message(timeout=None)
                    if message is not None and message.get("type") == "message":
                        payload = json.loads(message["data"])
                        if self._telephony(payload) and "reply" in payload:
                            await say_taken(self._redis, payload)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("carrier callbacks from Redis failed; listening again")
                await asyncio.sleep(1)

    def _telephony(self, data: dict[str, Any]) -> bool:
        """Apply a callback of one of this process's carriers; whether it was one."""
        carrier = carrier_for(data["key"])
        if carrier is None:
            return False  # another process placed that call (or it is gone)
        event = Normalized(data["kind"], answered_by=data["answered_by"], cause=data["cause"])
        carrier.receive(data["sid"], event)
        return True

    async def stop(self) -> None:
        """Stop listening and let the connections go."""
        for task in [*self._tasks, *self._running]:
            task.cancel()
        for task in [*self._tasks, *self._running]:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await self._redis.aclose()
