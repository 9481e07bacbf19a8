"""The pages as HTML: what they are served with (the browser tests drive them in Chromium)."""

import httpx
from fastapi import FastAPI


async def test_the_call_page_brings_browser_audio_only_with_twilio(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    plain = await client.get("/call")
    assert plain.status_code == 200 and 'data-voice=""' in plain.text
    app.state.twilio = object()  # any configured account
    with_twilio = await client.get("/call")
    assert 'data-voice="twilio"' in with_twilio.text
    sdk = await client.get("/static/vendor/twilio-voice-2.18.5.min.js")
    assert sdk.status_code == 200 and "javascript" in sdk.headers["content-type"]
    assert "Device" in sdk.text


async def test_the_caller_sdk_and_dashboard_need_no_network(client: httpx.AsyncClient) -> None:
    sdk = await client.get("/sdk/caller.js")
    assert sdk.headers["content-type"].startswith("text/javascript")
    assert "export class CallerClient" in sdk.text
    login = await client.get("/admin")
    assert "Organizer login" in login.text
    assert "http://" not in login.text.replace("http://testserver", "")  # no CDN
