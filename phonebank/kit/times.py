"""Timestamps clients send: a time without a zone is read as UTC, never as the server's zone."""

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator


def as_utc(value: datetime) -> datetime:
    """The same moment in UTC; a naive value is taken to be UTC already."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# Every timestamp a request carries (body or query) is declared with this type.
UTCTimestamp = Annotated[datetime, AfterValidator(as_utc)]
