"""Access tokens for browser callers: the Twilio Voice SDK connects with one of these."""

import uuid

from twilio.jwt.access_token import AccessToken
from twilio.jwt.access_token.grants import VoiceGrant

from phonebank.dialer.carriers.twilio import TwilioConfig, client_identity
from phonebank.errors import NotFound

TOKEN_SECONDS = 3600
# What `client_identity` puts before a caller's id.
IDENTITY_PREFIX = client_identity("")


def identity_of(caller_id: uuid.UUID) -> str:
    """The Voice SDK identity of a caller (Twilio sends it back as `client:<identity>`)."""
    return client_identity(str(caller_id))


def caller_of_identity(value: str) -> uuid.UUID | None:
    """The caller a Voice SDK call comes from (`From` is `client:caller-<id>`), if any."""
    identity = value.removeprefix("client:")
    if not identity.startswith(IDENTITY_PREFIX):
        return None
    try:
        return uuid.UUID(identity.removeprefix(IDENTITY_PREFIX))
    except ValueError:
        return None


def voice_token(config: TwilioConfig, caller_id: uuid.UUID) -> tuple[str, str]:
    """A signed access token letting the caller's browser call our TwiML app; (token, identity)."""
    if not (config.api_key_sid and config.api_key_secret and config.twiml_app_sid):
        raise NotFound("browser calling through Twilio is not configured")
    identity = identity_of(caller_id)
    token = AccessToken(
        config.account_sid,
        config.api_key_sid,
        config.api_key_secret,
        identity=identity,
        ttl=TOKEN_SECONDS,
    )
    token.add_grant(VoiceGrant(outgoing_application_sid=config.twiml_app_sid))
    return str(token.to_jwt()), identity
