"""OSDI request bodies. Fields OSDI defines that Phonebank does not keep are ignored, as the
specification allows; the values kept are checked again by the native schemas."""

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

_SHORT_HOUR = re.compile(r"T(\d)(?=:)")


class OsdiInput(BaseModel):
    """An OSDI body: unknown fields are ignored, strings stripped."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, populate_by_name=True)


class Link(OsdiInput):
    """A HAL link as a client sends it."""

    href: str = Field(min_length=1, max_length=2000)


class Control(OsdiInput):
    """`osdi:control`: whether the response carries the resource."""

    return_response: bool = True


class Controlled(OsdiInput):
    """A body that may carry `osdi:control` and `_links`."""

    control: Control = Field(default_factory=Control, alias="osdi:control")
    links: dict[str, Link | list[Link]] = Field(default_factory=dict, alias="_links")

    def link_href(self, rel: str) -> str | None:
        """The href of the link `rel` (the first one if several)."""
        value = self.links.get(rel)
        if isinstance(value, list):
            return value[0].href if value else None
        return value.href if value is not None else None


class PhoneIn(OsdiInput):
    """A phone number; OSDI clients send digits as a string or as a JSON number."""

    number: str = Field(min_length=1, max_length=40)
    primary: bool = False
    number_type: str | None = None
    sms_capable: bool | None = None
    do_not_call: bool = False

    @field_validator("number", mode="before")
    @classmethod
    def _digits_as_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


class PersonIn(Controlled):
    """The person fields Phonebank keeps; everything else OSDI defines is ignored."""

    identifiers: list[str] | None = None
    given_name: str | None = None
    family_name: str | None = None
    additional_name: str | None = None
    gender: str | None = None
    origin_system: str | None = None
    languages_spoken: list[str] | None = None
    custom_fields: dict[str, Any] | None = None
    email_addresses: list[dict[str, Any]] | None = None
    phone_numbers: list[PhoneIn] | None = None
    postal_addresses: list[dict[str, Any]] | None = None

    def native(self) -> dict[str, Any]:
        """The fields sent, in the shape of the native person schemas."""
        data = self.model_dump(
            exclude_unset=True, exclude={"control", "links", "phone_numbers", "postal_addresses"}
        )
        if "phone_numbers" in self.model_fields_set:
            data["phone_numbers"] = (
                None
                if self.phone_numbers is None
                else [item.model_dump(exclude_unset=True) for item in self.phone_numbers]
            )
        if "postal_addresses" in self.model_fields_set:
            data["postal_addresses"] = (
                None
                if self.postal_addresses is None
                else [_address(item) for item in self.postal_addresses]
            )
        if "email_addresses" in data and data["email_addresses"] is not None:
            data["email_addresses"] = [_email(item) for item in data["email_addresses"]]
        return data


_EMAIL_FIELDS = ("address", "primary", "address_type", "status")
_ADDRESS_FIELDS = (
    "primary",
    "address_type",
    "address_lines",
    "locality",
    "region",
    "postal_code",
    "country",
    "time_zone",
    "status",
)


def _email(item: dict[str, Any]) -> dict[str, Any]:
    return {key: item[key] for key in _EMAIL_FIELDS if key in item}


def _address(item: dict[str, Any]) -> dict[str, Any]:
    return {key: item[key] for key in _ADDRESS_FIELDS if key in item}


class Trigger(OsdiInput):
    """One trigger of the signup helper."""

    enabled: bool = False
    identifiers: list[str] = Field(default_factory=list, max_length=20)


class Triggers(OsdiInput):
    """What the server should set off after a signup."""

    autoresponse: Trigger | None = None
    sms_response: Trigger | None = None
    call_response: Trigger | None = None


class QuestionResponseIn(OsdiInput):
    """An answer sent with a signup: the question's link and the responses or value."""

    question: str = Field(min_length=1, max_length=2000)
    responses: list[str] = Field(default_factory=list, max_length=100)
    value: str | None = Field(default=None, max_length=20_000)


class SignupIn(Controlled):
    """A Person Signup Helper body."""

    person: PersonIn
    add_tags: list[str] = Field(default_factory=list, max_length=100)
    add_tags_uri: list[str] = Field(default_factory=list, max_length=100)
    add_lists: list[str] = Field(default_factory=list, max_length=100)
    add_lists_uri: list[str] = Field(default_factory=list, max_length=100)
    add_questions_responses_uri: list[QuestionResponseIn] = Field(
        default_factory=list, max_length=100
    )
    triggers: Triggers = Field(default_factory=Triggers)


class TagIn(Controlled):
    """A tag."""

    identifiers: list[str] | None = None
    name: str | None = None
    description: str | None = None
    origin_system: str | None = None


class ListIn(Controlled):
    """A list."""

    identifiers: list[str] | None = None
    name: str | None = None
    title: str | None = None
    description: str | None = None
    summary: str | None = None
    origin_system: str | None = None


class MemberIn(Controlled):
    """A tagging or an item: the person is `_links["osdi:person"].href`."""


class ResponseIn(OsdiInput):
    """A possible response of a choice question; `title` stands in for a missing `name`."""

    # The native API has a model of the same name: clients generate one class per title.
    model_config = ConfigDict(title="OsdiResponseIn")

    key: str = Field(min_length=1, max_length=100)
    name: str | None = None
    title: str | None = None


class QuestionIn(Controlled):
    """A question; without an `osdi:script` link it gets a script of its own."""

    # The native API has a model of the same name: clients generate one class per title.
    model_config = ConfigDict(title="OsdiQuestionIn")

    identifiers: list[str] | None = None
    name: str | None = None
    title: str | None = None
    description: str | None = None
    question_type: str | None = None
    responses: list[ResponseIn] | None = None

    def native(self) -> dict[str, Any]:
        """The fields sent, in the shape of the native question schemas."""
        data = self.model_dump(
            exclude_unset=True, exclude={"control", "links", "identifiers", "responses"}
        )
        if self.responses is not None:
            data["responses"] = [
                {"key": item.key, "name": item.name or item.title or item.key}
                for item in self.responses
            ]
        return data


class ScriptIn(Controlled):
    """A script: its texts; questions are linked by `osdi:question` links."""

    identifiers: list[str] | None = None
    name: str | None = None
    description: str | None = None
    origin_system: str | None = None
    texts: list[dict[str, Any]] | None = None


class PhoneBankIn(Controlled):
    """A phone bank (a campaign in OSDI's words); `type` is the seeds' name of `dialing_mode`."""

    identifiers: list[str] | None = None
    origin_system: str | None = None
    name: str | None = None
    title: str | None = None
    description: str | None = None
    summary: str | None = None
    start_time: str | None = None
    end_time: str | None = None
    daily_start_hour: int | None = None
    daily_stop_hour: int | None = None
    time_zone: str | None = None
    caller_id: str | None = None
    status: str | None = None
    dialing_mode: str | None = None
    type: str | None = None
    voicemail_audio_url: str | None = None

    @field_validator("caller_id", mode="before")
    @classmethod
    def _digits_as_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @field_validator("start_time", "end_time")
    @classmethod
    def _two_digit_hour(cls, value: str | None) -> str | None:
        # The seeds write `2018-02-19T8:00:00Z`; ISO 8601 wants two digits for the hour.
        return _SHORT_HOUR.sub(r"T0\1", value) if value else value
