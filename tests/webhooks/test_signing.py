"""Deliveries verify with the Standard Webhooks reference library, as any receiver would."""

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from standardwebhooks import Webhook, WebhookVerificationError

from phonebank.db import utcnow
from phonebank.organizations.service import create_organization
from phonebank.webhooks.delivery import WebhookWorker
from phonebank.webhooks.outbox import Event, record_events
from phonebank.webhooks.service import create_subscription, new_secret
from phonebank.webhooks.signing import standard_key, verify
from tests.webhooks.receiver import Received, Receiver


async def _deliver_one(
    sessionmaker: async_sessionmaker[AsyncSession], worker: WebhookWorker, secret: str | None
) -> tuple[str, Received]:
    """Subscribe a fresh receiver with `secret` (None: one is made), deliver one event to it."""
    receiver = await Receiver().start()
    try:
        used = await _subscribe_and_record(sessionmaker, receiver.url, secret)
        assert await worker.drain(utcnow()) == 1
    finally:
        await receiver.stop()
    (request,) = receiver.requests
    return used, request


async def _subscribe_and_record(
    sessionmaker: async_sessionmaker[AsyncSession], url: str, secret: str | None
) -> str:
    async with sessionmaker() as session, session.begin():
        organization = await create_organization(session, name="Standard")
        subscription = await create_subscription(
            session, organization_id=organization.id, url=url, events=["*"], secret=secret
        )
        await record_events(
            session, [Event(organization.id, "campaign.status_changed", {"to": "started"})]
        )
        return subscription.secret


async def test_a_new_subscription_is_verified_by_the_standard_library(
    sessionmaker: async_sessionmaker[AsyncSession], worker: WebhookWorker
) -> None:
    secret, request = await _deliver_one(sessionmaker, worker, None)
    assert secret.startswith("whsec_")
    headers = dict(request.headers)
    payload = Webhook(secret).verify(request.body, headers)
    assert payload["id"] == headers["webhook-id"] == headers["phonebank-event-id"]
    assert payload["type"] == "campaign.status_changed"
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(request.body + b" ", headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(request.body, headers)
    # The older headers still verify, for receivers written before.
    assert verify(
        secret,
        timestamp=headers["phonebank-timestamp"],
        body=request.body,
        signature_header=headers["phonebank-signature"],
    )


async def test_a_secret_chosen_by_the_client_verifies_as_the_library_reads_it(
    sessionmaker: async_sessionmaker[AsyncSession], worker: WebhookWorker
) -> None:
    chosen = "whsec_test_secret_0123456789"
    _, request = await _deliver_one(sessionmaker, worker, chosen)
    Webhook(chosen).verify(request.body, dict(request.headers))


def test_a_secret_no_library_can_read_gets_no_standard_signature() -> None:
    # Five base64 characters cannot be decoded: such a subscription needs a new secret.
    assert standard_key("whsec_abcde") is None
    assert standard_key(new_secret()) is not None
