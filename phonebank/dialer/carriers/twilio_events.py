"""Twilio's call statuses and AnsweredBy values, mapped onto the carrier's normalized events.

Twilio reports a call through status callbacks (`CallStatus`: queued, initiated, ringing,
in-progress, completed, busy, no-answer, failed, canceled) and, with answering machine
detection, an `AnsweredBy` value on the request for the answered call's TwiML. Callbacks can
be retried (duplicates) and can race each other (out of order); `CallProgress` keeps one call's
normalized stream strictly forward: each kind at most once, never a step back, nothing after
`completed`, numbered 1, 2, 3... in the order it is emitted.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from phonebank.dialer.carriers.base import EVENT_ORDER, AnsweredBy, EndCause, EventKind

ENDING_STATUSES: dict[str, EndCause] = {
    "completed": "completed",
    "busy": "busy",
    "no-answer": "no_answer",
    "failed": "failed",
    "canceled": "canceled",
}
# Answering machine detection's verdicts; `unknown` counts as a person, so that nobody who
# picked up is hung up on because detection could not decide.
MACHINE_VERDICTS = frozenset(
    {"machine_start", "machine_end_beep", "machine_end_silence", "machine_end_other", "fax"}
)


@dataclass(frozen=True)
class Normalized:
    """One normalized event, before it gets its sequence number."""

    kind: EventKind
    answered_by: AnsweredBy | None = None
    cause: EndCause | None = None


def answered_by(value: str | None) -> AnsweredBy | None:
    """Twilio's AnsweredBy as `human` or `machine` (None when detection did not report)."""
    if not value:
        return None
    return "machine" if value in MACHINE_VERDICTS else "human"


def from_status(params: Mapping[str, str], *, machine_detection: bool) -> Normalized | None:
    """The normalized event a status callback reports, or None when it reports nothing new.

    With answering machine detection on, `in-progress` is not yet an answer the engine can act
    on: the verdict comes with the request for the call's TwiML (or a later callback).
    """
    status = params.get("CallStatus", "")
    if status in ("queued", "initiated"):
        return Normalized("queued")
    if status == "ringing":
        return Normalized("ringing")
    if status == "in-progress":
        verdict = answered_by(params.get("AnsweredBy"))
        if verdict is None and machine_detection:
            return None
        return Normalized("answered", answered_by=verdict or "human")
    cause = ENDING_STATUSES.get(status)
    if cause is not None:
        return Normalized("completed", cause=cause)
    return None


def from_answer(params: Mapping[str, str]) -> Normalized:
    """The answer reported by the request for an answered call's TwiML."""
    return Normalized("answered", answered_by=answered_by(params.get("AnsweredBy")) or "human")


class CallProgress:
    """One Twilio call's normalized stream: forward only, each step once, numbered."""

    __slots__ = ("answered_by", "bridged_to", "rank", "sequence", "transfer_leg")

    def __init__(self) -> None:
        self.rank = -1
        self.sequence = 0
        self.answered_by: AnsweredBy | None = None
        # The caller session whose conference the contact was put in.
        self.bridged_to: str | None = None
        # The call that rang a warm transfer's number into that conference.
        self.transfer_leg: str | None = None

    @property
    def ended(self) -> bool:
        """Whether `completed` was emitted."""
        return self.rank >= EVENT_ORDER["completed"]

    @property
    def answered(self) -> bool:
        """Whether the call was answered."""
        return self.answered_by is not None

    def advance(self, event: Normalized) -> int | None:
        """The sequence number for `event`, or None when it is a repeat or a step back."""
        rank = EVENT_ORDER[event.kind]
        if rank <= self.rank:
            return None
        self.rank = rank
        if event.kind == "answered":
            self.answered_by = event.answered_by
        self.sequence += 1
        return self.sequence
