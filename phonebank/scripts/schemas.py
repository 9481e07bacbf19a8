"""Wire shapes of call scripts: one nested document with texts, questions, notes, transfers."""

import uuid
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, ConfigDict, Field, field_validator

from phonebank.kit.schemas import InputSchema, Schema, TimestampedResource

QuestionType = Literal["SingleChoice", "MultiChoice", "Paragraph"]
TransferType = Literal["warm", "cold"]

# Contact fields a caller may be shown, in the order a caller reads them; anything else must be a
# custom field.
CONTACT_FIELDS = (
    "given_name",
    "family_name",
    "additional_name",
    "phone_number",
    "email_address",
    "postal_address",
    "locality",
    "region",
    "postal_code",
    "gender",
    "languages_spoken",
)
SYSTEM_FIELDS = frozenset(CONTACT_FIELDS)
CUSTOM_FIELD_PREFIX = "custom_fields."


def check_selected_field(value: str) -> str:
    """A system contact field or `custom_fields.<name>`."""
    if value in SYSTEM_FIELDS:
        return value
    custom_name = value.removeprefix(CUSTOM_FIELD_PREFIX)
    if value.startswith(CUSTOM_FIELD_PREFIX) and custom_name.strip() and len(custom_name) <= 100:
        return value
    raise ValueError(
        f"{value!r} is not a contact field ({', '.join(sorted(SYSTEM_FIELDS))}) "
        f"nor `{CUSTOM_FIELD_PREFIX}<name>`"
    )


SelectedField = Annotated[str, AfterValidator(check_selected_field)]


def reject_null(value: Any) -> Any:
    """Refuse an explicit null; validators do not run on omitted fields, so those stay."""
    if value is None:
        raise ValueError("may not be null")
    return value


class TextIn(InputSchema):
    """A section of text the caller reads."""

    title: str | None = Field(default=None, max_length=300)
    content: str = Field(min_length=1, max_length=20_000)


class ResponseIn(InputSchema):
    """A possible response of a choice question; `key` is what clients send back."""

    key: str = Field(min_length=1, max_length=100)
    name: str = Field(min_length=1, max_length=300)


class QuestionIn(InputSchema):
    """A question; choice questions need two or more responses, Paragraph questions none."""

    name: str = Field(min_length=1, max_length=200)
    title: str | None = Field(default=None, max_length=300)
    description: str | None = Field(default=None, max_length=5_000)
    question_type: QuestionType
    required: bool = False
    responses: list[ResponseIn] = Field(default_factory=list, max_length=100)


class QuestionUpdate(InputSchema):
    """Changes to one question; `responses`, when given, replace the stored ones."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    title: str | None = Field(default=None, max_length=300)
    description: str | None = Field(default=None, max_length=5_000)
    question_type: QuestionType | None = None
    required: bool | None = None
    responses: list[ResponseIn] | None = Field(default=None, max_length=100)

    _not_null = field_validator("name", "question_type", "required", "responses")(reject_null)


class NoteFieldIn(InputSchema):
    """A free-text note the caller fills in."""

    name: str = Field(min_length=1, max_length=200)


class TransferIn(InputSchema):
    """A number a connected contact can be handed to."""

    label: str = Field(min_length=1, max_length=200)
    phone_number: str = Field(min_length=1, max_length=40)
    transfer_type: TransferType = "warm"


class TransferUpdate(InputSchema):
    """Changes to one transfer."""

    label: str | None = Field(default=None, min_length=1, max_length=200)
    phone_number: str | None = Field(default=None, min_length=1, max_length=40)
    transfer_type: TransferType | None = None

    _not_null = field_validator("label", "phone_number", "transfer_type")(reject_null)


class ScriptCreate(InputSchema):
    """A new script, given whole; each element's position is its index in its list."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "name": "Get out the vote",
                "texts": [{"title": "Opening", "content": "Hi, I am calling about Tuesday."}],
                "questions": [
                    {
                        "name": "will_vote",
                        "question_type": "SingleChoice",
                        "responses": [{"key": "yes", "name": "Yes"}, {"key": "no", "name": "No"}],
                    }
                ],
            }
        }
    )

    name: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=20_000)
    origin_system: str | None = Field(default=None, max_length=200)
    selected_fields: list[SelectedField] = Field(default_factory=list, max_length=50)
    texts: list[TextIn] = Field(default_factory=list, max_length=100)
    questions: list[QuestionIn] = Field(default_factory=list, max_length=100)
    note_fields: list[NoteFieldIn] = Field(default_factory=list, max_length=50)
    transfers: list[TransferIn] = Field(default_factory=list, max_length=20)


class ScriptUpdate(InputSchema):
    """Changes to a script; a list given replaces the stored one, omitted fields stay."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=20_000)
    origin_system: str | None = Field(default=None, max_length=200)
    selected_fields: list[SelectedField] | None = Field(default=None, max_length=50)
    texts: list[TextIn] | None = Field(default=None, max_length=100)
    questions: list[QuestionIn] | None = Field(default=None, max_length=100)
    note_fields: list[NoteFieldIn] | None = Field(default=None, max_length=50)
    transfers: list[TransferIn] | None = Field(default=None, max_length=20)

    _not_null = field_validator(
        "name", "selected_fields", "texts", "questions", "note_fields", "transfers"
    )(reject_null)


class TextOut(Schema):
    """A stored section of text."""

    id: uuid.UUID
    title: str | None
    content: str


class ResponseOut(Schema):
    """A stored response of a choice question."""

    id: uuid.UUID
    key: str
    name: str


class QuestionOut(Schema):
    """A stored question with its responses."""

    id: uuid.UUID
    name: str
    title: str | None
    description: str | None
    question_type: str
    required: bool
    responses: list[ResponseOut]


class NoteFieldOut(Schema):
    """A stored note field."""

    id: uuid.UUID
    name: str


class TransferOut(Schema):
    """A stored transfer, its number in E.164."""

    id: uuid.UUID
    label: str
    phone_number: str
    transfer_type: str


class ScriptOut(TimestampedResource):
    """A script as the API shows it, with every element and its id."""

    uri_template: ClassVar[str] = "/api/v1/scripts/{id}"

    name: str
    description: str | None
    origin_system: str | None
    selected_fields: list[str]
    texts: list[TextOut]
    questions: list[QuestionOut]
    note_fields: list[NoteFieldOut]
    transfers: list[TransferOut]
