"""TapRaise Calls API shapes: camelCase names, as TapRaise clients send and expect them."""

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from phonebank.calls.schemas import CallStatus, CallType
from phonebank.kit.times import UTCTimestamp


class CamelIn(BaseModel):
    """Request body in camelCase; unknown fields are refused by name."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=False, extra="forbid")


class CamelOut(BaseModel):
    """Response body in camelCase."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class TapRaiseAttempt(CamelIn):
    """An attempt: who called and when."""

    user_uuid: UUID | None = None
    attempted_at: UTCTimestamp | None = None


class TapRaiseCallCreate(CamelIn):
    """POST /calls body."""

    uuid: UUID | None = None
    status: CallStatus | None = None
    requested_at: UTCTimestamp | None = None
    external_metadata: dict[str, Any] | None = None
    attempts: list[TapRaiseAttempt] | None = None
    result: Any = None
    requested_by_user_uuid: UUID | None = None
    cancelled_at: UTCTimestamp | None = None
    completed_at: UTCTimestamp | None = None
    expired_at: UTCTimestamp | None = None
    notes: str | None = Field(default=None, max_length=10_000)
    person_uuid: UUID
    pledge_case_uuid: UUID | None = None
    organisation_uuid: UUID | None = None
    type: CallType | None = None


class TapRaiseAttemptIn(CamelIn):
    """PUT /calls/{uuid}/attempts body."""

    user_uuid: UUID | None = None
    attempted_at: UTCTimestamp | None = None


class TapRaiseCompleteIn(CamelIn):
    """PUT /calls/{uuid}/complete body."""

    user_uuid: UUID | None = None
    result: Any = None


class TapRaiseCancelIn(CamelIn):
    """PUT /calls/{uuid}/cancel body."""

    cancelled_at: UTCTimestamp | None = None


class TapRaiseExpireIn(CamelIn):
    """PUT /calls/{uuid}/expire body."""

    expired_at: UTCTimestamp | None = None


class TapRaiseAttemptOut(CamelOut):
    """An attempt as TapRaise shows it."""

    user_uuid: UUID | None
    attempted_at: datetime


class TapRaiseCall(CamelOut):
    """A call as TapRaise shows it."""

    uuid: UUID
    status: str
    requested_at: datetime
    attempts: list[TapRaiseAttemptOut]
    attempts_count: int
    result: Any
    cancelled_at: datetime | None
    completed_at: datetime | None
    expired_at: datetime | None
    notes: str | None
    person_uuid: UUID
    pledge_case_uuid: UUID | None
    organisation_uuid: UUID
    type: str
    external_metadata: dict[str, Any] | None
    requested_by_user_uuid: UUID | None
    updated_at: datetime


class TapRaiseEdge(CamelOut):
    """One call of a page, with the cursor that points after it."""

    cursor: str
    node: TapRaiseCall


class TapRaisePageInfo(CamelOut):
    """Where this page sits in the collection."""

    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


class TapRaiseConnection(CamelOut):
    """A cursor-paginated list of calls, newest first."""

    edges: list[TapRaiseEdge]
    page_info: TapRaisePageInfo
