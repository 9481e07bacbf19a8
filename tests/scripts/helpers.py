"""A complete script body shared by the script tests."""

from typing import Any

import httpx

from tests.conftest import Tenant

SCRIPT: dict[str, Any] = {
    "name": "Get out the vote",
    "description": "Weekend canvass follow-up",
    "origin_system": "crm",
    "selected_fields": ["given_name", "phone_number", "custom_fields.district"],
    "texts": [
        {"title": "Intro", "content": "Hi, this is a volunteer."},
        {"content": "Thanks for your time."},
    ],
    "questions": [
        {
            "name": "support",
            "title": "Will you support us?",
            "question_type": "SingleChoice",
            "required": True,
            "responses": [{"key": "yes", "name": "Yes"}, {"key": "no", "name": "No"}],
        },
        {"name": "comments", "title": "Anything else?", "question_type": "Paragraph"},
    ],
    "note_fields": [{"name": "Best time to call"}],
    "transfers": [{"label": "Office", "phone_number": "(415) 555-2671", "transfer_type": "cold"}],
}


async def create_script(client: httpx.AsyncClient, tenant: Tenant, **fields: Any) -> dict[str, Any]:
    """Create a script through the API and return its body."""
    response = await client.post(
        "/api/v1/scripts", json={**SCRIPT, **fields}, headers=tenant.headers
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body
