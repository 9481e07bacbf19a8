"""Events handed to an organization's own systems through its webhook subscriptions."""

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.webhooks.models import WebhookDelivery, WebhookSubscription


async def enqueue_event(
    session: AsyncSession, *, organization_id: uuid.UUID, event: str, payload: dict[str, Any]
) -> int:
    """Record the event for delivery to every active subscription that asked for it.

    A subscription asks for an event by its exact name or by `*`. The deliveries are written
    in the same unit of work as the change they report, so neither exists without the other.
    Returns how many deliveries were recorded.
    """
    subscriptions = (
        await session.scalars(
            select(WebhookSubscription).where(
                WebhookSubscription.organization_id == organization_id,
                WebhookSubscription.active.is_(True),
            )
        )
    ).all()
    recorded = 0
    for subscription in subscriptions:
        if event in subscription.events or "*" in subscription.events:
            session.add(
                WebhookDelivery(subscription_id=subscription.id, event=event, payload=payload)
            )
            recorded += 1
    await session.flush()
    return recorded
