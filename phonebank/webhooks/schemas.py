"""Wire shapes of webhook subscriptions and their deliveries."""

import uuid
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import urlsplit

from pydantic import ConfigDict, Field, computed_field, field_validator

from phonebank.kit.schemas import InputSchema, Schema, TimestampedResource
from phonebank.kit.urls import absolute_url


def check_http_url(value: str | None) -> str | None:
    """Webhooks are POSTed by the server, so only absolute http(s) URLs make sense."""
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("must be an absolute http or https URL")
    return value


class SubscriptionCreate(InputSchema):
    """A URL to be told of events: names, `family.*` (e.g. `call.*`) or `*` for all."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "url": "https://example.org/phonebank",
                "events": ["call.*", "result.created"],
            }
        }
    )

    url: str = Field(min_length=1, max_length=2000)
    events: list[str] = Field(min_length=1, max_length=50)
    # Omitted: one is made and shown once, in the response.
    secret: str | None = Field(default=None, min_length=16, max_length=200)
    active: bool = True

    _url = field_validator("url")(check_http_url)


class SubscriptionUpdate(InputSchema):
    """Changes to a subscription; omitted fields stay. A new `secret` rotates it."""

    url: str | None = Field(default=None, min_length=1, max_length=2000)
    events: list[str] | None = Field(default=None, min_length=1, max_length=50)
    secret: str | None = Field(default=None, min_length=16, max_length=200)
    active: bool | None = None

    _url = field_validator("url")(check_http_url)

    @field_validator("url", "events", "secret", "active")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("may not be null")
        return value


class SubscriptionOut(TimestampedResource):
    """A subscription as the API shows it; the secret only by its last characters."""

    uri_template: ClassVar[str] = "/api/v1/webhooks/{id}"

    url: str
    events: list[str]
    active: bool
    scope: str | None
    secret: str = Field(exclude=True)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def secret_hint(self) -> str:
        """The secret's last four characters, to tell which one is in use."""
        return "..." + self.secret[-4:]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def deliveries_uri(self) -> str:
        """The subscription's delivery log."""
        return absolute_url(f"/api/v1/webhooks/{self.id}/deliveries")


class SubscriptionCreated(SubscriptionOut):
    """A new subscription, with its signing secret (shown this once)."""

    secret: str


class DeliveryOut(Schema):
    """One event's delivery to one subscription, with how its tries went."""

    id: uuid.UUID
    subscription_id: uuid.UUID
    event_id: uuid.UUID
    event: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None
    payload: dict[str, Any]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def uri(self) -> str:
        """Where this delivery lives in the API."""
        return absolute_url(f"/api/v1/webhooks/{self.subscription_id}/deliveries/{self.id}")
