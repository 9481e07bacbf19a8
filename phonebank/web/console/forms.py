"""HTML forms to API bodies and back: the console's translation, with no rule of its own.

Inputs are named by the API's field paths (`questions[0].name`), so the errors the schemas
and services report land beside the input they concern.
"""

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ValidationError

from phonebank.errors import DomainError

M = TypeVar("M", bound=BaseModel)


def field_path(location: Iterable[Any]) -> str:
    """("questions", 0, "name") -> "questions[0].name", as the API's problem documents."""
    path = ""
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


class FormErrors(dict[str, str]):
    """Messages by field path; "" holds those that concern the whole form."""

    def add(self, field: str | None, message: str) -> None:
        """Keep the first message of each field."""
        self.setdefault(field or "", message)

    def add_validation(self, error: ValidationError) -> None:
        """The schema's messages, each at its field."""
        for item in error.errors():
            self.add(field_path(item["loc"]), item["msg"].removeprefix("Value error, "))

    def add_domain(self, error: DomainError) -> None:
        """A service's refusal, at its field when it names one."""
        self.add(error.field, error.detail)

    def near(self, field: str) -> str | None:
        """The message for `field` or for a part inside it (`responses[1].key` in `responses`)."""
        if field in self:
            return self[field]
        for path, message in self.items():
            if path.startswith((f"{field}.", f"{field}[")):
                return message
        return None


def text(form: Mapping[str, Any], name: str) -> str | None:
    """A text input, stripped; None when left empty."""
    value = form.get(name)
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value or None


def checked(form: Mapping[str, Any], name: str) -> bool:
    """A checkbox."""
    return form.get(name) is not None


def local_datetime(raw: str | None, zone: str | None) -> str | None:
    """A `datetime-local` value read in the campaign's time zone, as ISO 8601 with its offset."""
    if raw is None:
        return None
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        return raw  # the schema reports it as a bad datetime, beside the field
    if moment.tzinfo is None:
        try:
            moment = moment.replace(tzinfo=ZoneInfo(zone or "UTC"))
        except (ZoneInfoNotFoundError, ValueError):
            moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    return moment.isoformat()


def validated(model: type[M], body: dict[str, Any], errors: FormErrors) -> M | None:
    """`body` as `model`, or None with the schema's messages added to `errors`."""
    try:
        return model.model_validate(body)
    except ValidationError as error:
        errors.add_validation(error)
        return None
