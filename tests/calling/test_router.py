"""The caller API: logins, joining, the call journey, results and their refusals."""

import math
import uuid

from phonebank.auth.scopes import Scope
from phonebank.auth.service import create_service_account, issue_key
from phonebank.callers.models import CallerSession
from phonebank.calling.cookies import SUPERVISOR_SCOPES
from phonebank.calls.models import Answer
from phonebank.dialer.presence import FloorRules
from tests.calling.conftest import PIN, Desk, DeskMaker


async def test_password_login_sets_an_httponly_cookie_and_returns_the_csrf_token(
    desk: Desk,
) -> None:
    response = await desk.client.post(
        "/api/v1/caller/login",
        json={"email": "ROBIN@example.org", "password": "correct horse battery"},
    )
    assert response.status_code == 200
    cookie = response.headers.get_list("set-cookie")
    assert any(
        c.startswith("pb_session=") and "HttpOnly" in c and "SameSite=strict" in c for c in cookie
    )
    me = await desk.client.get("/api/v1/caller/me")
    assert me.json()["name"] == "Robin Caller"


async def test_wrong_password_and_missing_login_are_refused(desk: Desk) -> None:
    wrong = await desk.client.post(
        "/api/v1/caller/login", json={"email": "robin@example.org", "password": "nope nope nope"}
    )
    assert wrong.status_code == 401
    assert (await desk.client.get("/api/v1/caller/me")).status_code == 401
    half = await desk.client.post("/api/v1/caller/login", json={"email": "robin@example.org"})
    assert half.status_code == 422


async def test_pin_login_with_the_campaign_access_code_is_for_that_campaign(desk: Desk) -> None:
    assert desk.campaign.access_code
    response = await desk.client.post(
        "/api/v1/caller/login",
        json={"access_code": desk.campaign.access_code.lower(), "pin": PIN},
    )
    assert response.status_code == 200, response.text
    assert response.json()["campaign_id"] == str(desk.campaign.id)
    campaigns = await desk.client.get("/api/v1/caller/campaigns")
    assert [c["id"] for c in campaigns.json()] == [str(desk.campaign.id)]
    bad = await desk.client.post(
        "/api/v1/caller/login", json={"access_code": desk.campaign.access_code, "pin": "0000"}
    )
    assert bad.status_code == 401


async def test_changes_without_the_csrf_token_are_refused(desk: Desk) -> None:
    await desk.login()
    response = await desk.client.post(
        "/api/v1/caller/sessions", json={"campaign_id": str(desk.campaign.id)}
    )
    assert response.status_code == 403
    assert "X-CSRF-Token" in response.json()["detail"]


async def test_the_call_journey_stores_the_result_with_its_answers(desk: Desk) -> None:
    csrf = await desk.login()
    session_id = await desk.join(csrf)
    script = await desk.client.get(f"/api/v1/caller/sessions/{session_id}/script")
    assert [q["name"] for q in script.json()["questions"]] == ["support", "issues", "comment"]

    await desk.connect(session_id)
    view = (await desk.client.get(f"/api/v1/caller/sessions/{session_id}")).json()
    assert view["state"] == "connected"
    assert view["call_state"] == "connected"
    contact = view["contact"]
    assert contact["name"] == "Pat0 Lee" and contact["attributes"]["ward"] == "0"
    call_id = uuid.UUID(contact["call_id"])

    body = {
        "disposition": "completed",
        "answers": [
            {"question_id": str(desk.question("support").id), "responses": ["yes"]},
            {"question_id": str(desk.question("issues").id), "responses": ["housing", "transit"]},
            {"question_id": str(desk.question("comment").id), "text": "Wants a yard sign"},
        ],
        "notes": {"follow_up": "call in May"},
    }
    early = await desk.client.post(
        f"/api/v1/caller/sessions/{session_id}/result", json=body, headers=csrf
    )
    assert early.status_code == 409  # still talking

    hung = await desk.client.post(f"/api/v1/caller/sessions/{session_id}/hangup", headers=csrf)
    assert hung.status_code == 200
    await desk.run(0)
    assert desk.dialer.agents[session_id].state == "wrap_up"

    saved = await desk.client.post(
        f"/api/v1/caller/sessions/{session_id}/result", json=body, headers=csrf
    )
    assert saved.status_code == 201, saved.text
    assert saved.json()["session"]["state"] == "available"
    again = await desk.client.post(
        f"/api/v1/caller/sessions/{session_id}/result",
        json={**body, "call_id": str(call_id)},
        headers=csrf,
    )
    assert again.status_code == 200 and again.json()["created"] is False
    assert again.json()["id"] == saved.json()["id"]

    call = await desk.call(call_id)
    assert call.status == "completed"
    results = await desk.results()
    assert len(results) == 1
    answers: list[Answer] = results[0].answers
    assert sorted((a.responses, a.value or "") for a in answers) == [
        ([], "Wants a yard sign"),
        (["housing", "transit"], ""),
        (["yes"], ""),
    ]
    assert {a.person_id for a in answers} == {call.person_id}
    assert results[0].notes == {"follow_up": "call in May"}


