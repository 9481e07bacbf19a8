"""OBI ids: 32 uppercase hex digits (id32); searches and paths also take the GUID form (id36)."""

import re
import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Path

from phonebank.errors import Invalid, NotFound
from phonebank.kit.times import as_utc

# Path parameters under OBI's names.
CampaignIdPath = Annotated[str, Path(alias="campaignId")]
CustomerIdPath = Annotated[str, Path(alias="customerId")]

_ID32 = re.compile(r"[0-9A-Fa-f]{32}")
_ID36 = re.compile(r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}")


def id32(value: uuid.UUID) -> str:
    """An id as OBI shows it."""
    return value.hex.upper()


def maybe_id32(value: uuid.UUID | None) -> str | None:
    """An optional id as OBI shows it."""
    return id32(value) if value is not None else None


def all_callers_queue(organization_id: uuid.UUID) -> uuid.UUID:
    """The queue of a campaign open to every caller of its organization (no caller group).

    OBI requires a `queueId` on every campaign, read and sent back whole on PUT: this one is
    derived from the organization, so it is the same on every read and needs no row."""
    return uuid.uuid5(organization_id, "all-callers")


def is_id(value: str) -> bool:
    """Whether `value` is an id in id32 or id36 form."""
    return bool(_ID32.fullmatch(value) or _ID36.fullmatch(value))


def parse_id(value: str, *, field: str) -> uuid.UUID:
    """An id32 or id36 value; anything else (patterns included) is Invalid naming `field`."""
    value = value.strip()
    if not is_id(value):
        raise Invalid(
            f"Invalid {field}: {value} : must be an id in id32 or id36 format", field=field
        )
    return uuid.UUID(value)


def path_id(value: str, *, what: str) -> uuid.UUID:
    """The id in a URL; one that cannot be an id names nothing, so it is NotFound."""
    if not is_id(value.strip()):
        raise NotFound(f"no {what} {value}")
    return uuid.UUID(value.strip())


def parse_ids(value: str, *, field: str) -> list[uuid.UUID]:
    """Comma-separated ids."""
    return [parse_id(part, field=field) for part in value.split(",") if part.strip()]


def timestamp(value: datetime | None) -> str | None:
    """A time as OBI writes it: UTC, milliseconds, `Z`."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_time(value: str, *, field: str) -> datetime:
    """A UTC time from a query parameter (`2020-06-29T12:00:00.000Z`)."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise Invalid(f"Invalid {field}: {value} : not a UTC time", field=field) from None
    return as_utc(parsed)
