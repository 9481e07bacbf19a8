"""Wire shapes of people (OSDI person fields)."""

from typing import Any, ClassVar

from pydantic import ConfigDict, EmailStr, Field, field_validator

from phonebank.kit.schemas import InputSchema, Schema, TimestampedResource


class EmailAddressIn(InputSchema):
    """An email address of a person."""

    address: EmailStr
    primary: bool = False
    address_type: str | None = Field(default=None, max_length=40)
    status: str | None = Field(default=None, max_length=40)


class PhoneNumberIn(InputSchema):
    """A phone number in any common form; stored in E.164."""

    number: str = Field(min_length=1, max_length=40)
    primary: bool = False
    number_type: str | None = Field(default=None, max_length=40)
    sms_capable: bool | None = None
    do_not_call: bool = False


class PostalAddressIn(InputSchema):
    """A postal address of a person."""

    primary: bool = False
    address_type: str | None = Field(default=None, max_length=40)
    address_lines: list[str] = Field(default_factory=list, max_length=5)
    locality: str | None = Field(default=None, max_length=200)
    region: str | None = Field(default=None, max_length=200)
    postal_code: str | None = Field(default=None, max_length=40)
    country: str | None = Field(default=None, min_length=2, max_length=2)
    time_zone: str | None = Field(default=None, max_length=64)
    notes: str | None = None
    status: str | None = Field(default=None, max_length=40)


# Stay well below the bind-parameter limits of SQLite (32,766) and asyncpg (32,767).
MAX_PEOPLE_PER_REQUEST = 10_000


def check_identifiers(value: list[str] | None) -> list[str] | None:
    """OSDI identifiers are `system:id` strings."""
    for identifier in value or []:
        if ":" not in identifier.strip(":") or len(identifier) > 300:
            raise ValueError(f"{identifier!r} is not of the form `system:id`")
    return value


class PersonFields(InputSchema):
    """The scalar fields shared by create and update."""

    given_name: str | None = Field(default=None, max_length=200)
    family_name: str | None = Field(default=None, max_length=200)
    additional_name: str | None = Field(default=None, max_length=200)
    gender: str | None = Field(default=None, max_length=40)
    origin_system: str | None = Field(default=None, max_length=200)
    languages_spoken: list[str] | None = None
    custom_fields: dict[str, Any] | None = None


class PersonCreate(PersonFields):
    """A new person; give at least a name, an email address or a phone number."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "given_name": "Ada",
                "family_name": "Lovelace",
                "email_addresses": [{"address": "ada@example.org"}],
                "phone_numbers": [{"number": "+12125550101"}],
            }
        }
    )

    email_addresses: list[EmailAddressIn] = Field(default_factory=list, max_length=20)
    phone_numbers: list[PhoneNumberIn] = Field(default_factory=list, max_length=20)
    postal_addresses: list[PostalAddressIn] = Field(default_factory=list, max_length=10)
    identifiers: list[str] = Field(default_factory=list, max_length=20)

    _identifiers = field_validator("identifiers")(check_identifiers)


class PersonUpdate(PersonFields):
    """Changes to a person; a list given replaces the stored list, omitted fields stay."""

    email_addresses: list[EmailAddressIn] | None = Field(default=None, max_length=20)
    phone_numbers: list[PhoneNumberIn] | None = Field(default=None, max_length=20)
    postal_addresses: list[PostalAddressIn] | None = Field(default=None, max_length=10)
    identifiers: list[str] | None = Field(default=None, max_length=20)

    _identifiers = field_validator("identifiers")(check_identifiers)


class EmailAddressOut(Schema):
    """A stored email address."""

    address: str
    primary: bool
    address_type: str | None
    status: str | None


class PhoneNumberOut(Schema):
    """A stored phone number, in E.164, with the zones it may ring in."""

    number: str
    primary: bool
    number_type: str | None
    sms_capable: bool | None
    do_not_call: bool
    country: str | None
    time_zones: list[str]


class PostalAddressOut(Schema):
    """A stored postal address."""

    primary: bool
    address_type: str | None
    address_lines: list[str]
    locality: str | None
    region: str | None
    postal_code: str | None
    country: str | None
    time_zone: str | None
    notes: str | None
    status: str | None


class PersonOut(TimestampedResource):
    """A person as the API shows it."""

    uri_template: ClassVar[str] = "/api/v1/people/{id}"

    given_name: str | None
    family_name: str | None
    additional_name: str | None
    gender: str | None
    origin_system: str | None
    languages_spoken: list[str]
    custom_fields: dict[str, Any]
    email_addresses: list[EmailAddressOut]
    phone_numbers: list[PhoneNumberOut]
    postal_addresses: list[PostalAddressOut]
    identifiers: list[str]

    @field_validator("identifiers", mode="before")
    @classmethod
    def _identifier_strings(cls, value: list[Any]) -> list[str]:
        return [getattr(item, "identifier", item) for item in value]