async def _wrapped_up(desk: Desk) -> tuple[uuid.UUID, dict[str, str]]:
    csrf = await desk.login()
    session_id = await desk.join(csrf)
    await desk.connect(session_id)
    await desk.client.post(f"/api/v1/caller/sessions/{session_id}/hangup", headers=csrf)
    await desk.run(0)
    return session_id, csrf


async def test_answers_that_do_not_fit_the_question_are_refused(desk: Desk) -> None:
    session_id, csrf = await _wrapped_up(desk)
    url = f"/api/v1/caller/sessions/{session_id}/result"
    support, comment = desk.question("support").id, desk.question("comment").id
    cases = [
        ([{"question_id": str(uuid.uuid4()), "responses": ["yes"]}], "answers[0].question_id"),
        ([{"question_id": str(support), "responses": ["yes", "no"]}], "answers[0].responses"),
        ([{"question_id": str(support), "responses": ["maybe"]}], "answers[0].responses[0]"),
        ([{"question_id": str(comment), "text": "hi"}], "answers"),  # `support` is required
        (
            [
                {"question_id": str(support), "responses": ["yes"]},
                {"question_id": str(comment), "responses": ["yes"]},
            ],
            "answers[1].responses",
        ),
    ]
    for answers, field in cases:
        response = await desk.client.post(
            url, json={"disposition": "completed", "answers": answers}, headers=csrf
        )
        assert response.status_code == 400, (answers, response.text)
        assert response.json()["field"] == field
    unknown = await desk.client.post(url, json={"disposition": "fabulous"}, headers=csrf)
    assert unknown.status_code == 422
    assert await desk.results() == []


async def test_save_and_stop_ends_the_session(desk: Desk) -> None:
    session_id, csrf = await _wrapped_up(desk)
    body = {
        "disposition": "refused",
        "answers": [{"question_id": str(desk.question("support").id), "responses": ["no"]}],
        "then": "stop",
    }
    saved = await desk.client.post(
        f"/api/v1/caller/sessions/{session_id}/result", json=body, headers=csrf
    )
    assert saved.status_code == 201
    assert saved.json()["session"]["state"] == "ended"
    assert session_id not in desk.dialer.agents
    after = await desk.client.post(
        f"/api/v1/caller/sessions/{session_id}/pause", json={"paused": True}, headers=csrf
    )
    assert after.status_code == 409


async def test_transfers_warm_keeps_the_caller_cold_frees_them(desk: Desk) -> None:
    csrf = await desk.login()
    session_id = await desk.join(csrf)
    carrier_call_id = await desk.connect(session_id)
    url = f"/api/v1/caller/sessions/{session_id}/transfer"
    unknown = await desk.client.post(url, json={"transfer_id": str(uuid.uuid4())}, headers=csrf)
    assert unknown.status_code == 400 and unknown.json()["field"] == "transfer_id"

    warm = await desk.client.post(
        url, json={"transfer_id": str(desk.transfer("warm").id)}, headers=csrf
    )
    assert warm.status_code == 200
    assert warm.json()["state"] == "connected" and warm.json()["call_state"] == "transferred"
    assert desk.carrier.transfers == [(carrier_call_id, "+14155550100", True)]
    left = await desk.client.post(f"/api/v1/caller/sessions/{session_id}/hangup", headers=csrf)
    assert left.json()["state"] == "wrap_up"
    assert carrier_call_id not in desk.carrier.hangups  # the contact stays with the office


