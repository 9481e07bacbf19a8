"""Webhook subscriptions: create, read, change, delete; the delivery log and its replay."""

import base64
import secrets
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.db import utcnow
from phonebank.errors import Conflict, Invalid, NotFound
from phonebank.kit.ownership import get_owned
from phonebank.kit.pagination import PageParams, fetch_page
from phonebank.webhooks.models import DELIVERY_STATUSES, WebhookDelivery, WebhookSubscription
from phonebank.webhooks.outbox import EVENT_TYPES, Event, record_events
from phonebank.webhooks.signing import SECRET_PREFIX


def new_secret() -> str:
    """A random signing secret for a subscription, in the Standard Webhooks form."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def check_events(events: list[str]) -> list[str]:
    """The event names, each a known event, a `family.*` or `*`."""
    families = {name.split(".", 1)[0] + ".*" for name in EVENT_TYPES}
    for name in events:
        if name != "*" and name not in EVENT_TYPES and name not in families:
            known = ", ".join(EVENT_TYPES)
            raise Invalid(f"unknown event {name!r}; known events: {known}", field="events")
    if not events:
        raise Invalid("name at least one event (or `*`)", field="events")
    return list(dict.fromkeys(events))


async def create_subscription(
    session: AsyncSession,
    *,
    organization_id: uuid.UUID,
    url: str,
    events: list[str],
    secret: str | None = None,
    active: bool = True,
    scope: str | None = None,
) -> WebhookSubscription:
    """Subscribe a URL to events; a secret is made when none is given."""
    subscription = WebhookSubscription(
        organization_id=organization_id,
        url=url,
        events=check_events(events),
        secret=secret or new_secret(),
        active=active,
        scope=scope,
    )
    session.add(subscription)
    await session.flush()
    return subscription


async def get_subscription(
    session: AsyncSession, *, organization_id: uuid.UUID, subscription_id: uuid.UUID
) -> WebhookSubscription:
    """One subscription of the organization, or NotFound."""
    return await get_owned(
        session,
        WebhookSubscription,
        subscription_id,
        organization_id=organization_id,
        what="webhook subscription",
    )


async def update_subscription(
    session: AsyncSession, *, subscription: WebhookSubscription, changes: dict[str, Any]
) -> WebhookSubscription:
    """Apply the fields given (url, events, secret, active)."""
    if "events" in changes:
        changes["events"] = check_events(changes["events"])
    for name, value in changes.items():
        setattr(subscription, name, value)
    await session.flush()
    return subscription


async def delete_subscription(session: AsyncSession, *, subscription: WebhookSubscription) -> None:
    """Remove a subscription with its delivery log."""
    await session.delete(subscription)
    await session.flush()


async def list_subscriptions(
    session: AsyncSession, *, organization_id: uuid.UUID, params: PageParams
) -> tuple[Sequence[WebhookSubscription], int]:
    """A page of the organization's subscriptions, newest first."""
    statement = (
        select(WebhookSubscription)
        .where(WebhookSubscription.organization_id == organization_id)
        .order_by(WebhookSubscription.created_at.desc(), WebhookSubscription.id)
    )
    return await fetch_page(session, statement, params)


async def list_deliveries(
    session: AsyncSession,
    *,
    subscription: WebhookSubscription,
    params: PageParams,
    status: str | None = None,
) -> tuple[Sequence[WebhookDelivery], int]:
    """A page of a subscription's delivery log, newest first."""
    statement = select(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription.id)
    if status is not None:
        if status not in DELIVERY_STATUSES:
            raise Invalid(f"status must be one of {', '.join(DELIVERY_STATUSES)}", field="status")
        statement = statement.where(WebhookDelivery.status == status)
    statement = statement.order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id)
    return await fetch_page(session, statement, params)


async def get_delivery(
    session: AsyncSession, *, subscription: WebhookSubscription, delivery_id: uuid.UUID
) -> WebhookDelivery:
    """One delivery of the subscription, or NotFound."""
    delivery = await session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.subscription_id != subscription.id:
        raise NotFound("no such webhook delivery")
    return delivery


async def replay_delivery(session: AsyncSession, *, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a failed delivery again, with a fresh round of retries and the same event id."""
    if delivery.status not in {"dead", "retrying"}:
        raise Conflict(
            f"only a failed delivery can be replayed; this one is {delivery.status}",
            field="status",
        )
    delivery.status = "pending"
    delivery.attempts = 0
    delivery.next_attempt_at = utcnow()
    await session.flush()
    return delivery


async def enqueue_event(
    session: AsyncSession, *, organization_id: uuid.UUID, event: str, payload: dict[str, Any]
) -> int:
    """Record one event for every active subscription that asked for it; how many deliveries.

    The deliveries are written in the same unit of work as the change they report, so
    neither exists without the other.
    """
    return await record_events(
        session, [Event(organization_id=organization_id, type=event, data=payload)]
    )
