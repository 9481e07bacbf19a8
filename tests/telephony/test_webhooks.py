"""Twilio's request signature: how it is computed, and unsigned or forged callbacks refused."""

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from redis.asyncio import Redis
from twilio.request_validator import RequestValidator

from phonebank.dialer.carriers.base import CarrierEvent
from phonebank.dialer.carriers.twilio import TwilioCarrier, TwilioConfig
from phonebank.dialer.clock import VirtualClock
from phonebank.dialer.outcomes import SAFE_HARBOR_TEXT
from phonebank.dialer.remote import TELEPHONY_CHANNEL, CommandClient, say_taken
from tests.dialer.conftest import START
from tests.servers import TEST_REDIS_URL, needs_redis
from tests.telephony.loopback import ACCOUNT_SID, AUTH_TOKEN, CALLER_NUMBER
from tests.telephony.standin import twilio_signature

PUBLIC_URL = "https://phonebank.example.org"


def test_the_stand_in_signs_as_twilio_documents_it() -> None:
    # The example of Twilio's security documentation, and the official validator, agree.
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    params = {
        "CallSid": "CA1234567890ABCDE",
        "Caller": "+12349013030",
        "Digits": "1234",
        "From": "+12349013030",
        "To": "+18005551212",
    }
    signature = twilio_signature("12345", url, params)
    assert signature == "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
    assert RequestValidator("12345").validate(url, params, signature)
    assert not RequestValidator("54321").validate(url, params, signature)


@pytest.fixture
async def carrier(app: FastAPI) -> AsyncIterator[TwilioCarrier]:
    """A Twilio carrier whose webhooks the app serves at PUBLIC_URL; it has one call ringing."""
    config = TwilioConfig(
        account_sid=ACCOUNT_SID,
        auth_token=AUTH_TOKEN,
        caller_number=CALLER_NUMBER,
        public_url=PUBLIC_URL,
        api_base="http://127.0.0.1:9",
    )
    app.state.twilio = config
    carrier = TwilioCarrier(VirtualClock(START), config)
    yield carrier
    await carrier.close()


def _status(carrier: TwilioCarrier, sid: str, status: str) -> tuple[str, dict[str, str]]:
    path = f"/telephony/twilio/calls/{carrier.key}/status"
    params = {"AccountSid": ACCOUNT_SID, "CallSid": sid, "CallStatus": status}
    return path, params


async def _events(carrier: TwilioCarrier) -> list[CarrierEvent]:
    events: list[CarrierEvent] = []

    async def record(event: CarrierEvent) -> None:
        events.append(event)

    carrier.subscribe(record)
    clock = carrier._clock
    assert isinstance(clock, VirtualClock)
    await clock.run(until=clock.now() + timedelta(seconds=1))
    return events