async def test_cold_transfer_frees_the_caller_at_once(desk: Desk) -> None:
    csrf = await desk.login()
    session_id = await desk.join(csrf)
    await desk.connect(session_id)
    cold = await desk.client.post(
        f"/api/v1/caller/sessions/{session_id}/transfer",
        json={"transfer_id": str(desk.transfer("cold").id)},
        headers=csrf,
    )
    assert cold.json()["state"] == "wrap_up"


async def test_a_caller_cannot_act_on_another_callers_session(desk: Desk, session) -> None:  # type: ignore[no-untyped-def]
    from phonebank.callers.models import Caller
    from phonebank.callers.service import hash_password

    csrf = await desk.login()
    session_id = await desk.join(csrf)
    other = Caller(
        organization_id=desk.tenant.organization_id,
        name="Other",
        email="other@example.org",
        password_hash=hash_password("another password"),
    )
    session.add(other)
    await session.commit()
    response = await desk.client.post(
        "/api/v1/caller/login", json={"email": "other@example.org", "password": "another password"}
    )
    other_csrf = {"X-CSRF-Token": response.json()["csrf_token"]}
    assert (await desk.client.get(f"/api/v1/caller/sessions/{session_id}")).status_code == 404
    hang = await desk.client.post(
        f"/api/v1/caller/sessions/{session_id}/hangup", headers=other_csrf
    )
    assert hang.status_code == 404


async def test_supervisors_list_kick_and_listen_in(desk: Desk) -> None:
    csrf = await desk.login()
    session_id = await desk.join(csrf)
    carrier_call_id = await desk.connect(session_id)
    headers = desk.tenant.headers

    listed = await desk.client.get(
        "/api/v1/caller_sessions", params={"campaign_id": str(desk.campaign.id)}, headers=headers
    )
    assert [(s["id"], s["state"], s["caller_name"]) for s in listed.json()] == [
        (str(session_id), "available", "Robin Caller")  # the record catches up at the next flush
    ] or listed.json()[0]["state"] == "connected"

    listen = await desk.client.post(
        f"/api/v1/caller_sessions/{session_id}/monitor", json={"mode": "listen"}, headers=headers
    )
    assert listen.status_code == 204
    assert (
        desk.carrier.monitors[0][0] == carrier_call_id and desk.carrier.monitors[0][2] == "listen"
    )

    kicked = await desk.client.post(f"/api/v1/caller_sessions/{session_id}/kick", headers=headers)
    assert kicked.status_code == 200
    assert session_id not in desk.dialer.agents
    assert carrier_call_id in desk.carrier.hangups
    acting = await desk.client.post(
        f"/api/v1/caller/sessions/{session_id}/pause", json={"paused": True}, headers=csrf
    )
    assert acting.status_code == 409 and "kicked" in acting.json()["detail"]
    again = await desk.client.post(f"/api/v1/caller_sessions/{session_id}/kick", headers=headers)
    assert again.status_code == 409


async def test_the_ledger_sums_time_per_state(desk: Desk) -> None:
    csrf = await desk.login()
    session_id = await desk.join(csrf)
    await desk.connect(session_id)
    await desk.run(30)
    await desk.client.post(f"/api/v1/caller/sessions/{session_id}/hangup", headers=csrf)
    await desk.run(5)
    ledger = await desk.client.get(
        "/api/v1/caller_sessions/ledger",
        params={"campaign_id": str(desk.campaign.id)},
        headers=desk.tenant.headers,
    )
    [entry] = ledger.json()
    assert entry["caller_id"] == str(desk.caller.id)
    assert entry["seconds"]["connected"] >= 30
    assert entry["seconds"]["wrap_up"] >= 5

    whole = await desk.client.get(
        "/api/v1/caller_sessions/ledger",
        params={"campaign_id": str(desk.campaign.id), "group": "campaign"},
        headers=desk.tenant.headers,
    )
    [total] = whole.json()
    assert total["caller_id"] is None and total["sessions"] == 1
    assert total["seconds"] == entry["seconds"]


async def _present_desk(make_desk: DeskMaker) -> tuple[Desk, dict[str, str], uuid.UUID]:
    desk = await make_desk("power", floor=FloorRules())
    csrf = await desk.login()
    return desk, csrf, await desk.join(csrf)


