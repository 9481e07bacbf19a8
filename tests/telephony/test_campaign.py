"""A campaign end to end with the Twilio carrier: REST to the stand-in, signed callbacks back."""

from collections import Counter

from phonebank.dialer.carriers.twilio import conference_name
from tests.telephony.conftest import NUMBERS, Line


async def test_a_campaign_is_dialed_through_twilio_end_to_end(line: Line) -> None:
    csrf = await line.login()
    session_id = await line.join(csrf)
    standin = line.loop.standin
    support = next(q for q in line.script.questions if q.name == "support")
    saved = 0
    for _ in range(2):  # two contacts answer in person: talk, hang up, save the result
        await line.until(
            lambda: (
                session_id in line.dialer.agents
                and line.dialer.agents[session_id].state == "wrap_up"
            )
        )
        response = await line.client.post(
            f"/api/v1/caller/sessions/{session_id}/result",
            json={
                "disposition": "completed",
                "answers": [{"question_id": str(support.id), "responses": ["yes"]}],
            },
            headers=csrf,
        )
        assert response.status_code == 201, response.text
        saved += 1
    await line.until(lambda: len(standin.calls) == len(NUMBERS) and not line.dialer.dials)
    await line.clock.run(until=line.clock.now())
    await line.dialer.store.flush(campaign=line.dialer.campaign, now=line.clock.now())

    attempts = await line.attempts()
    by_number = {attempt.number: attempt for attempt in attempts}
    assert {number: by_number[number].outcome for number in NUMBERS} == {
        NUMBERS[0]: "human",
        NUMBERS[1]: "busy",
        NUMBERS[2]: "machine",
        NUMBERS[3]: "no_answer",
        NUMBERS[4]: "human",
    }
    for number in NUMBERS:
        call = standin.call_to(number)
        assert by_number[number].carrier == "twilio"
        assert by_number[number].carrier_call_id == call.sid
    # Every dial asked for status callbacks and answering machine detection at our URLs.
    for created in standin.created:
        assert created["StatusCallback"].startswith(f"{line.loop.public_url}/telephony/twilio/")
        assert created["StatusCallbackEvent"] == "initiated ringing answered completed"
        assert created["MachineDetection"] == "DetectMessageEnd"
        assert created["From"] == line.loop.config.caller_number
    # People were put in the caller's conference; the machine heard the voicemail message.
    room = conference_name(str(session_id))
    for number in (NUMBERS[0], NUMBERS[4]):
        assert any(room in twiml for twiml in standin.call_to(number).twiml)
    assert any(
        "<Play>https://example.org/voicemail.mp3</Play>" in twiml
        for twiml in standin.call_to(NUMBERS[2]).twiml
    )
    results = await line.results()
    assert len(results) == saved == 2
    assert Counter(result.disposition for result in results) == {"completed": 2}