async def test_a_signed_status_callback_reaches_the_carrier(
    client: httpx.AsyncClient, carrier: TwilioCarrier
) -> None:
    path, params = _status(carrier, "CA01", "busy")
    signature = twilio_signature(AUTH_TOKEN, PUBLIC_URL + path, params)
    response = await client.post(path, data=params, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 204
    # The call was not placed by this carrier yet: the callback waits for `originate`.
    assert carrier._early["CA01"][0].cause == "busy"


@pytest.mark.parametrize("forgery", ["missing", "other token", "other url", "changed params"])
async def test_unsigned_or_forged_callbacks_are_refused_and_change_nothing(
    client: httpx.AsyncClient, carrier: TwilioCarrier, forgery: str
) -> None:
    path, params = _status(carrier, "CA02", "completed")
    signed_params, url, token = dict(params), PUBLIC_URL + path, AUTH_TOKEN
    if forgery == "other token":
        token = "not-the-auth-token"
    elif forgery == "other url":
        url = PUBLIC_URL + "/telephony/twilio/dial-in"
    elif forgery == "changed params":
        signed_params["CallStatus"] = "ringing"
    headers = {}
    if forgery != "missing":
        headers["X-Twilio-Signature"] = twilio_signature(token, url, signed_params)
    response = await client.post(path, data=params, headers=headers)
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    assert "X-Twilio-Signature" in response.json()["detail"]
    assert carrier._early == {}
    assert await _events(carrier) == []


@pytest.mark.parametrize(
    "path",
    [
        "/telephony/twilio/calls/{key}/answer",
        "/telephony/twilio/dial-in",
        "/telephony/twilio/dial-in/code",
        "/telephony/twilio/dial-in/pin?code=1",
        "/telephony/twilio/browser",
        "/telephony/twilio/sessions/00000000-0000-0000-0000-000000000000/star",
        "/telephony/twilio/sessions/00000000-0000-0000-0000-000000000000/keypad",
        "/telephony/twilio/sessions/00000000-0000-0000-0000-000000000000/save",
    ],
)
async def test_every_twilio_webhook_checks_the_signature(
    client: httpx.AsyncClient, carrier: TwilioCarrier, path: str
) -> None:
    path = path.format(key=carrier.key)
    params = {"CallSid": "CA03", "Digits": "1"}
    response = await client.post(path, data=params)
    assert response.status_code == 403
    wrong = twilio_signature("not-the-auth-token", PUBLIC_URL + path, params)
    response = await client.post(path, data=params, headers={"X-Twilio-Signature": wrong})
    assert response.status_code == 403


async def test_webhooks_are_not_found_without_a_twilio_account(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    app.state.twilio = None
    response = await client.post("/telephony/twilio/dial-in", data={})
    assert response.status_code == 404


async def _post_signed(
    client: httpx.AsyncClient, path: str, params: dict[str, str]
) -> httpx.Response:
    signature = {"X-Twilio-Signature": twilio_signature(AUTH_TOKEN, PUBLIC_URL + path, params)}
    response = await client.post(path, data=params, headers=signature)
    assert response.status_code in (200, 204)
    return response


@needs_redis
async def test_callbacks_of_a_call_placed_by_another_process_go_to_it_through_redis(
    client: httpx.AsyncClient, carrier: TwilioCarrier, app: FastAPI
) -> None:
    app.state.commands = CommandClient(TEST_REDIS_URL)
    listener = Redis.from_url(TEST_REDIS_URL)
    pubsub = listener.pubsub(ignore_subscribe_messages=True)
    await pubsub.subscribe(TELEPHONY_CHANNEL)
    forwarded: list[dict[str, object]] = []

    async def dialer_process() -> None:
        # Stands in for the dialer worker whose carrier placed the call: it takes what comes.
        while len(forwarded) < 2:
            message = await pubsub.get_message(timeout=0.1)
            if message is not None:
                forwarded.append(payload := json.loads(message["data"]))
                if "reply" in payload:
                    await say_taken(listener, payload)

    # A key no carrier of this process has: the call was placed by a dialer worker.
    base = "/telephony/twilio/calls/elsewhere"
    call = {"AccountSid": ACCOUNT_SID, "CallSid": "CA9"}
    worker = asyncio.create_task(dialer_process())
    try:
        await _post_signed(client, f"{base}/status", {**call, "CallStatus": "ringing"})
        response = await _post_signed(client, f"{base}/answer", {**call, "AnsweredBy": "human"})
        assert "<Pause" in response.text  # the answered contact holds until the dialer decides
        await asyncio.wait_for(worker, timeout=10)
        kinds = [
            (event["key"], event["sid"], event["kind"], event["answered_by"]) for event in forwarded
        ]
        assert kinds == [
            ("elsewhere", "CA9", "ringing", None),
            ("elsewhere", "CA9", "answered", "human"),
        ]
    finally:
        worker.cancel()
        await pubsub.aclose()
        await listener.aclose()
        await app.state.commands.close()


@needs_redis
async def test_an_answered_call_of_a_dialer_that_died_hears_the_abandoned_call_message(
    client: httpx.AsyncClient, carrier: TwilioCarrier, app: FastAPI
) -> None:
    app.state.commands = CommandClient(TEST_REDIS_URL, timeout=0.5)
    call = {"AccountSid": ACCOUNT_SID, "CallSid": "CA8", "AnsweredBy": "human"}
    try:
        # No dialer process holds this carrier any more: nobody will ever connect the person.
        response = await _post_signed(client, "/telephony/twilio/calls/gone/answer", call)
    finally:
        await app.state.commands.close()
    assert SAFE_HARBOR_TEXT in response.text and "<Hangup" in response.text
