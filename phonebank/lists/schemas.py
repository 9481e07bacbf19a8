"""Wire shapes of lists and their items (OSDI list)."""

import uuid
from typing import ClassVar

from pydantic import Field, field_validator

from phonebank.kit.schemas import InputSchema, Schema, TimestampedResource
from phonebank.people.schemas import MAX_PEOPLE_PER_REQUEST


class ListFields(InputSchema):
    """The descriptive fields shared by create and update."""

    title: str | None = Field(default=None, max_length=300)
    description: str | None = None
    summary: str | None = None
    origin_system: str | None = Field(default=None, max_length=200)


class ListCreate(ListFields):
    """A new list of people."""

    name: str = Field(min_length=1, max_length=200)


class ListUpdate(ListFields):
    """Changes to a list; omitted fields stay."""

    name: str | None = Field(default=None, min_length=1, max_length=200)

    @field_validator("name")
    @classmethod
    def _name_not_null(cls, value: str | None) -> str:
        # Runs only when a name is sent: an explicit null would leave the list nameless.
        if value is None:
            raise ValueError("a list needs a name")
        return value


class ListOut(TimestampedResource):
    """A list as the API shows it, with how many people are on it."""

    uri_template: ClassVar[str] = "/api/v1/lists/{id}"

    name: str
    title: str | None
    description: str | None
    summary: str | None
    origin_system: str | None
    total_items: int


class ItemsToAdd(InputSchema):
    """People to put on a list: give `person_ids`, or `tag_id` to add everyone with that tag."""

    person_ids: list[uuid.UUID] | None = Field(
        default=None, min_length=1, max_length=MAX_PEOPLE_PER_REQUEST
    )
    tag_id: uuid.UUID | None = None


class ItemsAdded(Schema):
    """What adding many people to a list did."""

    added: int = Field(description="People newly put on the list.")
    already_present: int = Field(description="People given who were already on the list.")
