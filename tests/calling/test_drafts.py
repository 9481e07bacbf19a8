"""Drafts of the caller API: kept per session and call, handed back, dropped with the result."""

import uuid

from tests.calling.conftest import Desk


async def test_a_draft_is_kept_until_the_result_is_saved(desk: Desk) -> None:
    csrf = await desk.login()
    session_id = await desk.join(csrf)
    await desk.connect(session_id)
    call_id = desk.dialer.agents[session_id].dial.placed.call_id  # type: ignore[union-attr]
    support = str(desk.question("support").id)
    draft = {"answers": {support: ["yes"]}, "notes": {"notes": "kind"}, "disposition": None}
    path = f"/api/v1/caller/sessions/{session_id}/drafts/{call_id}"

    kept = await desk.client.put(path, json=draft, headers=csrf)
    assert kept.status_code == 200, kept.text
    assert kept.json()["contact_name"] == "Pat0 Lee"
    again = await desk.client.get(path)
    assert again.json()["answers"] == {support: ["yes"]} and again.json()["notes"] == {
        "notes": "kind"
    }
    unsaved = (await desk.client.get("/api/v1/caller/drafts")).json()
    assert [item["call_id"] for item in unsaved] == [str(call_id)]

    await desk.client.post(f"/api/v1/caller/sessions/{session_id}/hangup", headers=csrf)
    await desk.run(0)
    saved = await desk.client.post(
        f"/api/v1/caller/sessions/{session_id}/result",
        json={
            "disposition": "completed",
            "answers": [{"question_id": support, "responses": ["yes"]}],
        },
        headers=csrf,
    )
    assert saved.status_code == 201, saved.text
    assert (await desk.client.get("/api/v1/caller/drafts")).json() == []
    assert (await desk.client.get(path)).status_code == 404


async def test_a_draft_needs_a_dialed_call_of_the_campaign_and_the_csrf_token(desk: Desk) -> None:
    csrf = await desk.login()
    session_id = await desk.join(csrf)
    path = f"/api/v1/caller/sessions/{session_id}/drafts/{uuid.uuid4()}"
    missing = await desk.client.put(path, json={}, headers=csrf)
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    unsigned = await desk.client.put(path, json={})
    assert unsigned.status_code in (401, 403)
    too_long = await desk.client.put(path, json={"notes": {"notes": "x" * 10001}}, headers=csrf)
    assert too_long.status_code == 422
