"""Wire shapes of calls and attempts in the native API."""

import uuid
from datetime import datetime
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, Field

from phonebank.kit.schemas import InputSchema, Schema, TimestampedResource
from phonebank.kit.times import UTCTimestamp
from phonebank.people.schemas import MAX_PEOPLE_PER_REQUEST

CallStatus = Literal["requested", "completed", "cancelled", "expired"]
CallType = Literal["verification", "happy_call", "winback"]
AttemptOutcome = Literal[
    "human",
    "machine",
    "busy",
    "no_answer",
    "failed",
    "abandoned",
    "rejected",
    "not_dialed",
    "skipped",
    "cancelled",
]


class AttemptIn(InputSchema):
    """One attempt to reach the person, as reported by a client."""

    user_uuid: uuid.UUID | None = None
    attempted_at: UTCTimestamp | None = None
    outcome: AttemptOutcome | None = None
    number: str | None = Field(default=None, max_length=40)


class CallCreate(InputSchema):
    """A new call. With `external_metadata` it is stored as given and never dialed."""

    id: uuid.UUID | None = Field(default=None, description="Your own uuid; repeats are 409.")
    campaign_id: uuid.UUID | None = None
    person_id: uuid.UUID
    type: CallType | None = None
    status: CallStatus | None = None
    attempts: list[AttemptIn] | None = None
    result: Any = None
    notes: str | None = Field(default=None, max_length=10_000)
    priority: int = Field(default=0, ge=-1000, le=1000)
    next_call_at: UTCTimestamp | None = None
    preferred_caller_id: uuid.UUID | None = None
    attributes: dict[str, Any] = Field(default_factory=dict)
    time_zone: str | None = Field(default=None, max_length=64)
    numbers: list[str] | None = Field(default=None, max_length=3)
    pledge_case_uuid: uuid.UUID | None = None
    requested_by_user_uuid: uuid.UUID | None = None
    requested_at: UTCTimestamp | None = None
    completed_at: UTCTimestamp | None = None
    cancelled_at: UTCTimestamp | None = None
    expired_at: UTCTimestamp | None = None
    external_metadata: dict[str, Any] | None = None


class CompleteIn(InputSchema):
    """Completing a call: who did it and the result."""

    user_uuid: uuid.UUID | None = None
    result: Any = None
    completed_at: UTCTimestamp | None = None


class CancelIn(InputSchema):
    """Cancelling a call; now when no time is given."""

    cancelled_at: UTCTimestamp | None = None


class ExpireIn(InputSchema):
    """Expiring a call; now when no time is given."""

    expired_at: UTCTimestamp | None = None


class AttemptOut(Schema):
    """One attempt with its outcome and timestamps."""

    id: uuid.UUID
    number: str | None
    user_uuid: uuid.UUID | None
    caller_id: uuid.UUID | None
    attempted_at: datetime
    outcome: str | None
    cause: str | None
    ringing_at: datetime | None
    answered_at: datetime | None
    bridged_at: datetime | None
    ended_at: datetime | None
    wrap_ended_at: datetime | None
    carrier_call_id: str | None


class CallOut(TimestampedResource):
    """A call as the native API shows it."""

    uri_template: ClassVar[str] = "/api/v1/calls/{id}"

    organization_id: uuid.UUID
    campaign_id: uuid.UUID
    person_id: uuid.UUID
    status: str
    type: str
    numbers: list[str]
    next_number_index: int
    time_zone: str | None
    priority: int
    next_call_at: datetime
    preferred_caller_id: uuid.UUID | None
    attributes: dict[str, Any]
    attempts: list[AttemptOut]
    attempts_count: int
    notes: str | None
    result: Any
    external_metadata: dict[str, Any] | None
    pledge_case_uuid: uuid.UUID | None
    requested_at: datetime
    requested_by_user_uuid: uuid.UUID | None
    completed_at: datetime | None
    completed_by_user_uuid: uuid.UUID | None
    cancelled_at: datetime | None
    expired_at: datetime | None


class CampaignCallsAdd(InputSchema):
    """Whom to add to a campaign: people by id, a list, or a tag (exactly one)."""

    person_ids: list[uuid.UUID] | None = Field(
        default=None, min_length=1, max_length=MAX_PEOPLE_PER_REQUEST
    )
    list_id: uuid.UUID | None = None
    tag_id: uuid.UUID | None = None
    type: CallType | None = None


class CallsAddedOut(Schema):
    """What a bulk add did."""

    requested: int
    added: int
    already_in_campaign: int
    without_number: int


class AbandonPeriod(BaseModel):
    """Live answers and abandons in one period (a day, an hour, the last 30 days)."""

    start: datetime = Field(description="When the period starts, in the campaign's time zone.")
    live_answers: int = Field(description="People reached: connected or abandoned.")
    abandoned: int
    abandon_rate: float = Field(description="abandoned / live_answers (0 to 1).")
    over_target: bool


class DialFinding(BaseModel):
    """One dial the rules forbid: outside the contact's calling hours, or to a blocked number."""

    attempt_id: uuid.UUID
    call_id: uuid.UUID
    number: str | None
    attempted_at: datetime
    outcome: str | None
    time_zone: str = Field(description="The zones the number may ring in, `|`-joined.")
    local_time: str = Field(description="When it rang there (the first zone).")
    reason: str


class ComplianceReport(BaseModel):
    """A campaign's compliance over the last 30 days: every list here should be empty."""

    campaign_id: uuid.UUID
    time_zone: str
    abandon_target: float = Field(description="The campaign's target (0 to 0.03).")
    since: datetime
    until: datetime
    last_30_days: AbandonPeriod
    days: list[AbandonPeriod]
    hours: list[AbandonPeriod]
    outside_calling_hours_count: int
    outside_calling_hours: list[DialFinding] = Field(description="The first 1,000.")
    blocked_number_dials_count: int
    blocked_number_dials: list[DialFinding] = Field(description="The first 1,000.")
    compliant: bool = Field(description="Under the target, and no forbidden dial.")
