"""Roles in the console, enforced by the server: organizers change, supervisors watch, callers
stay out. Every editing route is found from the routes themselves, so a new one is covered."""

import re
from collections.abc import Iterator

import httpx
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from phonebank.app import create_app
from phonebank.web.console.access import _organizer
from tests.servers import Server
from tests.web.console.conftest import Organization, browser_login


def _needs(dependant: Dependant, wanted: object) -> bool:
    return any(d.call is wanted or _needs(d, wanted) for d in dependant.dependencies)


def _routes() -> Iterator[tuple[str, str, bool]]:
    """(method, path, organizers only) of every console route."""
    for route in iter_route_contexts(create_app().routes):
        if not isinstance(route.original_route, APIRoute) or not route.path.startswith("/admin"):
            continue
        for method in sorted(route.methods):
            yield method, route.path, _needs(route.dependant, _organizer)


def _fill(path: str, ids: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda match: ids[match[1]], path)


def _objects(server: Server, organization: Organization) -> dict[str, str]:
    with organization.api(server) as api:
        script = api.post("/api/v1/scripts", json={"name": "Script"}).json()
        campaign = api.post(
            "/api/v1/campaigns", json={"name": "Campaign", "script_id": script["id"]}
        ).json()
        caller = api.post("/api/v1/callers", json={"name": "Robin"}).json()
        blocked = api.post("/api/v1/blocked_numbers", json={"number": "+14155550100"}).json()
    return {
        "blocked_number_id": blocked["id"],
        "campaign_id": campaign["id"],
        "script_id": script["id"],
        "caller_id": caller["id"],
        "action": "start",
    }


def test_every_editing_route_is_for_organizers_only(console_server: Server) -> None:
    editing = {(m, p) for m, p, organizers_only in _routes() if organizers_only}
    # Every change is an organizer's, except leaving; the editing pages are theirs too.
    assert {(m, p) for m, p, _ in _routes() if m == "POST"} - editing == {("POST", "/admin/logout")}
    assert ("GET", "/admin/campaigns/new") in editing
    assert ("GET", "/admin/scripts/{script_id}") in editing
    assert ("GET", "/admin/callers") in editing
    watching = {p for m, p, organizers_only in _routes() if not organizers_only and m == "GET"}
    assert watching == {
        "/admin",
        "/admin/floor",
        "/admin/reports",
        "/admin/campaigns/{campaign_id}",
    }


def test_a_supervisor_watches_and_gets_403_on_every_editing_route(
    console_server: Server, organization: Organization
) -> None:
    ids = _objects(console_server, organization)
    with browser_login(console_server, organization.supervisor) as supervisor:
        csrf = supervisor.cookies["pb_csrf"]
        for method, path, organizers_only in _routes():
            url = _fill(path, ids)
            if method == "POST" and path == "/admin/logout":
                continue
            answer = (
                supervisor.post(url, data={"csrf_token": csrf, "name": "Changed"})
                if method == "POST"
                else supervisor.get(url)
            )
            expected = 403 if organizers_only else 200
            assert answer.status_code == expected, (method, url, answer.text[:300])
            if organizers_only:
                assert "Only organizers may change this" in answer.text
        floor = supervisor.get("/admin/floor")
        assert "Live floor" in floor.text and 'href="/admin/scripts"' not in floor.text
        campaign = supervisor.get(f"/admin/campaigns/{ids['campaign_id']}")
        assert "Edit settings" not in campaign.text and "Start</button>" not in campaign.text
        # The API refuses their changes too, whatever a page shows.
        headers = {"X-CSRF-Token": csrf}
        started = supervisor.post(f"/api/v1/campaigns/{ids['campaign_id']}/start", headers=headers)
        assert started.status_code == 403
        created = supervisor.post("/api/v1/scripts", json={"name": "Mine"}, headers=headers)
        assert created.status_code == 403
        assert supervisor.get(f"/api/v1/campaigns/{ids['campaign_id']}").status_code == 200
    with organization.api(console_server) as api:
        campaign_now = api.get(f"/api/v1/campaigns/{ids['campaign_id']}").json()
        script_now = api.get(f"/api/v1/scripts/{ids['script_id']}").json()
    assert campaign_now["status"] == "draft" and campaign_now["name"] == "Campaign"
    assert script_now["name"] == "Script"
    with organization.api(console_server) as api:
        robin = api.get(f"/api/v1/callers/{ids['caller_id']}").json()
    assert robin["name"] == "Robin" and robin["active"] is True


def test_a_caller_cannot_open_the_console(
    console_server: Server, organization: Organization
) -> None:
    ids = _objects(console_server, organization)
    with browser_login(console_server, organization.caller) as caller:
        csrf = caller.cookies["pb_csrf"]
        for method, path, _ in _routes():
            url = _fill(path, ids)
            answer = (
                caller.post(url, data={"csrf_token": csrf}) if method == "POST" else caller.get(url)
            )
            assert answer.status_code == 403, (method, url)
            assert "The console is for organizers and supervisors." in answer.text


def test_a_form_without_its_login_token_changes_nothing(
    console_server: Server, organization: Organization
) -> None:
    ids = _objects(console_server, organization)
    with browser_login(console_server, organization.organizer) as organizer:
        refused = organizer.post(f"/admin/campaigns/{ids['campaign_id']}/start", data={})
        assert refused.status_code == 403 and "This form has expired" in refused.text
        forged = organizer.post(
            f"/admin/campaigns/{ids['campaign_id']}/start", data={"csrf_token": "forged"}
        )
        assert forged.status_code == 403
        started = organizer.post(
            f"/admin/campaigns/{ids['campaign_id']}/start",
            data={"csrf_token": organizer.cookies["pb_csrf"]},
        )
        assert started.status_code == 303
    with httpx.Client(base_url=console_server.base_url) as stranger:
        assert "Organizer login" in stranger.get("/admin").text
        moved = stranger.get(f"/admin/campaigns/{ids['campaign_id']}")
        assert moved.status_code == 303 and moved.headers["location"] == "/admin"
