"""Wire shapes of recorded messages."""

from typing import Any, ClassVar, Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator

from phonebank.kit.schemas import InputSchema, TimestampedResource

MessageKind = Literal["voicemail", "safe_harbor", "hold", "other"]


def check_audio_url(value: str | None) -> str | None:
    """Audio is fetched by the carrier, so only absolute http(s) URLs make sense."""
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("must be an absolute http or https URL")
    return value


class MessageCreate(InputSchema):
    """A new message: give an `audio_url`, a `text` to be spoken, or both."""

    name: str = Field(min_length=1, max_length=200)
    kind: MessageKind = "voicemail"
    audio_url: str | None = Field(default=None, min_length=1, max_length=2000)
    text: str | None = Field(default=None, min_length=1, max_length=10_000)
    duration_seconds: float | None = Field(default=None, gt=0)

    _audio_url = field_validator("audio_url")(check_audio_url)


class MessageUpdate(InputSchema):
    """Changes to a message; omitted fields stay, `null` clears `audio_url`, `text`, duration."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    kind: MessageKind | None = None
    audio_url: str | None = Field(default=None, min_length=1, max_length=2000)
    text: str | None = Field(default=None, min_length=1, max_length=10_000)
    duration_seconds: float | None = Field(default=None, gt=0)

    _audio_url = field_validator("audio_url")(check_audio_url)

    @field_validator("name", "kind")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        # Validators do not run on omitted fields, so this only refuses an explicit null.
        if value is None:
            raise ValueError("may not be null")
        return value


class MessageOut(TimestampedResource):
    """A message as the API shows it."""

    uri_template: ClassVar[str] = "/api/v1/messages/{id}"

    name: str
    kind: str
    audio_url: str | None
    text: str | None
    duration_seconds: float | None