async def test_heartbeats_keep_a_caller_on_the_floor_and_their_absence_pauses_them(
    make_desk: DeskMaker,
) -> None:
    desk, csrf, session_id = await _present_desk(make_desk)
    url = f"/api/v1/caller/sessions/{session_id}"
    for _ in range(8):
        beat = await desk.client.post(f"{url}/heartbeat", headers=csrf)
        assert beat.status_code == 204, beat.text
        await desk.run(5)
    assert desk.dialer.agents[session_id].state != "paused"

    await desk.run(FloorRules().presence_timeout_seconds + 2)
    assert (await desk.client.get(url)).json()["state"] == "paused"
    await desk.client.post(f"{url}/heartbeat", headers=csrf)
    await desk.run(2)
    assert (await desk.client.get(url)).json()["state"] != "paused"


async def test_heartbeat_of_an_ended_session_is_refused(make_desk: DeskMaker) -> None:
    desk, csrf, session_id = await _present_desk(make_desk)
    url = f"/api/v1/caller/sessions/{session_id}"
    await desk.client.delete(url, headers=csrf)
    beat = await desk.client.post(f"{url}/heartbeat", headers=csrf)
    assert beat.status_code == 409
    assert "ended" in beat.json()["detail"]


async def test_logging_out_leaves_the_open_session_and_hangs_up_its_call(
    make_desk: DeskMaker,
) -> None:
    desk, csrf, session_id = await _present_desk(make_desk)
    carrier_call_id = await desk.connect(session_id)
    out = await desk.client.post("/api/v1/caller/logout", headers=csrf)
    assert out.status_code == 204
    await desk.run(1)

    assert session_id not in desk.dialer.agents
    assert carrier_call_id in desk.carrier.hangups
    async with desk.sessionmaker() as session:
        ended = await session.get_one(CallerSession, session_id)
        assert (ended.state, ended.end_reason) == ("ended", "logged_out")


async def test_a_result_is_saved_after_a_wrap_up_that_ran_too_long_and_the_caller_stays_paused(
    make_desk: DeskMaker,
) -> None:
    floor = FloorRules(
        presence_timeout_seconds=math.inf, absent_end_seconds=math.inf, wrap_up_max_seconds=60
    )
    desk = await make_desk("power", floor=floor)
    csrf = await desk.login()
    session_id = await desk.join(csrf)
    await desk.connect(session_id)
    url = f"/api/v1/caller/sessions/{session_id}"
    await desk.client.post(f"{url}/hangup", headers=csrf)
    await desk.run(62)
    view = (await desk.client.get(url)).json()
    assert (view["state"], view["call_state"]) == ("paused", "ended")
    assert view["contact"] is not None

    body = {
        "disposition": "completed",
        "answers": [{"question_id": str(desk.question("support").id), "responses": ["yes"]}],
    }
    saved = await desk.client.post(f"{url}/result", json=body, headers=csrf)
    assert saved.status_code == 201, saved.text
    assert saved.json()["session"]["state"] == "paused"
    assert [result.disposition for result in await desk.results()] == ["completed"]


async def _key(desk: Desk, *scopes: Scope) -> dict[str, str]:
    """Headers of a key of the desk's organization holding `scopes`."""
    async with desk.sessionmaker() as session, session.begin():
        account = await create_service_account(
            session, organization_id=desk.tenant.organization_id, name="narrow", scopes=scopes
        )
        issued = await issue_key(session, service_account=account)
    return {"Authorization": f"Bearer {issued.token}"}


async def test_supervising_is_a_scope_of_its_own_that_supervisors_hold(desk: Desk) -> None:
    """A supervisor (not an organizer) kicks and listens in; reading callers is not enough."""
    assert Scope.CALLERS_SUPERVISE in SUPERVISOR_SCOPES
    assert Scope.CALLERS_WRITE not in SUPERVISOR_SCOPES
    csrf = await desk.login()
    session_id = await desk.join(csrf)
    await desk.connect(session_id)
    reader = await _key(desk, Scope.CALLERS_READ)
    supervisor = await _key(desk, Scope.CALLERS_SUPERVISE)
    kick = f"/api/v1/caller_sessions/{session_id}/kick"
    listen = f"/api/v1/caller_sessions/{session_id}/monitor"
    assert (await desk.client.post(kick, headers=reader)).status_code == 403
    heard = await desk.client.post(listen, json={"mode": "listen"}, headers=supervisor)
    assert heard.status_code == 204
    assert (await desk.client.post(kick, headers=supervisor)).status_code == 200
