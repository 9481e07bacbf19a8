"""Twilio's requests to us: checked against Twilio's signature before anything happens.

Twilio signs each webhook request with the account's auth token over the URL it requested
and the form parameters (`X-Twilio-Signature`). The URL is rebuilt from the configured public
base URL, not from the request's Host header, so a proxy in front changes nothing and a
forged Host proves nothing. A missing or wrong signature is a 403 and changes nothing.
"""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request, Response
from twilio.request_validator import RequestValidator
from twilio.twiml.voice_response import VoiceResponse

from phonebank.dialer.carriers.twilio import TwilioConfig
from phonebank.errors import Forbidden, NotFound

SIGNATURE_HEADER = "X-Twilio-Signature"


@dataclass(frozen=True)
class TwilioRequest:
    """A webhook request whose signature matched: its parameters and our Twilio settings."""

    config: TwilioConfig
    params: dict[str, str]
    url: str


def twilio_config(request: Request) -> TwilioConfig:
    """The Twilio settings of this server; NotFound when no Twilio account is configured."""
    config: TwilioConfig | None = getattr(request.app.state, "twilio", None)
    if config is None:
        raise NotFound("no Twilio account is configured")
    return config


def public_url(config: TwilioConfig, request: Request) -> str:
    """The URL Twilio requested, as it knows us."""
    url = f"{config.public_url.rstrip('/')}{request.url.path}"
    return f"{url}?{request.url.query}" if request.url.query else url


async def signed_request(request: Request) -> TwilioRequest:
    """The request's parameters, once Twilio's signature over them is proven."""
    config = twilio_config(request)
    form = await request.form()
    url = public_url(config, request)
    signature = request.headers.get(SIGNATURE_HEADER)
    if not signature or not RequestValidator(config.auth_token).validate(url, form, signature):
        raise Forbidden(f"missing or wrong {SIGNATURE_HEADER}")
    params = {name: value for name, value in form.items() if isinstance(value, str)}
    return TwilioRequest(config, params, url)


SignedRequest = Annotated[TwilioRequest, Depends(signed_request)]


def twiml(response: VoiceResponse) -> Response:
    """A TwiML document as Twilio expects it."""
    return Response(content=str(response), media_type="application/xml")
