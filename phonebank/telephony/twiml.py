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
    caller_session_id: str, *, star_action: str, room_events: str, text: str | None = None
) -> VoiceResponse:
    """The phones-only caller waits in their session's conference; `*` leads to `star_action`.

    The room outlives the caller's stepping out to a menu (the contact waits, a warm transfer
    goes on); Twilio tells `room_events` when someone leaves, so that the contact's hanging up
    brings the caller to the result menus unasked.
    """
    response = VoiceResponse()
    if text:
        response.say(text)
    dial = Dial(hangup_on_star=True, action=star_action, method="POST")
    dial.conference(
        conference_name(caller_session_id),
        start_conference_on_enter=True,
        end_conference_on_exit=False,
        beep=False,
        status_callback=room_events,
        status_callback_event="leave",
        status_callback_method="POST",
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
