"""Every route that needs credentials, found from the application itself: no credentials or
wrong ones are a 401, a key without the route's scope a 403. (Another organization's key
getting 404 on objects is swept by test_tenancy.py over every route that takes an id.)"""

import base64
import inspect
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.auth.dependencies import get_principal
from phonebank.auth.scopes import IMPLIED_BY, Scope
from phonebank.calling.cookies import SESSION_COOKIE
from phonebank.calling.dependencies import current_caller
from phonebank.obi.auth import obi_principal
from tests.conftest import Tenant, make_tenant

# How a route authenticates, by the dependency that reads its credentials.
KINDS: dict[Callable[..., Any], str] = {
    get_principal: "key",
    obi_principal: "obi",
    current_caller: "caller",
}
SCOPE_CHECKS = {"require.<locals>.check", "obi_require.<locals>.check"}


@dataclass
class Guarded:
    """A route that needs credentials: how it reads them and the scopes it asks for."""

    method: str
    path: str
    kind: str
    scopes: tuple[Scope, ...]

    @property
    def url(self) -> str:
        """The path with every parameter filled by an id nobody has."""
        return re.sub(r"\{[^}]+\}", str(uuid.uuid4()), self.path)


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for dependency in dependant.dependencies:
        if dependency.call is not None:
            yield dependency.call
        yield from _calls(dependency)


def _scopes(check: Callable[..., Any]) -> tuple[Scope, ...]:
    names = inspect.getclosurevars(check).nonlocals
    return (names["scope"],) if "scope" in names else tuple(names["scopes"])


def guarded_routes(app: FastAPI) -> list[Guarded]:
    """Every HTTP route of `app` whose dependencies read credentials."""
    found = []
    for route in iter_route_contexts(app.routes):
        if not isinstance(route.original_route, APIRoute) or not route.path or not route.methods:
            continue
        calls = list(_calls(route.dependant))
        kinds = {KINDS[call] for call in calls if call in KINDS}
        if not kinds:
            continue
        assert len(kinds) == 1, (route.path, kinds)
        scopes = tuple(
            scope
            for call in calls
            if getattr(call, "__qualname__", "") in SCOPE_CHECKS
            for scope in _scopes(call)
        )
        kind = next(iter(kinds))
        for method in sorted(route.methods - {"HEAD", "OPTIONS"}):
            found.append(Guarded(method, route.path, kind, scopes))
    return found


def _wrong_credentials(route: Guarded, tenant: Tenant) -> list[dict[str, str]]:
    """Headers that must not pass: unknown, malformed, a right id's wrong secret, a made-up
    login cookie."""
    if route.kind == "caller":
        return [{"Cookie": f"{SESSION_COOKIE}=not-a-login"}]
    wrong_secret = f"pb_{tenant.key_id}_not-its-secret"
    headers = [
        {"Authorization": "Bearer pb_0000000000000000_unknown"},
        {"Authorization": "Bearer not-a-key"},
        {"Authorization": f"Bearer {wrong_secret}"},
    ]
    if route.kind == "obi":
        basic = base64.b64encode(f"{uuid.uuid4()}:{tenant.token}".encode()).decode()
        headers.append({"Authorization": f"Basic {basic}"})
    else:
        # Key routes also take an organizer's browser login instead of a key.
        headers += [{"OSDI-API-Token": wrong_secret}, {"Cookie": f"{SESSION_COOKIE}=not-a-login"}]
    return headers


def test_routes_are_found(app: FastAPI) -> None:
    routes = guarded_routes(app)
    kinds = {route.kind for route in routes}
    assert kinds == {"key", "obi", "caller"}
    assert len(routes) > 150
    # Every key route asks for a scope, but the two that only tell a key who it belongs to.
    unscoped = {(r.method, r.path) for r in routes if r.kind == "key" and not r.scopes}
    assert unscoped == {("GET", "/api/v1/organization"), ("GET", "/osdi/v1/")}


def test_the_document_declares_how_every_route_authenticates(app: FastAPI) -> None:
    paths = app.openapi()["paths"]
    for route in guarded_routes(app):
        operation = paths.get(route.path, {}).get(route.method.lower())
        if operation is None:
            continue  # kept out of the document (pages, provider webhooks)
        assert operation.get("security"), (route.method, route.path)
        assert "401" in operation["responses"], (route.method, route.path)


async def test_every_route_refuses_missing_and_wrong_credentials(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    for route in guarded_routes(app):
        response = await client.request(route.method, route.url)
        assert response.status_code == 401, (route.method, route.path, response.text)
        for headers in _wrong_credentials(route, tenant):
            response = await client.request(route.method, route.url, headers=headers)
            assert response.status_code == 401, (route.method, route.path, headers)


async def test_every_route_refuses_a_key_without_its_scope(
    app: FastAPI, client: httpx.AsyncClient, session: AsyncSession
) -> None:
    keys: dict[Scope, Tenant] = {}
    checked = 0
    for route in guarded_routes(app):
        for scope in route.scopes:
            if scope not in keys:
                # Every scope but this one, and those that hold it (`admin`, IMPLIED_BY).
                holders = {scope, Scope.ADMIN, IMPLIED_BY.get(scope)}
                others = [s for s in Scope if s not in holders]
                keys[scope] = await make_tenant(session, f"without {scope}", others)
            response = await client.request(route.method, route.url, headers=keys[scope].headers)
            assert response.status_code == 403, (route.method, route.path, scope, response.text)
            checked += 1
    assert checked > 120
