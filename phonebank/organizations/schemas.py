"""Wire shapes of the organization."""

from typing import ClassVar
from zoneinfo import available_timezones

from pydantic import Field, field_validator

from phonebank.kit.schemas import InputSchema, TimestampedResource


def check_time_zone(value: str | None) -> str | None:
    """Accept only IANA time zone names."""
    if value is not None and value not in available_timezones():
        raise ValueError(f"unknown time zone {value!r} (use an IANA name like America/Chicago)")
    return value


def check_country(value: str | None) -> str | None:
    """Accept ISO 3166 two-letter country codes, upper-cased."""
    if value is None:
        return None
    if len(value) != 2 or not value.isalpha():
        raise ValueError("use a two-letter ISO country code such as US")
    return value.upper()


class OrganizationOut(TimestampedResource):
    """An organization and its defaults."""

    uri_template: ClassVar[str] = "/api/v1/organization"

    name: str
    max_call_attempts: int
    default_country: str
    default_time_zone: str


class OrganizationUpdate(InputSchema):
    """Fields an admin may change; omitted fields stay as they are."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    max_call_attempts: int | None = Field(default=None, ge=1, le=100)
    default_country: str | None = None
    default_time_zone: str | None = None

    _country = field_validator("default_country")(check_country)
    _zone = field_validator("default_time_zone")(check_time_zone)
