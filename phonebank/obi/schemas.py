"""OBI request bodies, in OBI's field names; read from JSON or from XML (text values)."""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from phonebank.kit.times import UTCTimestamp

# Fields of the campaign resource a client may send back on PUT: shown, never changed by it.
CAMPAIGN_READ_ONLY = (
    "id", "dialerId", "dialer", "dialerName", "dialerType", "status", "dialerStatus",
    "queueName", "total", "handled", "notHandled", "callable", "maxCalls", "filtered",
    "registered", "loggedOn", "stats",
)  # fmt: skip


class ObiIn(BaseModel):
    """A request body: unknown fields are refused by name."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class CampaignPut(ObiIn):
    """PUT /campaigns/{campaignId}: every field is written; omitted ones take their defaults."""

    name: str = Field(min_length=1, max_length=200)
    remarks: str | None = None
    dialingMode: Literal["PREVIEW", "PROGRESSIVE", "PREDICTIVE"]  # noqa: N815
    queueId: str = Field(min_length=32, max_length=36)  # noqa: N815
    customIvrNumber: str | None = Field(default=None, max_length=40)  # noqa: N815
    startDate: UTCTimestamp | None = None  # noqa: N815
    endDate: UTCTimestamp | None = None  # noqa: N815
    timeZone: str | None = Field(default=None, max_length=64)  # noqa: N815
    abandonRate: float = Field(default=1.0, ge=0.0, le=2.0)  # noqa: N815
    increasePredictiveRatio: float = Field(default=0.0, ge=0.0, le=100.0)  # noqa: N815
    # Read-only fields of a campaign fetched and sent back whole: accepted, ignored.
    read_only: dict[str, Any] = Field(default_factory=dict, exclude=True)

    @classmethod
    def from_body(cls, body: Any) -> "CampaignPut":
        """Validate a body, setting aside the read-only fields of the campaign resource."""
        if isinstance(body, dict):
            fields = {k: v for k, v in body.items() if k not in CAMPAIGN_READ_ONLY}
            fields["read_only"] = {k: v for k, v in body.items() if k in CAMPAIGN_READ_ONLY}
            return cls.model_validate(fields)
        return cls.model_validate(body)


def attribute_items(value: Any) -> Any:
    """A customer's attributes as a list, unwrapped from OBI's `{"attribute": [...]}` (JSON)
    or `<attributes><attribute>` (XML); a bare list is taken as it is."""
    if value is None:
        return []
    if isinstance(value, dict) and set(value) <= {"attribute"}:
        value = value.get("attribute") or []
    return [value] if isinstance(value, dict) else value


class Attribute(ObiIn):
    """One attribute of a customer."""

    name: str = Field(min_length=1, max_length=200)
    value: str | None = Field(default=None, max_length=10_000)


class CustomerIn(ObiIn):
    """A new customer: numbers as `a;b;c` or attributes Phone1..Phone3."""

    id: str | None = None  # added by the system: a value sent is ignored
    externalId: str | None = Field(default=None, max_length=200)  # noqa: N815
    numbers: str | None = Field(default=None, max_length=200)
    date: UTCTimestamp | None = None
    agentId: str | None = None  # noqa: N815
    dialingMode: Literal["PREVIEW", "PREDICTIVE"] | None = None  # noqa: N815
    previewTime: int | None = Field(default=None, ge=0, le=3600)  # noqa: N815
    priority: int | None = Field(default=None, ge=-1_000_000, le=1_000_000)
    timeZone: str | None = Field(default=None, max_length=64)  # noqa: N815
    attributes: list[Attribute] = Field(default_factory=list)

    @field_validator("externalId", "agentId", "numbers", "timeZone", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        # XML and JSON clients alike may send numbers for text fields (externalId 7).
        return (
            str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value
        )

    @field_validator("attributes", mode="before")
    @classmethod
    def _attribute_list(cls, value: Any) -> Any:
        return attribute_items(value)

    def attribute(self, name: str) -> str | None:
        """The value of the attribute called `name` (case-insensitive), if given."""
        for attribute in self.attributes:
            if attribute.name.lower() == name.lower():
                return attribute.value
        return None

    def phone_numbers(self) -> list[str]:
        """The numbers to dial, in order: `numbers` when given, else Phone1..Phone3."""
        if self.numbers is not None:
            return [part.strip() for part in self.numbers.split(";") if part.strip()]
        phones = (self.attribute(f"Phone{n}") for n in (1, 2, 3))
        return [phone.strip() for phone in phones if phone and phone.strip()]
