"""The outbox: events written in the same transaction as the change they report.

Every service that changes something a subscriber may want to hear about calls
`record_events` with the events of that change. The deliveries are rows of the same unit of
work, so an event exists if and only if its change was committed; the delivery worker sends
them afterwards, as often as it takes.
"""

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic_core import to_jsonable_python
from sqlalchemy import Uuid, bindparam, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.db import utcnow
from phonebank.webhooks.models import WebhookDelivery, WebhookSubscription

# The events a subscription may ask for (by name, by `family.*`, or `*` for all).
EVENT_TYPES = (
    "call.state_changed",
    "call.status_changed",
    "attempt.completed",
    "result.created",
    "caller_session.started",
    "caller_session.ended",
    "campaign.status_changed",
    "upload.processed",
    "person.autoresponse",
    "person.sms_response",
)


@dataclass(frozen=True)
class Event:
    """Something that happened in an organization, for its subscribers."""

    organization_id: uuid.UUID
    type: str
    data: dict[str, Any]
    # What the event is about (`campaign:<id>`, `upload:<id>`): scoped subscriptions get
    # only the events of their scope.
    scopes: tuple[str, ...] = ()
    at: datetime | None = None
    id: uuid.UUID = field(default_factory=uuid.uuid4)


def campaign_scope(campaign_id: uuid.UUID) -> str:
    """The scope of a campaign's events."""
    return f"campaign:{campaign_id}"


def upload_scope(upload_id: uuid.UUID) -> str:
    """The scope of a number upload's events."""
    return f"upload:{upload_id}"


def wants(events: Sequence[str], event_type: str) -> bool:
    """Whether a subscription's event names cover `event_type`."""
    family = event_type.split(".", 1)[0] + ".*"
    return any(name in {"*", event_type, family} for name in events)


def envelope(event: Event, now: datetime) -> dict[str, Any]:
    """The JSON body a receiver gets: the event's id, type, time and data."""
    body: dict[str, Any] = {
        "id": str(event.id),
        "type": event.type,
        "created_at": to_jsonable_python(event.at or now),
        "organization_id": str(event.organization_id),
        "data": to_jsonable_python(event.data),
    }
    return body


# Built once: the dialer asks this in every transaction.
_ANY_SUBSCRIPTION = (
    select(WebhookSubscription.id)
    .where(
        WebhookSubscription.organization_id == bindparam("organization", type_=Uuid()),
        WebhookSubscription.active.is_(True),
    )
    .limit(1)
)


async def has_subscriptions(session: AsyncSession, organization_id: uuid.UUID) -> bool:
    """Whether the organization has an active subscription (else events need not be built)."""
    found = await session.scalar(_ANY_SUBSCRIPTION, {"organization": organization_id})
    return found is not None


async def record_events(session: AsyncSession, events: Sequence[Event]) -> int:
    """Write a delivery of each event to every active subscription that wants it.

    One query finds the subscriptions of the organizations involved and one INSERT writes
    every delivery, however many events a batch holds. Returns how many were written.
    """
    if not events:
        return 0
    organization_ids = {event.organization_id for event in events}
    subscriptions = (
        await session.execute(
            select(
                WebhookSubscription.id,
                WebhookSubscription.organization_id,
                WebhookSubscription.events,
                WebhookSubscription.scope,
            ).where(
                WebhookSubscription.organization_id.in_(organization_ids),
                WebhookSubscription.active.is_(True),
            )
        )
    ).all()
    if not subscriptions:
        return 0
    by_organization: dict[uuid.UUID, list[Any]] = defaultdict(list)
    for row in subscriptions:
        by_organization[row.organization_id].append(row)
    now = utcnow()
    rows: list[dict[str, Any]] = []
    for event in events:
        body: dict[str, Any] | None = None
        for row in by_organization.get(event.organization_id, []):
            if row.scope is not None and row.scope not in event.scopes:
                continue
            if not wants(row.events, event.type):
                continue
            body = body or envelope(event, now)
            rows.append(
                {
                    "id": uuid.uuid4(),
                    "subscription_id": row.id,
                    "event_id": event.id,
                    "event": event.type,
                    "payload": body,
                    "status": "pending",
                    "attempts": 0,
                    "next_attempt_at": now,
                    "created_at": now,
                }
            )
    if rows:
        await session.execute(insert(WebhookDelivery), rows)
    return len(rows)
