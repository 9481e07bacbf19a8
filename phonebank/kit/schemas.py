"""Base classes of every Pydantic schema: strict input, ORM-readable output with a `uri`."""

import uuid
from datetime import datetime
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, computed_field

from phonebank.kit.urls import absolute_url


class Schema(BaseModel):
    """Output schema read from ORM objects."""

    model_config = ConfigDict(from_attributes=True)


class InputSchema(BaseModel):
    """Request body: unknown fields are refused by name rather than silently dropped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Resource(Schema):
    """An addressable object: carries its id, timestamps and absolute `uri`."""

    uri_template: ClassVar[str]

    id: uuid.UUID

    @computed_field  # type: ignore[prop-decorator]
    @property
    def uri(self) -> str:
        """Where this object lives in the API."""
        return absolute_url(self.uri_template.format(id=self.id))


class TimestampedResource(Resource):
    """A resource with creation and modification times."""

    created_at: datetime
    modified_at: datetime
