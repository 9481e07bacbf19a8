"""TwiML of the phones-only caller's calls: menus gathered from the keypad, the conference."""

from twilio.twiml.voice_response import Dial, Gather, VoiceResponse

from phonebank.dialer.carriers.twilio import conference_name

GATHER_TIMEOUT_SECONDS = 10


def gather(text: str, *, action: str, again: str | None = None) -> VoiceResponse:
    """Say `text` and send the digits keyed (ended by `#`) to `action`; no input asks again."""
    response = VoiceResponse()
    menu = Gather(
        action=action,
        method="POST",
        finish_on_key="#",
        timeout=GATHER_TIMEOUT_SECONDS,
        action_on_empty_result=True,
    )
    menu.say(text)
    response.append(menu)
    response.redirect(again or action, method="POST")
    return response


def say_and_hang_up(text: str) -> VoiceResponse:
    """End the call with a sentence."""
    response = VoiceResponse()
    response.say(text)
    response.hangup()
    return response


def caller_conference(
    caller_session_id: str, *, star_action: str, text: str | None = None
) -> VoiceResponse:
    """The phones-only caller waits in their session's conference; `*` opens the result menus.

    The caller ends the conference when they leave it, so the contact's call ends with it.
    """
    response = VoiceResponse()
    if text:
        response.say(text)
    dial = Dial(hangup_on_star=True, action=star_action, method="POST")
    dial.conference(
        conference_name(caller_session_id),
        start_conference_on_enter=True,
        end_conference_on_exit=True,
        beep=False,
    )
    response.append(dial)
    return response


def redirect_after(seconds: int, url: str, text: str | None = None) -> VoiceResponse:
    """Wait a moment (saying `text` first), then ask `url` again."""
    response = VoiceResponse()
    if text:
        response.say(text)
    response.pause(length=seconds)
    response.redirect(url, method="POST")
    return response
