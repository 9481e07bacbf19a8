"""Wire shapes of do-not-call entries, bulk additions and number checks."""

import uuid
from typing import ClassVar, Literal

from pydantic import Field, computed_field

from phonebank.kit.schemas import InputSchema, Schema, TimestampedResource

MAX_BULK_NUMBERS = 10_000


class BlockedNumberCreate(InputSchema):
    """A number to block, in any common form; without `campaign_id` it blocks every campaign."""

    number: str = Field(min_length=1, max_length=40)
    campaign_id: uuid.UUID | None = None
    reason: str | None = Field(default=None, max_length=300)


class BlockedNumberBulkCreate(InputSchema):
    """Many numbers to block in one scope; bad entries are reported, the rest are added."""

    numbers: list[str] = Field(min_length=1, max_length=MAX_BULK_NUMBERS)
    campaign_id: uuid.UUID | None = None
    reason: str | None = Field(default=None, max_length=300)


class BlockedNumberOut(TimestampedResource):
    """A do-not-call entry as the API shows it."""

    uri_template: ClassVar[str] = "/api/v1/blocked_numbers/{id}"

    number: str
    campaign_id: uuid.UUID | None
    reason: str | None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def scope(self) -> Literal["organization", "campaign"]:
        """`organization` blocks every campaign; `campaign` only the one named."""
        return "organization" if self.campaign_id is None else "campaign"


class BulkEntryError(Schema):
    """Why one entry of a bulk request was not added."""

    index: int
    number: str
    reason: str


class BulkResult(Schema):
    """What a bulk request did: counts, and each entry refused with its position."""

    added: int
    already_present: int
    invalid: int
    errors: list[BulkEntryError]


class NumberCheck(Schema):
    """Whether a number may not be dialed in a campaign, and the entries that block it."""

    number: str
    blocked: bool
    entries: list[BlockedNumberOut]
