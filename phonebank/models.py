"""Every ORM model, imported in one place so the metadata (and Alembic) sees them all."""

from phonebank.auth.models import ApiKey, ServiceAccount
from phonebank.blocked_numbers.models import BlockedNumber
from phonebank.callers.models import Caller, CallerGroup, CallerSession, CallerSessionSpan
from phonebank.calling.models import CallerDraft, CallerLogin
from phonebank.calls.models import Answer, Attempt, Call, Result
from phonebank.campaigns.models import Campaign
from phonebank.db import Base
from phonebank.dialer.models import DialerLease
from phonebank.hosted.models import HostedDialing, NumberUpload
from phonebank.identifiers.models import ForeignIdentifier
from phonebank.lists.models import ListItem, PersonList
from phonebank.messages.models import Message
from phonebank.organizations.models import Organization
from phonebank.people.models import (
    EmailAddress,
    Person,
    PersonIdentifier,
    PhoneNumber,
    PostalAddress,
)
from phonebank.scripts.models import (
    NoteField,
    Question,
    QuestionResponse,
    Script,
    ScriptText,
    Transfer,
)
from phonebank.tags.models import Tag, Tagging
from phonebank.webhooks.models import WebhookDelivery, WebhookSubscription

__all__ = [
    "Answer",
    "ApiKey",
    "Attempt",
    "Base",
    "BlockedNumber",
    "Call",
    "Caller",
    "CallerDraft",
    "CallerGroup",
    "CallerLogin",
    "CallerSession",
    "CallerSessionSpan",
    "Campaign",
    "DialerLease",
    "EmailAddress",
    "ForeignIdentifier",
    "HostedDialing",
    "ListItem",
    "Message",
    "NoteField",
    "NumberUpload",
    "Organization",
    "Person",
    "PersonIdentifier",
    "PersonList",
    "PhoneNumber",
    "PostalAddress",
    "Question",
    "QuestionResponse",
    "Result",
    "Script",
    "ScriptText",
    "ServiceAccount",
    "Tag",
    "Tagging",
    "Transfer",
    "WebhookDelivery",
    "WebhookSubscription",
]
