"""Twilio's statuses and AnsweredBy values onto normalized events, forward only."""

import pytest

from phonebank.dialer.carriers.twilio_events import (
    CallProgress,
    Normalized,
    answered_by,
    from_answer,
    from_status,
)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("queued", Normalized("queued")),
        ("initiated", Normalized("queued")),
        ("ringing", Normalized("ringing")),
        ("completed", Normalized("completed", cause="completed")),
        ("busy", Normalized("completed", cause="busy")),
        ("no-answer", Normalized("completed", cause="no_answer")),
        ("failed", Normalized("completed", cause="failed")),
        ("canceled", Normalized("completed", cause="canceled")),
        ("something-new", None),
    ],
)
def test_statuses_map_onto_normalized_events(status: str, expected: Normalized | None) -> None:
    assert from_status({"CallStatus": status}, machine_detection=True) == expected


def test_an_answer_waits_for_the_machine_detection_verdict() -> None:
    assert from_status({"CallStatus": "in-progress"}, machine_detection=True) is None
    without_detection = from_status({"CallStatus": "in-progress"}, machine_detection=False)
    assert without_detection == Normalized("answered", answered_by="human")
    with_verdict = {"CallStatus": "in-progress", "AnsweredBy": "machine_start"}
    assert from_status(with_verdict, machine_detection=True) == Normalized(
        "answered", answered_by="machine"
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("human", "human"),
        ("unknown", "human"),
        ("machine_start", "machine"),
        ("machine_end_beep", "machine"),
        ("machine_end_silence", "machine"),
        ("machine_end_other", "machine"),
        ("fax", "machine"),
        ("", None),
        (None, None),
    ],
)
def test_answered_by_values(value: str | None, expected: str | None) -> None:
    assert answered_by(value) == expected


def test_the_answer_request_without_a_verdict_is_a_person() -> None:
    assert from_answer({"CallStatus": "in-progress"}) == Normalized("answered", answered_by="human")


def test_progress_numbers_each_step_once_and_never_steps_back() -> None:
    progress = CallProgress()
    queued, ringing = Normalized("queued"), Normalized("ringing")
    answered = Normalized("answered", answered_by="human")
    completed = Normalized("completed", cause="completed")
    assert progress.advance(queued) == 1
    assert progress.advance(queued) is None  # repeated
    assert progress.advance(answered) == 2  # ringing's callback is late
    assert progress.advance(ringing) is None  # ... and then stale
    assert progress.answered and not progress.ended
    assert progress.advance(completed) == 3
    assert progress.ended
    assert progress.advance(completed) is None
