"""Scripts API: the whole nested document."""

import copy
import uuid
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.auth.scopes import Scope
from phonebank.scripts.models import Question, QuestionResponse, ScriptText, Transfer
from tests.conftest import Tenant, make_tenant
from tests.scripts.helpers import SCRIPT, create_script


async def _post(client: httpx.AsyncClient, tenant: Tenant, body: dict[str, Any]) -> httpx.Response:
    return await client.post("/api/v1/scripts", json=body, headers=tenant.headers)


async def test_create_returns_the_nested_document(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    script = await create_script(client, tenant)
    assert script["uri"] == f"http://testserver/api/v1/scripts/{script['id']}"
    assert script["name"] == "Get out the vote" and script["origin_system"] == "crm"
    assert script["selected_fields"] == ["given_name", "phone_number", "custom_fields.district"]
    assert [t["title"] for t in script["texts"]] == ["Intro", None]
    support, comments = script["questions"]
    assert support["question_type"] == "SingleChoice" and support["required"] is True
    assert [(r["key"], r["name"]) for r in support["responses"]] == [("yes", "Yes"), ("no", "No")]
    assert all(uuid.UUID(r["id"]) for r in support["responses"])
    assert comments["responses"] == [] and comments["required"] is False
    assert script["note_fields"][0]["name"] == "Best time to call"
    transfer = script["transfers"][0]
    assert transfer["phone_number"] == "+14155552671" and transfer["transfer_type"] == "cold"

    positions = (
        await session.execute(
            select(Question.name, Question.position)
            .where(Question.script_id == uuid.UUID(script["id"]))
            .order_by(Question.position)
        )
    ).all()
    assert [tuple(row) for row in positions] == [("support", 0), ("comments", 1)]
    text_positions = await session.scalars(
        select(ScriptText.position).where(ScriptText.script_id == uuid.UUID(script["id"]))
    )
    assert sorted(text_positions) == [0, 1]

    fetched = await client.get(script["uri"], headers=tenant.headers)
    assert fetched.status_code == 200
    assert fetched.json()["questions"] == script["questions"]


async def test_minimal_script_and_list(client: httpx.AsyncClient, tenant: Tenant) -> None:
    first = await _post(client, tenant, {"name": "Bare"})
    assert first.status_code == 201, first.text
    assert first.json()["questions"] == [] and first.json()["selected_fields"] == []
    second = await create_script(client, tenant)
    page = (await client.get("/api/v1/scripts?per_page=1", headers=tenant.headers)).json()
    assert page["total"] == 2 and page["total_pages"] == 2
    assert page["items"][0]["id"] == second["id"]
    assert page["items"][0]["transfers"][0]["phone_number"] == "+14155552671"
    assert "page=2" in page["links"]["next"]


async def test_bad_selected_field_is_422_naming_the_index(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    body = {**SCRIPT, "selected_fields": ["given_name", "password", "custom_fields."]}
    response = await _post(client, tenant, body)
    assert response.status_code == 422
    fields = {error["field"] for error in response.json()["errors"]}
    assert fields == {"selected_fields[1]", "selected_fields[2]"}


async def test_choice_question_needs_two_responses(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    body = copy.deepcopy(SCRIPT)
    body["questions"][0]["responses"] = [{"key": "yes", "name": "Yes"}]
    response = await _post(client, tenant, body)
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["field"] == "questions[0].responses"


async def test_response_keys_must_be_unique(client: httpx.AsyncClient, tenant: Tenant) -> None:
    body = copy.deepcopy(SCRIPT)
    body["questions"][0]["responses"].append({"key": "yes", "name": "Yes again"})
    response = await _post(client, tenant, body)
    assert response.status_code == 400
    assert response.json()["field"] == "questions[0].responses[2].key"


async def test_paragraph_question_takes_no_responses(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    body = copy.deepcopy(SCRIPT)
    body["questions"][1]["responses"] = [{"key": "a", "name": "A"}]
    response = await _post(client, tenant, body)
    assert response.status_code == 400
    assert response.json()["field"] == "questions[1].responses"


async def test_question_names_are_unique(client: httpx.AsyncClient, tenant: Tenant) -> None:
    body = copy.deepcopy(SCRIPT)
    body["questions"][1]["name"] = "support"
    response = await _post(client, tenant, body)
    assert response.status_code == 400
    assert response.json()["field"] == "questions[1].name"


async def test_bad_transfer_number_is_400_naming_it(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    body = {
        **SCRIPT,
        "transfers": [
            {"label": "Ok", "phone_number": "+442071838750"},
            {"label": "Bad", "phone_number": "555"},
        ],
    }
    response = await _post(client, tenant, body)
    assert response.status_code == 400
    assert response.json()["field"] == "transfers[1].phone_number"
    assert (await client.get("/api/v1/scripts", headers=tenant.headers)).json()["total"] == 0


async def test_request_shape_errors_are_422(client: httpx.AsyncClient, tenant: Tenant) -> None:
    body = copy.deepcopy(SCRIPT)
    body["questions"][0]["question_type"] = "Ranking"
    body["transfers"][0]["transfer_type"] = "lukewarm"
    body["texts"][0]["content"] = ""
    body["colour"] = "blue"
    response = await _post(client, tenant, body)
    assert response.status_code == 422
    fields = {error["field"] for error in response.json()["errors"]}
    assert fields == {
        "questions[0].question_type",
        "transfers[0].transfer_type",
        "texts[0].content",
        "colour",
    }


async def test_patch_replaces_given_lists_only(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    script = await create_script(client, tenant)
    support = script["questions"][0]
    patch = {
        "name": "Renamed",
        "texts": [{"content": "Only text"}],
        "questions": [
            {"name": "volunteer", "question_type": "Paragraph"},
            {
                "name": "support",
                "question_type": "MultiChoice",
                "responses": [
                    {"key": "maybe", "name": "Maybe"},
                    {"key": "yes", "name": "Yes!"},
                ],
            },
        ],
    }
    updated = await client.patch(script["uri"], json=patch, headers=tenant.headers)
    assert updated.status_code == 200, updated.text
    body = updated.json()
    assert body["name"] == "Renamed" and body["description"] == "Weekend canvass follow-up"
    assert [t["content"] for t in body["texts"]] == ["Only text"]
    assert [q["name"] for q in body["questions"]] == ["volunteer", "support"]
    kept = body["questions"][1]
    # A question kept by name keeps its id, and so does a response kept by key.
    assert kept["id"] == support["id"] and kept["question_type"] == "MultiChoice"
    assert [r["key"] for r in kept["responses"]] == ["maybe", "yes"]
    assert kept["responses"][1]["id"] == support["responses"][0]["id"]
    assert kept["responses"][1]["name"] == "Yes!"
    assert body["transfers"] == script["transfers"]
    assert body["note_fields"] == script["note_fields"]
    assert body["selected_fields"] == script["selected_fields"]
    assert body["modified_at"] >= script["modified_at"]

    stored_keys = await session.scalars(
        select(QuestionResponse.key).where(QuestionResponse.question_id == uuid.UUID(kept["id"]))
    )
    assert sorted(stored_keys) == ["maybe", "yes"]
    gone = await session.get(Question, uuid.UUID(script["questions"][1]["id"]))
    assert gone is None


async def test_patch_transfers_and_clearing(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    script = await create_script(client, tenant)
    patch = {
        "transfers": [
            {"label": "London", "phone_number": "+44 20 7183 8750"},
            {"label": "Office", "phone_number": "4155552671", "transfer_type": "cold"},
        ],
        "note_fields": [],
        "selected_fields": ["email_address", "email_address"],
    }
    updated = await client.patch(script["uri"], json=patch, headers=tenant.headers)
    assert updated.status_code == 200, updated.text
    body = updated.json()
    assert [t["phone_number"] for t in body["transfers"]] == ["+442071838750", "+14155552671"]
    assert body["transfers"][0]["transfer_type"] == "warm"
    assert body["note_fields"] == [] and body["selected_fields"] == ["email_address"]
    positions = await session.scalars(
        select(Transfer.position)
        .where(Transfer.script_id == uuid.UUID(script["id"]))
        .order_by(Transfer.phone_number)
    )
    assert list(positions) == [1, 0]


async def test_patch_validation(client: httpx.AsyncClient, tenant: Tenant) -> None:
    script = await create_script(client, tenant)
    bad_number = await client.patch(
        script["uri"],
        json={"transfers": [{"label": "x", "phone_number": "12"}]},
        headers=tenant.headers,
    )
    assert bad_number.status_code == 400
    assert bad_number.json()["field"] == "transfers[0].phone_number"
    nulls = await client.patch(
        script["uri"], json={"name": None, "questions": None}, headers=tenant.headers
    )
    assert nulls.status_code == 422
    assert {e["field"] for e in nulls.json()["errors"]} == {"name", "questions"}
    unchanged = (await client.get(script["uri"], headers=tenant.headers)).json()
    assert unchanged["name"] == SCRIPT["name"]
    assert unchanged["transfers"][0]["phone_number"] == "+14155552671"


async def test_delete(client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant) -> None:
    script = await create_script(client, tenant)
    assert (await client.delete(script["uri"], headers=tenant.headers)).status_code == 204
    assert (await client.get(script["uri"], headers=tenant.headers)).status_code == 404
    assert await session.get(Question, uuid.UUID(script["questions"][0]["id"])) is None


async def test_other_organization_gets_404(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    script = await create_script(client, tenant)
    for method in ("GET", "PATCH", "DELETE"):
        body = {"name": "stolen"} if method == "PATCH" else None
        response = await client.request(
            method, script["uri"], json=body, headers=other_tenant.headers
        )
        assert response.status_code == 404, method
    listed = await client.get("/api/v1/scripts", headers=other_tenant.headers)
    assert listed.json()["total"] == 0
    assert (await client.get(script["uri"], headers=tenant.headers)).json()["name"] == SCRIPT[
        "name"
    ]


async def test_scopes(client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant) -> None:
    script = await create_script(client, tenant)
    reader = await make_tenant(session, "Readers", [Scope.CAMPAIGNS_READ])
    writer = await make_tenant(session, "Writers", [Scope.CAMPAIGNS_WRITE])
    outsider = await make_tenant(session, "People only", [Scope.PEOPLE_WRITE])
    assert (await client.get("/api/v1/scripts", headers=reader.headers)).status_code == 200
    assert (await _post(client, reader, SCRIPT)).status_code == 403
    assert (await client.patch(script["uri"], json={}, headers=reader.headers)).status_code == 403
    assert (await client.delete(script["uri"], headers=reader.headers)).status_code == 403
    assert (await _post(client, writer, SCRIPT)).status_code == 201
    assert (await client.get("/api/v1/scripts", headers=writer.headers)).status_code == 403
    denied = await client.get("/api/v1/scripts", headers=outsider.headers)
    assert denied.status_code == 403
    assert denied.headers["content-type"] == "application/problem+json"
