"""Wire shapes of campaigns (OSDI phonebank field names)."""

import uuid
from datetime import datetime
from typing import Any, ClassVar, Literal
from urllib.parse import urlsplit

from pydantic import Field, ValidationInfo, field_validator

from phonebank.campaigns.models import (
    MAX_ABANDON_RATE,
    MIN_RING_TIMEOUT_SECONDS,
    Campaign,
)
from phonebank.kit.schemas import InputSchema, TimestampedResource
from phonebank.kit.times import UTCTimestamp
from phonebank.organizations.schemas import check_time_zone

CampaignStatus = Literal["draft", "scheduled", "started", "paused", "stopped"]
DialingMode = Literal["preview", "power", "predictive"]
# OSDI's `manual` is our preview mode: the caller sees the contact, then dials.
DIALING_MODE_ALIASES = {"manual": "preview"}
DialingModeQuery = Literal["preview", "power", "predictive", "manual"]
# Upper bounds keep values sane and inside a 32-bit integer column.
MAX_RETRY_DELAY_SECONDS = 30 * 24 * 3600
MAX_RING_TIMEOUT_SECONDS = 600
MAX_PREVIEW_SECONDS = 3600
MAX_RETRY_COUNT = 20
MAX_POWER_RATIO = 10.0
MAX_INCREASE_PREDICTIVE_RATIO = 100.0
# Settings every campaign has: they may be changed but never cleared.
REQUIRED_SETTINGS = (
    "name",
    "status",
    "dialing_mode",
    "time_zone",
    "daily_start_hour",
    "daily_stop_hour",
    "retry_count",
    "retry_delay_busy_seconds",
    "retry_delay_no_answer_seconds",
    "retry_delay_machine_seconds",
    "retry_delay_failed_seconds",
    "retry_delay_abandoned_seconds",
    "abandon_rate_target",
    "increase_predictive_ratio",
    "ring_timeout_seconds",
    "power_ratio",
)


def model_default(column: str) -> Any:
    """The default the Campaign model gives `column`, so schema and table never disagree."""
    default = Campaign.__mapper__.columns[column].default
    return getattr(default, "arg", None)


def normalize_dialing_mode(value: Any) -> Any:
    """Lower-case a dialing mode and map OSDI's words to ours."""
    if isinstance(value, str):
        value = value.strip().lower()
        return DIALING_MODE_ALIASES.get(value, value)
    return value


def check_http_url(value: str | None) -> str | None:
    """Accept only absolute http(s) URLs."""
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme.lower() not in {"http", "https"} or not parts.netloc:
        raise ValueError("use an absolute http:// or https:// URL")
    return value


def reject_null(value: Any) -> Any:
    """Refuse an explicit null for a setting the campaign cannot do without."""
    if value is None:
        raise ValueError("may not be null")
    return value


def check_time_order(start_time: datetime | None, end_time: datetime | None) -> None:
    """End after start, when both are known."""
    if start_time is not None and end_time is not None and end_time <= start_time:
        raise ValueError("end_time must be after start_time")


def check_daily_hours(start_hour: int | None, stop_hour: int | None) -> None:
    """A calling day needs distinct start and stop hours."""
    if start_hour is not None and start_hour == stop_hour:
        raise ValueError("daily_start_hour and daily_stop_hour must differ")


