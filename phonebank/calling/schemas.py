"""Wire shapes of the caller API: logins, sessions, the contact on the line, results."""

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, EmailStr, Field, model_validator

from phonebank.calls.results import DISPOSITIONS
from phonebank.kit.schemas import InputSchema, Schema


class LoginIn(InputSchema):
    """Email and password, or a campaign access code and PIN (with the email when PINs repeat)."""

    email: EmailStr | None = Field(default=None, max_length=320)
    password: str | None = Field(default=None, max_length=200)
    access_code: str | None = Field(default=None, max_length=40)
    pin: str | None = Field(default=None, pattern=r"^[0-9]{4,8}$")

    @model_validator(mode="after")
    def _one_way(self) -> "LoginIn":
        by_password = self.email is not None and self.password is not None
        by_pin = self.access_code is not None and self.pin is not None
        if by_password == by_pin:
            raise ValueError("send `email` and `password`, or `access_code` and `pin`")
        return self


class CallerView(Schema):
    """The logged-in caller."""

    id: uuid.UUID
    name: str
    email: str | None
    is_supervisor: bool
    organization_id: uuid.UUID


class LoginOut(Schema):
    """A new login: the caller, and the CSRF token to send as `X-CSRF-Token` on changes."""

    caller: CallerView
    csrf_token: str
    campaign_id: uuid.UUID | None = Field(
        default=None, description="The campaign a PIN login is for."
    )
    expires_at: datetime


class CampaignChoice(Schema):
    """A campaign the caller may join."""

    id: uuid.UUID
    name: str
    title: str | None
    status: str
    dialing_mode: str


class JoinIn(InputSchema):
    """Join a campaign: start calling."""

    campaign_id: uuid.UUID


class Contact(Schema):
    """The person on the line (or to preview): who they are and what the script shows."""

    call_id: uuid.UUID
    attempt_id: uuid.UUID | None
    person_id: uuid.UUID
    name: str
    given_name: str | None
    family_name: str | None
    phone_number: str | None
    attributes: dict[str, Any]


class SessionView(Schema):
    """A caller session as its caller sees it."""

    id: uuid.UUID
    campaign_id: uuid.UUID
    campaign_name: str
    dialing_mode: str
    state: str
    state_since: datetime
    started_at: datetime
    ended_at: datetime | None
    end_reason: str | None
    dialer_running: bool
    campaign_status: str = Field(
        default="started", description="The campaign's status: started, paused, stopped, ..."
    )
    calls_made: int = Field(default=0, description="Results saved in this session.")
    contacts_made: int = Field(
        default=0, description="Of those, conversations (the contact was reached and talked)."
    )
    contact: Contact | None
    call_state: str | None = Field(
        default=None, description="ringing, connected, ended, transferred (of the contact's call)"
    )


class PauseIn(InputSchema):
    """Pause (no calls offered) or come back."""

    paused: bool


class TransferIn(InputSchema):
    """Hand the connected contact to one of the script's transfers."""

    # The native API has a model of the same name: clients generate one class per title.
    model_config = ConfigDict(title="CallTransferIn")

    transfer_id: uuid.UUID


class AnswerIn(InputSchema):
    """One answer: response keys for a choice question, text for a Paragraph."""

    question_id: uuid.UUID
    responses: list[str] = Field(default_factory=list, max_length=100)
    text: str | None = Field(default=None, max_length=10000)


class ResultIn(InputSchema):
    """The result of the contact: disposition, answers, notes; then continue or stop."""

    disposition: Literal[DISPOSITIONS]  # type: ignore[valid-type]
    answers: list[AnswerIn] = Field(default_factory=list, max_length=200)
    notes: dict[str, str] = Field(
        default_factory=dict, description="`notes` and the script's note fields, by name."
    )
    then: Literal["continue", "stop"] = "continue"
    call_id: uuid.UUID | None = Field(
        default=None,
        description="The contact's call, when saving after the dialer let the call go.",
    )


class DraftIn(InputSchema):
    """What the caller has typed for a call so far: kept until the result is saved."""

    disposition: Literal[DISPOSITIONS] | None = None  # type: ignore[valid-type]
    answers: dict[str, list[Annotated[str, Field(max_length=200)]] | str] = Field(
        default_factory=dict, max_length=200, description="By question id: keys, or text."
    )
    notes: dict[str, str] = Field(default_factory=dict, max_length=60)

    @model_validator(mode="after")
    def _bounded(self) -> "DraftIn":
        texts = [*self.notes.values(), *(v for v in self.answers.values() if isinstance(v, str))]
        if any(len(text) > 10000 for text in texts):
            raise ValueError("a draft's text is at most 10000 characters")
        return self


class DraftOut(Schema):
    """A call's draft, with the contact it is for."""

    session_id: uuid.UUID
    call_id: uuid.UUID
    contact_name: str | None
    disposition: str | None
    answers: dict[str, Any]
    notes: dict[str, str]
    updated_at: datetime


class ResultOut(Schema):
    """A saved result."""

    id: uuid.UUID
    call_id: uuid.UUID
    attempt_id: uuid.UUID | None
    disposition: str
    created: bool
    session: SessionView


class LiveSession(Schema):
    """A caller session as supervisors see it."""

    id: uuid.UUID
    caller_id: uuid.UUID
    caller_name: str
    campaign_id: uuid.UUID
    state: str
    state_since: datetime
    state_seconds: float
    started_at: datetime
    session_seconds: float
    monitored: str | None = None


class MonitorIn(InputSchema):
    """Listen in (silent) or break in (heard by both) on a caller's call."""

    mode: Literal["listen", "barge"]


class LedgerTotals(Schema):
    """Seconds per caller state, summed over sessions."""

    caller_id: uuid.UUID | None = None
    campaign_id: uuid.UUID | None = None
    sessions: int
    seconds: dict[str, float]
    login_seconds: float


class CampaignFigures(Schema):
    """A campaign's live figures, as the dashboard shows them."""

    campaign_id: uuid.UUID
    status: str
    at: datetime
    callers: dict[str, int]
    calls_in_flight: int
    dials: int
    human_answers: int
    contacts: int
    machine_answers: int
    abandoned: int
    abandon_rate: float = Field(description="abandoned / human answers")
    abandon_target: float
    calls_total: int
    calls_done: int
    calls_by_status: dict[str, int]
    progress: float
