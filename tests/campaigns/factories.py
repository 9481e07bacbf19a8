"""Helpers of the campaign tests; rows of other domains are inserted directly."""

import uuid
from collections.abc import Iterable
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.auth.scopes import Scope
from phonebank.auth.service import create_service_account, issue_key
from phonebank.callers.models import CallerGroup
from phonebank.calls.models import Call
from phonebank.lists.models import PersonList
from phonebank.messages.models import Message
from phonebank.people.models import Person
from phonebank.scripts.models import Script
from tests.conftest import Tenant

URL = "/api/v1/campaigns"
REFERENCE_FIELDS = (
    "script_id",
    "target_list_id",
    "volunteers_list_id",
    "caller_group_id",
    "voicemail_message_id",
    "safe_harbor_message_id",
)


async def create(client: httpx.AsyncClient, tenant: Tenant, **fields: Any) -> dict[str, Any]:
    """A campaign named Rally (unless `fields` say otherwise), created through the API."""
    response = await client.post(URL, json={"name": "Rally", **fields}, headers=tenant.headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def problem_fields(response: httpx.Response) -> set[str]:
    """The fields a problem+json response names."""
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    fields = {error["field"] for error in body.get("errors", [])}
    if "field" in body:
        fields.add(body["field"])
    return fields


async def make_references(session: AsyncSession, organization_id: uuid.UUID) -> dict[str, str]:
    """A script, two lists, a caller group and both kinds of message; their ids by body field."""
    rows: dict[str, Script | PersonList | CallerGroup | Message] = {
        "script_id": Script(organization_id=organization_id, name="Survey"),
        "target_list_id": PersonList(organization_id=organization_id, name="Targets"),
        "volunteers_list_id": PersonList(organization_id=organization_id, name="Volunteers"),
        "caller_group_id": CallerGroup(organization_id=organization_id, name="Team A"),
        "voicemail_message_id": Message(
            organization_id=organization_id,
            name="Drop",
            kind="voicemail",
            audio_url="https://example.org/drop.mp3",
        ),
        "safe_harbor_message_id": Message(
            organization_id=organization_id,
            name="Safe harbor",
            kind="safe_harbor",
            text="Sorry we missed you.",
        ),
    }
    session.add_all(rows.values())
    await session.flush()
    return {field: str(row.id) for field, row in rows.items()}


async def make_calls(
    session: AsyncSession,
    organization_id: uuid.UUID,
    campaign_id: str,
    statuses: list[str],
) -> None:
    """One call per status in `statuses`, to one person, in the campaign."""
    person = Person(organization_id=organization_id, given_name="Callee")
    session.add(person)
    await session.flush()
    session.add_all(
        Call(
            organization_id=organization_id,
            campaign_id=uuid.UUID(campaign_id),
            person_id=person.id,
            status=status,
        )
        for status in statuses
    )
    await session.flush()


async def key_headers(
    session: AsyncSession, organization_id: uuid.UUID, scopes: Iterable[Scope]
) -> dict[str, str]:
    """Bearer headers of a new key of an existing organization, holding only `scopes`."""
    account = await create_service_account(
        session, organization_id=organization_id, name="narrow key", scopes=scopes
    )
    issued = await issue_key(session, service_account=account)
    await session.flush()
    return {"Authorization": f"Bearer {issued.token}"}