class CampaignFields(InputSchema):
    """The fields shared by create and update; nullable ones may be cleared with null."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    title: str | None = Field(default=None, max_length=300)
    description: str | None = None
    summary: str | None = None
    origin_system: str | None = Field(default=None, max_length=200)
    pacer: str | None = Field(default=None, max_length=100)
    start_time: UTCTimestamp | None = None
    end_time: UTCTimestamp | None = None
    caller_id: str | None = Field(default=None, min_length=1, max_length=40)
    voicemail_audio_url: str | None = Field(default=None, max_length=2000)
    voicemail_message_id: uuid.UUID | None = None
    safe_harbor_message_id: uuid.UUID | None = None
    script_id: uuid.UUID | None = None
    target_list_id: uuid.UUID | None = None
    volunteers_list_id: uuid.UUID | None = None
    caller_group_id: uuid.UUID | None = None
    preview_seconds: int | None = Field(default=None, ge=0, le=MAX_PREVIEW_SECONDS)

    _voicemail_url = field_validator("voicemail_audio_url")(check_http_url)
    _zone = field_validator("time_zone", check_fields=False)(check_time_zone)
    _mode = field_validator("dialing_mode", mode="before", check_fields=False)(
        normalize_dialing_mode
    )

    @field_validator("end_time")
    @classmethod
    def _end_after_start(cls, value: datetime | None, info: ValidationInfo) -> datetime | None:
        # Only a pair given together is checked here; the service checks one against the stored.
        check_time_order(info.data.get("start_time"), value)
        return value

    @field_validator("daily_stop_hour", check_fields=False)
    @classmethod
    def _distinct_hours(cls, value: int | None, info: ValidationInfo) -> int | None:
        check_daily_hours(info.data.get("daily_start_hour"), value)
        return value


class CampaignCreate(CampaignFields):
    """A new campaign; omitted settings take the defaults shown (time zone: the organization's)."""

    name: str = Field(min_length=1, max_length=200)
    status: CampaignStatus = "draft"
    dialing_mode: DialingMode = model_default("dialing_mode")
    time_zone: str | None = Field(default=None, max_length=64)
    daily_start_hour: int = Field(default=model_default("daily_start_hour"), ge=0, le=23)
    daily_stop_hour: int = Field(default=model_default("daily_stop_hour"), ge=0, le=23)
    retry_count: int = Field(default=model_default("retry_count"), ge=0, le=MAX_RETRY_COUNT)
    retry_delay_busy_seconds: int = Field(
        default=model_default("retry_delay_busy_seconds"), ge=0, le=MAX_RETRY_DELAY_SECONDS
    )
    retry_delay_no_answer_seconds: int = Field(
        default=model_default("retry_delay_no_answer_seconds"), ge=0, le=MAX_RETRY_DELAY_SECONDS
    )
    retry_delay_machine_seconds: int = Field(
        default=model_default("retry_delay_machine_seconds"), ge=0, le=MAX_RETRY_DELAY_SECONDS
    )
    retry_delay_failed_seconds: int = Field(
        default=model_default("retry_delay_failed_seconds"), ge=0, le=MAX_RETRY_DELAY_SECONDS
    )
    retry_delay_abandoned_seconds: int = Field(
        default=model_default("retry_delay_abandoned_seconds"), ge=0, le=MAX_RETRY_DELAY_SECONDS
    )
    abandon_rate_target: float = Field(
        default=model_default("abandon_rate_target"), ge=0, le=MAX_ABANDON_RATE
    )
    increase_predictive_ratio: float = Field(
        default=model_default("increase_predictive_ratio"),
        ge=0,
        le=MAX_INCREASE_PREDICTIVE_RATIO,
    )
    ring_timeout_seconds: int = Field(
        default=model_default("ring_timeout_seconds"),
        ge=MIN_RING_TIMEOUT_SECONDS,
        le=MAX_RING_TIMEOUT_SECONDS,
    )
    power_ratio: float = Field(default=model_default("power_ratio"), gt=0, le=MAX_POWER_RATIO)


class CampaignUpdate(CampaignFields):
    """Changes to a campaign; omitted fields stay, and required settings cannot be null."""

    status: CampaignStatus | None = None
    dialing_mode: DialingMode | None = None
    time_zone: str | None = Field(default=None, max_length=64)
    daily_start_hour: int | None = Field(default=None, ge=0, le=23)
    daily_stop_hour: int | None = Field(default=None, ge=0, le=23)
    retry_count: int | None = Field(default=None, ge=0, le=MAX_RETRY_COUNT)
    retry_delay_busy_seconds: int | None = Field(default=None, ge=0, le=MAX_RETRY_DELAY_SECONDS)
    retry_delay_no_answer_seconds: int | None = Field(
        default=None, ge=0, le=MAX_RETRY_DELAY_SECONDS
    )
    retry_delay_machine_seconds: int | None = Field(default=None, ge=0, le=MAX_RETRY_DELAY_SECONDS)
    retry_delay_failed_seconds: int | None = Field(default=None, ge=0, le=MAX_RETRY_DELAY_SECONDS)
    retry_delay_abandoned_seconds: int | None = Field(
        default=None, ge=0, le=MAX_RETRY_DELAY_SECONDS
    )
    abandon_rate_target: float | None = Field(default=None, ge=0, le=MAX_ABANDON_RATE)
    increase_predictive_ratio: float | None = Field(
        default=None, ge=0, le=MAX_INCREASE_PREDICTIVE_RATIO
    )
    ring_timeout_seconds: int | None = Field(
        default=None, ge=MIN_RING_TIMEOUT_SECONDS, le=MAX_RING_TIMEOUT_SECONDS
    )
    power_ratio: float | None = Field(default=None, gt=0, le=MAX_POWER_RATIO)

    # None here means "not given"; a client sending null for a required setting is refused.
    _not_null = field_validator(*REQUIRED_SETTINGS, mode="before")(reject_null)


class CampaignOut(TimestampedResource):
    """A campaign as the API shows it, with its call counts."""

    uri_template: ClassVar[str] = "/api/v1/campaigns/{id}"

    name: str
    title: str | None
    description: str | None
    summary: str | None
    origin_system: str | None
    status: str
    dialing_mode: str
    pacer: str | None
    start_time: datetime | None
    end_time: datetime | None
    daily_start_hour: int
    daily_stop_hour: int
    time_zone: str
    caller_id: str | None
    voicemail_audio_url: str | None
    voicemail_message_id: uuid.UUID | None
    safe_harbor_message_id: uuid.UUID | None
    script_id: uuid.UUID | None
    target_list_id: uuid.UUID | None
    volunteers_list_id: uuid.UUID | None
    caller_group_id: uuid.UUID | None
    retry_count: int
    retry_delay_busy_seconds: int
    retry_delay_no_answer_seconds: int
    retry_delay_machine_seconds: int
    retry_delay_failed_seconds: int
    retry_delay_abandoned_seconds: int
    abandon_rate_target: float
    increase_predictive_ratio: float
    ring_timeout_seconds: int
    power_ratio: float
    preview_seconds: int | None
    inbox_type: str | None
    access_code: str | None = Field(
        default=None, description="What volunteers type, with their PIN, to log in."
    )
    total_calls: int
    total_completed: int
