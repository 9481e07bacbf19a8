"""Scripts API: questions and transfers edited one at a time."""

import uuid

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.auth.scopes import Scope
from phonebank.scripts.models import Question, Transfer
from tests.conftest import Tenant, make_tenant
from tests.scripts.helpers import create_script

ISSUES = {
    "name": "issues",
    "title": "Which issues matter?",
    "question_type": "MultiChoice",
    "responses": [{"key": "jobs", "name": "Jobs"}, {"key": "health", "name": "Health"}],
}


async def _question_positions(session: AsyncSession, script_id: str) -> list[tuple[str, int]]:
    rows = await session.execute(
        select(Question.name, Question.position)
        .where(Question.script_id == uuid.UUID(script_id))
        .order_by(Question.position)
    )
    return [(name, position) for name, position in rows.all()]


async def test_add_question_appends(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    script = await create_script(client, tenant)
    response = await client.post(f"{script['uri']}/questions", json=ISSUES, headers=tenant.headers)
    assert response.status_code == 201, response.text
    question = response.json()
    assert question["name"] == "issues" and question["required"] is False
    assert [r["key"] for r in question["responses"]] == ["jobs", "health"]
    assert await _question_positions(session, script["id"]) == [
        ("support", 0),
        ("comments", 1),
        ("issues", 2),
    ]
    whole = (await client.get(script["uri"], headers=tenant.headers)).json()
    assert whole["questions"][2]["id"] == question["id"]


async def test_add_question_validation(client: httpx.AsyncClient, tenant: Tenant) -> None:
    script = await create_script(client, tenant)
    url = f"{script['uri']}/questions"
    taken = await client.post(url, json={**ISSUES, "name": "support"}, headers=tenant.headers)
    assert taken.status_code == 409 and taken.json()["field"] == "name"
    one = await client.post(
        url, json={**ISSUES, "responses": ISSUES["responses"][:1]}, headers=tenant.headers
    )
    assert one.status_code == 400 and one.json()["field"] == "responses"
    paragraph = await client.post(
        url, json={**ISSUES, "question_type": "Paragraph"}, headers=tenant.headers
    )
    assert paragraph.status_code == 400 and paragraph.json()["field"] == "responses"
    shape = await client.post(url, json={"name": "x"}, headers=tenant.headers)
    assert shape.status_code == 422
    assert shape.json()["errors"][0]["field"] == "question_type"
    assert len((await client.get(script["uri"], headers=tenant.headers)).json()["questions"]) == 2


async def test_update_question(client: httpx.AsyncClient, tenant: Tenant) -> None:
    script = await create_script(client, tenant)
    support = script["questions"][0]
    url = f"{script['uri']}/questions/{support['id']}"
    patch = {
        "title": "Can we count on you?",
        "responses": [
            {"key": "no", "name": "No"},
            {"key": "yes", "name": "Yes"},
            {"key": "maybe", "name": "Maybe"},
        ],
    }
    updated = await client.patch(url, json=patch, headers=tenant.headers)
    assert updated.status_code == 200, updated.text
    body = updated.json()
    assert body["title"] == "Can we count on you?" and body["required"] is True
    assert [r["key"] for r in body["responses"]] == ["no", "yes", "maybe"]
    assert body["responses"][1]["id"] == support["responses"][0]["id"]

    to_paragraph = await client.patch(
        url, json={"question_type": "Paragraph", "responses": []}, headers=tenant.headers
    )
    assert to_paragraph.status_code == 200, to_paragraph.text
    assert to_paragraph.json()["responses"] == []


async def test_update_question_validation(client: httpx.AsyncClient, tenant: Tenant) -> None:
    script = await create_script(client, tenant)
    support, comments = script["questions"]
    url = f"{script['uri']}/questions/{support['id']}"
    renamed = await client.patch(url, json={"name": "comments"}, headers=tenant.headers)
    assert renamed.status_code == 409 and renamed.json()["field"] == "name"
    # Turning a choice question into a Paragraph keeps its responses unless they are cleared.
    paragraph = await client.patch(url, json={"question_type": "Paragraph"}, headers=tenant.headers)
    assert paragraph.status_code == 400 and paragraph.json()["field"] == "responses"
    duplicate = await client.patch(
        url,
        json={"responses": [{"key": "a", "name": "A"}, {"key": "a", "name": "B"}]},
        headers=tenant.headers,
    )
    assert duplicate.status_code == 400 and duplicate.json()["field"] == "responses[1].key"
    nulls = await client.patch(url, json={"name": None}, headers=tenant.headers)
    assert nulls.status_code == 422 and nulls.json()["errors"][0]["field"] == "name"
    to_choice = await client.patch(
        f"{script['uri']}/questions/{comments['id']}",
        json={"question_type": "SingleChoice"},
        headers=tenant.headers,
    )
    assert to_choice.status_code == 400 and to_choice.json()["field"] == "responses"
    unchanged = (await client.get(script["uri"], headers=tenant.headers)).json()
    assert unchanged["questions"] == script["questions"]


async def test_delete_question_closes_the_gap(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    script = await create_script(client, tenant)
    await client.post(f"{script['uri']}/questions", json=ISSUES, headers=tenant.headers)
    url = f"{script['uri']}/questions/{script['questions'][0]['id']}"
    assert (await client.delete(url, headers=tenant.headers)).status_code == 204
    assert await _question_positions(session, script["id"]) == [("comments", 0), ("issues", 1)]
    assert (await client.delete(url, headers=tenant.headers)).status_code == 404
    assert (await client.patch(url, json={"title": "x"}, headers=tenant.headers)).status_code == 404


async def test_transfers_add_update_delete(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    script = await create_script(client, tenant)
    added = await client.post(
        f"{script['uri']}/transfers",
        json={"label": "London", "phone_number": "020 7183 8750"},
        headers=tenant.headers,
    )
    assert added.status_code == 400 and added.json()["field"] == "phone_number"
    added = await client.post(
        f"{script['uri']}/transfers",
        json={"label": "London", "phone_number": "+44 20 7183 8750"},
        headers=tenant.headers,
    )
    assert added.status_code == 201, added.text
    london = added.json()
    assert london["phone_number"] == "+442071838750" and london["transfer_type"] == "warm"

    url = f"{script['uri']}/transfers/{london['id']}"
    updated = await client.patch(
        url, json={"phone_number": "415-555-2672", "transfer_type": "cold"}, headers=tenant.headers
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["phone_number"] == "+14155552672"
    assert updated.json()["label"] == "London" and updated.json()["transfer_type"] == "cold"
    bad = await client.patch(url, json={"phone_number": "1"}, headers=tenant.headers)
    assert bad.status_code == 400 and bad.json()["field"] == "phone_number"
    nulls = await client.patch(url, json={"label": None}, headers=tenant.headers)
    assert nulls.status_code == 422 and nulls.json()["errors"][0]["field"] == "label"

    first = f"{script['uri']}/transfers/{script['transfers'][0]['id']}"
    assert (await client.delete(first, headers=tenant.headers)).status_code == 204
    rows = (
        await session.execute(
            select(Transfer.label, Transfer.position).where(
                Transfer.script_id == uuid.UUID(script["id"])
            )
        )
    ).all()
    assert [tuple(row) for row in rows] == [("London", 0)]
    assert (await client.delete(first, headers=tenant.headers)).status_code == 404


async def test_parts_of_another_script_are_404(client: httpx.AsyncClient, tenant: Tenant) -> None:
    mine = await create_script(client, tenant)
    other = await create_script(client, tenant, name="Other")
    question_url = f"{other['uri']}/questions/{mine['questions'][0]['id']}"
    transfer_url = f"{other['uri']}/transfers/{mine['transfers'][0]['id']}"
    assert (
        await client.patch(question_url, json={"title": "x"}, headers=tenant.headers)
    ).status_code == 404
    assert (await client.delete(transfer_url, headers=tenant.headers)).status_code == 404


async def test_other_organization_gets_404(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    script = await create_script(client, tenant)
    question_url = f"{script['uri']}/questions/{script['questions'][0]['id']}"
    transfer_url = f"{script['uri']}/transfers/{script['transfers'][0]['id']}"
    headers = other_tenant.headers
    assert (
        await client.post(f"{script['uri']}/questions", json=ISSUES, headers=headers)
    ).status_code == 404
    transfer = {"label": "x", "phone_number": "+14155552671"}
    assert (
        await client.post(f"{script['uri']}/transfers", json=transfer, headers=headers)
    ).status_code == 404
    for url in (question_url, transfer_url):
        assert (await client.patch(url, json={}, headers=headers)).status_code == 404
        assert (await client.delete(url, headers=headers)).status_code == 404
    # Nor can it reach pieces of ours through a script of its own.
    theirs = await create_script(client, other_tenant)
    borrowed = f"{theirs['uri']}/questions/{script['questions'][0]['id']}"
    assert (await client.delete(borrowed, headers=headers)).status_code == 404
    still = (await client.get(script["uri"], headers=tenant.headers)).json()
    assert still["questions"] == script["questions"] and still["transfers"] == script["transfers"]


async def test_scopes(client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant) -> None:
    script = await create_script(client, tenant)
    reader = await make_tenant(session, "Readers", [Scope.CAMPAIGNS_READ])
    question_url = f"{script['uri']}/questions/{script['questions'][0]['id']}"
    transfer_url = f"{script['uri']}/transfers/{script['transfers'][0]['id']}"
    headers = reader.headers
    assert (
        await client.post(f"{script['uri']}/questions", json=ISSUES, headers=headers)
    ).status_code == 403
    assert (await client.patch(question_url, json={}, headers=headers)).status_code == 403
    assert (await client.delete(question_url, headers=headers)).status_code == 403
    assert (await client.patch(transfer_url, json={}, headers=headers)).status_code == 403
    assert (await client.delete(transfer_url, headers=headers)).status_code == 403
    still = (await client.get(script["uri"], headers=tenant.headers)).json()
    assert len(still["questions"]) == 2 and len(still["transfers"]) == 1
