"""Webhook subscriptions and their delivery logs: `/api/v1/webhooks`."""

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, Response, status

from phonebank.auth.dependencies import DbSession, require
from phonebank.auth.scopes import Scope
from phonebank.auth.service import Principal
from phonebank.kit.pagination import Page, PageParams, build_page, page_params
from phonebank.webhooks import service
from phonebank.webhooks.schemas import (
    DeliveryOut,
    SubscriptionCreate,
    SubscriptionCreated,
    SubscriptionOut,
    SubscriptionUpdate,
)

router = APIRouter(prefix="/webhooks", tags=["webhooks"])
Reader = Annotated[Principal, Depends(require(Scope.WEBHOOKS_READ))]
Writer = Annotated[Principal, Depends(require(Scope.WEBHOOKS_WRITE))]
DeliveryStatus = Literal["pending", "retrying", "delivered", "dead"]


@router.get("", response_model=Page[SubscriptionOut])
async def list_subscriptions(
    request: Request,
    principal: Reader,
    session: DbSession,
    params: Annotated[PageParams, Depends(page_params)],
) -> Page[SubscriptionOut]:
    """List webhook subscriptions, newest first."""
    rows, total = await service.list_subscriptions(
        session, organization_id=principal.organization_id, params=params
    )
    return build_page(request, params, rows, total, SubscriptionOut)


@router.post("", response_model=SubscriptionCreated, status_code=status.HTTP_201_CREATED)
async def create_subscription(
    body: SubscriptionCreate, principal: Writer, session: DbSession
) -> object:
    """Subscribe a URL to events; the response shows the signing secret once."""
    return await service.create_subscription(
        session,
        organization_id=principal.organization_id,
        url=body.url,
        events=body.events,
        secret=body.secret,
        active=body.active,
    )


@router.get("/{subscription_id}", response_model=SubscriptionOut)
async def get_subscription(
    subscription_id: uuid.UUID, principal: Reader, session: DbSession
) -> object:
    """One subscription."""
    return await service.get_subscription(
        session, organization_id=principal.organization_id, subscription_id=subscription_id
    )


@router.patch("/{subscription_id}", response_model=SubscriptionOut)
async def update_subscription(
    subscription_id: uuid.UUID, body: SubscriptionUpdate, principal: Writer, session: DbSession
) -> object:
    """Change a subscription's URL, events, secret or whether it is active."""
    subscription = await service.get_subscription(
        session, organization_id=principal.organization_id, subscription_id=subscription_id
    )
    return await service.update_subscription(
        session, subscription=subscription, changes=body.model_dump(exclude_unset=True)
    )


@router.delete("/{subscription_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_subscription(
    subscription_id: uuid.UUID, principal: Writer, session: DbSession
) -> Response:
    """Delete a subscription and its delivery log; undelivered events are dropped."""
    subscription = await service.get_subscription(
        session, organization_id=principal.organization_id, subscription_id=subscription_id
    )
    await service.delete_subscription(session, subscription=subscription)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{subscription_id}/deliveries", response_model=Page[DeliveryOut])
async def list_deliveries(
    request: Request,
    subscription_id: uuid.UUID,
    principal: Reader,
    session: DbSession,
    params: Annotated[PageParams, Depends(page_params)],
    delivery_status: Annotated[
        DeliveryStatus | None, Query(alias="status", description="Only deliveries in this state.")
    ] = None,
) -> Page[DeliveryOut]:
    """The subscription's delivery log, newest first."""
    subscription = await service.get_subscription(
        session, organization_id=principal.organization_id, subscription_id=subscription_id
    )
    rows, total = await service.list_deliveries(
        session, subscription=subscription, params=params, status=delivery_status
    )
    return build_page(request, params, rows, total, DeliveryOut)


@router.get("/{subscription_id}/deliveries/{delivery_id}", response_model=DeliveryOut)
async def get_delivery(
    subscription_id: uuid.UUID, delivery_id: uuid.UUID, principal: Reader, session: DbSession
) -> object:
    """One delivery, with its body and how its tries went."""
    subscription = await service.get_subscription(
        session, organization_id=principal.organization_id, subscription_id=subscription_id
    )
    return await service.get_delivery(session, subscription=subscription, delivery_id=delivery_id)


@router.post("/{subscription_id}/deliveries/{delivery_id}/replay", response_model=DeliveryOut)
async def replay_delivery(
    subscription_id: uuid.UUID, delivery_id: uuid.UUID, principal: Writer, session: DbSession
) -> object:
    """Send a failed (dead or retrying) delivery again now, with a fresh round of retries."""
    subscription = await service.get_subscription(
        session, organization_id=principal.organization_id, subscription_id=subscription_id
    )
    delivery = await service.get_delivery(
        session, subscription=subscription, delivery_id=delivery_id
    )
    return await service.replay_delivery(session, delivery=delivery)
