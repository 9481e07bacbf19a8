"""Wire shapes of callers and caller groups; passwords and PINs go in, never out."""

import uuid
from typing import Annotated, ClassVar

from pydantic import EmailStr, Field, StringConstraints

from phonebank.kit.schemas import InputSchema, TimestampedResource

# Spaces are part of a password: never strip them (InputSchema strips other strings).
Password = Annotated[str, StringConstraints(strip_whitespace=False, min_length=8, max_length=200)]
Pin = Annotated[str, StringConstraints(pattern=r"^[0-9]{4,8}$")]


class CallerGroupCreate(InputSchema):
    """A new caller group; its name is unique within the organization."""

    name: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=1000)


class CallerGroupUpdate(InputSchema):
    """Changes to a caller group; omitted fields stay."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=1000)


class CallerGroupOut(TimestampedResource):
    """A caller group as the API shows it."""

    uri_template: ClassVar[str] = "/api/v1/caller_groups/{id}"

    name: str
    description: str | None


class CallerUpdate(InputSchema):
    """Changes to a caller; omitted fields stay, `password` or `pin` null removes it."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    email: EmailStr | None = Field(default=None, max_length=320)
    password: Password | None = None
    pin: Pin | None = Field(default=None, description="4 to 8 digits.")
    phone_number: str | None = Field(default=None, max_length=40)
    phones_only: bool | None = None
    is_supervisor: bool | None = None
    is_organizer: bool | None = Field(
        default=None,
        description="Runs the organizer console with full rights; an organizer is a supervisor.",
    )
    active: bool | None = None
    caller_group_id: uuid.UUID | None = None


class CallerCreate(CallerUpdate):
    """A new caller; only the name is required."""

    name: str = Field(min_length=1, max_length=200)
    phones_only: bool = False
    is_supervisor: bool = False
    is_organizer: bool = False
    active: bool = True


class CallerOut(TimestampedResource):
    """A caller as the API shows it: whether secrets are set, never the secrets."""

    uri_template: ClassVar[str] = "/api/v1/callers/{id}"

    name: str
    email: str | None
    phone_number: str | None
    phones_only: bool
    is_supervisor: bool
    is_organizer: bool
    active: bool
    caller_group_id: uuid.UUID | None
    has_password: bool
    has_pin: bool
