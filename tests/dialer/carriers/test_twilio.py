"""What only the Twilio carrier does: refused dials, callbacks before the dial's id, settings."""

import logging
from collections.abc import AsyncIterator

import pytest

from phonebank.app import create_app
from phonebank.config import Settings
from phonebank.dialer.carriers.base import CarrierEvent
from phonebank.dialer.carriers.twilio import TwilioCarrier, TwilioConfig, carrier_for
from phonebank.dialer.clock import VirtualClock
from phonebank.dialer.service import make_carrier
from tests.dialer.carriers.contract import START, TwilioHarness, dial
from tests.telephony.loopback import TwilioLoop, twilio_loop

# A port nothing listens on (discard).
DOWN = "http://127.0.0.1:9"


@pytest.fixture
async def loop() -> AsyncIterator[TwilioLoop]:
    """The stand-in and the webhooks served."""
    async with twilio_loop(create_app()) as loop:
        yield loop


async def test_a_dial_twilio_refuses_is_reported_as_failed(loop: TwilioLoop) -> None:
    carrier = make_carrier("twilio", VirtualClock(START), {**loop.options(), "auth_token": "x"})
    events: list[CarrierEvent] = []

    async def record(event: CarrierEvent) -> None:
        events.append(event)

    carrier.subscribe(record)
    call = await carrier.originate(dial())
    assert isinstance(carrier._clock, VirtualClock)  # type: ignore[attr-defined]
    await carrier._clock.run(until=START)  # type: ignore[attr-defined]
    assert [(e.kind, e.sequence, e.cause) for e in events] == [
        ("queued", 1, None),
        ("completed", 2, "failed"),
    ]
    assert all(e.carrier_call_id == call for e in events)
    assert loop.standin.calls == {}  # the stand-in refused the wrong credentials
    await carrier.close()


class _Created:
    sid = "CAearly"


class _Calls:
    async def create_async(self, **fields: object) -> _Created:
        return _Created()


class _RestClient:
    """Twilio's REST client as far as `originate` uses it, answering slower than a callback."""

    calls = _Calls()
    http_client = None


async def test_callbacks_that_beat_the_dials_id_are_kept_for_it(loop: TwilioLoop) -> None:
    clock = VirtualClock(START)
    carrier = TwilioCarrier(clock, loop.config, client=_RestClient())
    events: list[CarrierEvent] = []

    async def record(event: CarrierEvent) -> None:
        events.append(event)

    carrier.subscribe(record)
    carrier.status_callback({"CallSid": "CAearly", "CallStatus": "ringing"})
    assert await carrier.originate(dial()) == "CAearly"
    await clock.run(until=START)
    assert [(e.kind, e.sequence) for e in events] == [("queued", 1), ("ringing", 2)]
    await carrier.close()


async def test_ending_a_left_over_call_never_raises(
    loop: TwilioLoop, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="phonebank.dialer.twilio")
    options = loop.options()
    # Credentials Twilio rejects: a dial is refused, and ending a call too.
    rejected = make_carrier("twilio", VirtualClock(START), {**options, "auth_token": "x"})
    refused = await rejected.originate(dial())
    await rejected.end_left_over(refused)  # no call behind it: nothing asked, nothing logged
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]
    unreachable = make_carrier("twilio", VirtualClock(START), {**options, "api_base": DOWN})
    for carrier in (rejected, unreachable):
        await carrier.end_left_over("CA" + "1" * 32)
        await carrier.close()
    errors = [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR]
    assert len(errors) == 2, errors
    assert loop.standin.updates == []


def test_settings_name_what_the_twilio_carrier_is_missing() -> None:
    with pytest.raises(ValueError, match="auth_token, caller_number"):
        TwilioConfig.from_options({"account_sid": "AC1", "public_url": "https://x"})
    settings = Settings(
        carrier="twilio",
        twilio_account_sid="AC1",
        twilio_auth_token="token",
        twilio_caller_number="+14155550000",
        base_url="https://phonebank.example.org",
    )
    options = settings.carrier_options()
    assert options is not None
    config = TwilioConfig.from_options(options)
    assert config.url("/dial-in") == "https://phonebank.example.org/telephony/twilio/dial-in"
    assert Settings(carrier="simulated").twilio_options() is None


async def test_a_closed_carrier_takes_no_more_callbacks(loop: TwilioLoop) -> None:
    carrier = TwilioCarrier(VirtualClock(START), loop.config)
    assert carrier_for(carrier.key) is carrier
    await carrier.close()
    assert carrier_for(carrier.key) is None


async def test_transfers_and_monitoring_act_on_the_bridged_call() -> None:
    harness = TwilioHarness("human", faults=False)
    await harness.open()
    try:
        carrier, standin = harness.carrier, harness.standin
        call = await carrier.originate(dial())
        await harness.until_event(call, "answered")
        await carrier.transfer(call, "+14155550100", warm=True)  # not bridged yet: nothing
        assert len(standin.created) == 1
        await carrier.bridge(call, "session-1")
        await carrier.transfer(call, "+14155550100", warm=True)
        await carrier.monitor(call, supervisor="supervisor-1", mode="listen")
        await carrier.transfer(call, "+14155550101", warm=False)
        warm, listen = standin.created[1:]
        assert warm["To"] == "+14155550100"
        assert "<Conference" in warm["Twiml"] and "pb-session-session-1" in warm["Twiml"]
        assert listen["To"] == "client:caller-supervisor-1"
        assert 'muted="true"' in listen["Twiml"]
        assert "<Dial callerId" in standin.calls[call].twiml[-1]
        assert "+14155550101</Dial>" in standin.calls[call].twiml[-1]
    finally:
        await harness.close()


async def test_leaving_a_warm_transfer_moves_the_two_left_to_their_own_room() -> None:
    harness = TwilioHarness("human", faults=False)
    await harness.open()
    try:
        carrier, standin = harness.carrier, harness.standin
        call = await carrier.originate(dial())
        await harness.until_event(call, "answered")
        await carrier.bridge(call, "session-1")
        await carrier.transfer(call, "+14155550100", warm=True)
        leg = next(sid for sid, made in standin.calls.items() if made.to == "+14155550100")
        await carrier.release(call)
        room = f"pb-transfer-{call}"
        # The caller's room stays theirs; the contact and the transfer meet elsewhere.
        for sid in (call, leg):
            assert room in standin.calls[sid].twiml[-1], sid
            assert 'endConferenceOnExit="true"' in standin.calls[sid].twiml[-1]
        assert "pb-session-session-1" not in standin.calls[call].twiml[-1]
    finally:
        await harness.close()


def test_the_app_will_not_start_with_a_twilio_carrier_half_configured() -> None:
    with pytest.raises(ValueError, match="PHONEBANK_TWILIO_ACCOUNT_SID"):
        create_app(Settings(carrier="twilio"))
    with pytest.raises(ValueError, match="needs auth_token"):
        create_app(Settings(carrier="twilio", twilio_account_sid="AC1"))
