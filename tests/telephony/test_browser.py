"""Browser callers over Twilio: Voice SDK access tokens, and the TwiML app's conference."""

import time
import uuid
import xml.etree.ElementTree as ET

import httpx
import jwt
import pytest
from fastapi import FastAPI

from phonebank.dialer.carriers.twilio import TwilioConfig, conference_name
from phonebank.telephony.tokens import caller_of_identity, identity_of
from tests.calling.conftest import Desk
from tests.telephony.loopback import ACCOUNT_SID, AUTH_TOKEN, CALLER_NUMBER
from tests.telephony.standin import twilio_signature

PUBLIC_URL = "https://phonebank.example.org"
API_KEY_SECRET = "api-key-secret-0123456789abcdef-0123456789"


@pytest.fixture
def twilio(app: FastAPI) -> TwilioConfig:
    """Twilio configured for browser callers."""
    app.state.twilio = TwilioConfig(
        account_sid=ACCOUNT_SID,
        auth_token=AUTH_TOKEN,
        caller_number=CALLER_NUMBER,
        public_url=PUBLIC_URL,
        api_key_sid="SK" + "1" * 32,
        api_key_secret=API_KEY_SECRET,
        twiml_app_sid="AP" + "2" * 32,
    )
    return app.state.twilio  # type: ignore[no-any-return]


async def test_a_logged_in_caller_gets_a_voice_sdk_token(desk: Desk, twilio: TwilioConfig) -> None:
    csrf = await desk.login()
    response = await desk.client.get("/telephony/twilio/token", headers=csrf)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["identity"] == identity_of(desk.caller.id)
    claims = jwt.decode(body["token"], API_KEY_SECRET, algorithms=["HS256"])
    assert claims["iss"] == twilio.api_key_sid and claims["sub"] == ACCOUNT_SID
    assert claims["grants"]["identity"] == body["identity"]
    assert claims["grants"]["voice"]["outgoing"]["application_sid"] == twilio.twiml_app_sid
    assert body["expires_in"] == 3600
    assert abs(claims["exp"] - time.time() - 3600) < 60


async def test_tokens_need_a_login_and_a_configured_sdk(
    desk: Desk, client: httpx.AsyncClient, app: FastAPI, twilio: TwilioConfig
) -> None:
    assert (await client.get("/telephony/twilio/token")).status_code == 401
    csrf = await desk.login()
    app.state.twilio = TwilioConfig(
        account_sid=ACCOUNT_SID,
        auth_token=AUTH_TOKEN,
        caller_number=CALLER_NUMBER,
        public_url=PUBLIC_URL,
    )
    response = await client.get("/telephony/twilio/token", headers=csrf)
    assert response.status_code == 404
    assert "not configured" in response.json()["detail"]


async def _browser(client: httpx.AsyncClient, **params: str) -> ET.Element:
    url = f"{PUBLIC_URL}/telephony/twilio/browser"
    form = {"AccountSid": ACCOUNT_SID, "CallSid": "CAbrowser", **params}
    headers = {"X-Twilio-Signature": twilio_signature(AUTH_TOKEN, url, form)}
    response = await client.post("/telephony/twilio/browser", data=form, headers=headers)
    assert response.status_code == 200, response.text
    return ET.fromstring(response.text)


async def test_the_browser_joins_its_own_sessions_conference(
    desk: Desk, twilio: TwilioConfig
) -> None:
    session_id = await desk.join(await desk.login())
    caller = f"client:{identity_of(desk.caller.id)}"
    assert caller_of_identity(caller) == desk.caller.id
    twiml = await _browser(desk.client, From=caller, session_id=str(session_id))
    room = twiml.find("Dial/Conference")
    assert room is not None and room.text == conference_name(str(session_id))
    # Someone else's session, or none, is refused.
    other = f"client:{identity_of(uuid.uuid4())}"
    for params in ({"From": other, "session_id": str(session_id)}, {"From": caller}):
        refused = await _browser(desk.client, **params)
        assert refused.find("Dial") is None and refused.find("Hangup") is not None
