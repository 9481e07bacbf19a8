"""Wire shapes of tags and taggings (OSDI tag)."""

import uuid
from typing import ClassVar

from pydantic import Field, field_validator

from phonebank.kit.schemas import InputSchema, Schema, TimestampedResource
from phonebank.people.schemas import MAX_PEOPLE_PER_REQUEST


class TagCreate(InputSchema):
    """A new tag; its name is unique within the organization."""

    name: str = Field(min_length=1, max_length=200)
    description: str | None = None
    origin_system: str | None = Field(default=None, max_length=200)


class TagUpdate(InputSchema):
    """Changes to a tag; omitted fields stay."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = None
    origin_system: str | None = Field(default=None, max_length=200)

    @field_validator("name")
    @classmethod
    def _name_not_null(cls, value: str | None) -> str:
        # Runs only when a name is sent: an explicit null would leave the tag nameless.
        if value is None:
            raise ValueError("a tag needs a name")
        return value


class TagOut(TimestampedResource):
    """A tag as the API shows it."""

    uri_template: ClassVar[str] = "/api/v1/tags/{id}"

    name: str
    description: str | None
    origin_system: str | None


class PeopleToTag(InputSchema):
    """People to tag at once; people already tagged are skipped."""

    person_ids: list[uuid.UUID] = Field(min_length=1, max_length=MAX_PEOPLE_PER_REQUEST)


class TaggingsAdded(Schema):
    """What tagging many people did."""

    added: int = Field(description="People newly tagged.")
    already_present: int = Field(description="People given who already had the tag.")
