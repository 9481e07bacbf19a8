"""The phones-only caller's room, seen through Twilio's REST API from a webhook's process.

When the contact hangs up, the caller is left alone in their conference; Twilio reports the
leaving, and the caller's own call is redirected to the result menus, as a browser's page
moves on by itself. Acting on Twilio's word from any process keeps this out of the engine.
"""

import logging

from twilio.base.exceptions import TwilioException
from twilio.http.async_http_client import AsyncTwilioHttpClient

from phonebank.dialer.carriers.twilio import TwilioConfig, rest_client

logger = logging.getLogger("phonebank.telephony")


async def send_lone_caller_to(
    config: TwilioConfig, *, conference_sid: str, caller_leg: str, url: str
) -> bool:
    """Redirect the caller's call to `url` when they are the only one left in the conference."""
    client = rest_client(config)
    try:
        participants = await client.conferences(conference_sid).participants.list_async()
        if [participant.call_sid for participant in participants] != [caller_leg]:
            return False
        await client.calls(caller_leg).update_async(url=url, method="POST")
        return True
    except TwilioException as error:
        # The caller left meanwhile, or the room ended: nothing is owed to anyone.
        logger.info("could not move caller call %s on: %s", caller_leg, error)
        return False
    finally:
        if isinstance(client.http_client, AsyncTwilioHttpClient):
            await client.http_client.close()
