"""Wire shapes of the hosted dialing API (`/api/v1/call`) and of number uploads."""

import uuid
from datetime import datetime
from typing import Any, ClassVar, Literal, Self

from pydantic import ConfigDict, Field, computed_field, field_validator, model_validator

from phonebank.kit.schemas import InputSchema, Schema, TimestampedResource
from phonebank.kit.urls import absolute_url
from phonebank.webhooks.schemas import check_http_url

# Impact Dialing's words; any case is read (`power`), the document lists these alone.
DialerType = Literal["Preview", "Power", "Predictive"]
# Numbers come as strings or bare digits (`14445551234`), one or a list.
NumberIn = str | int
MAX_INLINE_NUMBERS = 10_000
MAX_UPLOAD_NUMBERS = 100_000


def as_list(value: Any) -> Any:
    """One number or a list of them, as a list of strings."""
    if value is None:
        return None
    items = value if isinstance(value, list) else [value]
    return [str(item) for item in items]


class HostedCallCreate(InputSchema):
    """Dial numbers given here, fetched from `phone_numbers_url`, or uploaded under `list_id`."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        populate_by_name=True,
        json_schema_extra={
            "example": {
                "dialer_type": "Power",
                "from": "+12125550100",
                "call_state_url": "https://example.org/phonebank/call_state",
                "phone_number": ["12125550134", "+12125550143"],
            }
        },
    )

    dialer_type: DialerType
    from_number: str = Field(alias="from", min_length=1, max_length=40)
    call_state_url: str = Field(min_length=1, max_length=2000)
    phone_numbers_url: str | None = Field(default=None, min_length=1, max_length=2000)
    phone_number: list[str] | None = Field(
        default=None, min_length=1, max_length=MAX_INLINE_NUMBERS
    )
    list_id: str | None = Field(default=None, min_length=1, max_length=200)
    # How many numbers to ask `phone_numbers_url` for at a time (its `limit`).
    limit: int = Field(default=100, ge=1, le=1000)
    name: str | None = Field(default=None, min_length=1, max_length=200)
    # Signs what is POSTed to `call_state_url`; omitted: one is made and shown once.
    secret: str | None = Field(default=None, min_length=16, max_length=200)

    _urls = field_validator("call_state_url", "phone_numbers_url")(check_http_url)

    @field_validator("phone_number", mode="before")
    @classmethod
    def _numbers(cls, value: Any) -> Any:
        return as_list(value)

    @field_validator("dialer_type", mode="before")
    @classmethod
    def _any_case(cls, value: Any) -> Any:
        return value.strip().capitalize() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _a_source(self) -> Self:
        if not (self.phone_numbers_url or self.phone_number or self.list_id):
            raise ValueError("give phone_number, phone_numbers_url or list_id (or several)")
        return self


class HostedCallOut(TimestampedResource):
    """A hosted dialing: its campaign, where its numbers come from, where its states go."""

    uri_template: ClassVar[str] = "/api/v1/call/{id}"

    campaign_id: uuid.UUID
    dialer_type: str
    from_number: str | None = Field(serialization_alias="from")
    status: str
    call_state_url: str | None
    phone_numbers_url: str | None
    list_id: str | None
    limit: int
    next_page: int
    pages_fetched: int
    exhausted: bool
    last_fetch_error: str | None
    total_calls: int
    total_completed: int

    @computed_field  # type: ignore[prop-decorator]
    @property
    def campaign_uri(self) -> str:
        """The campaign behind the dialing (pause, stop and settings live there)."""
        return absolute_url(f"/api/v1/campaigns/{self.campaign_id}")


class HostedCallCreated(HostedCallOut):
    """A hosted dialing just started: what was queued, what was refused, the signing secret."""

    calls_added: int
    rejected: list[dict[str, Any]]
    secret: str


class UploadCreate(InputSchema):
    """Numbers to keep under your own identifier; `webhook_url` is told when they are ready."""

    identifier: str = Field(min_length=1, max_length=200)
    webhook_url: str = Field(min_length=1, max_length=2000)
    phone_numbers: list[str] = Field(min_length=1, max_length=MAX_UPLOAD_NUMBERS)
    secret: str | None = Field(default=None, min_length=16, max_length=200)

    _url = field_validator("webhook_url")(check_http_url)

    @field_validator("phone_numbers", mode="before")
    @classmethod
    def _numbers(cls, value: Any) -> Any:
        return as_list(value)


class UploadOut(Schema):
    """An uploaded list of numbers and how its processing went."""

    id: uuid.UUID
    identifier: str
    webhook_url: str
    status: str
    total: int
    accepted: int
    rejected: list[dict[str, Any]]
    created_at: datetime
    processed_at: datetime | None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def uri(self) -> str:
        """Where this upload lives in the API (by its identifier)."""
        return absolute_url(f"/api/v1/phone_number_lists/{self.identifier}")


class UploadCreated(UploadOut):
    """A processed upload, with the secret that signs its notification (shown once)."""

    secret: str
