"""FastAPI dependencies that turn request credentials into a Principal and check scopes."""

from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, APIKeyQuery, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.auth.scopes import Scope
from phonebank.auth.service import Principal, authenticate, split_token
from phonebank.calling.cookies import CSRF_HEADER, SESSION_COOKIE, supervisor_principal
from phonebank.calling.service import login_from_token, require_csrf
from phonebank.db import get_db_session
from phonebank.errors import Forbidden, Unauthorized
from phonebank.kit.ratelimit import check_rate

# Declared as security schemes so /docs offers every accepted way to authenticate.
_bearer = HTTPBearer(auto_error=False, description="`Authorization: Bearer pb_<id>_<secret>`")
_osdi_token = APIKeyHeader(name="OSDI-API-Token", auto_error=False)
_osdi_token_query = APIKeyQuery(name="osdi-api-token", auto_error=False)
_api_key_query = APIKeyQuery(name="api_key", auto_error=False, description="Impact Dialing id")
_api_auth_query = APIKeyQuery(name="api_auth", auto_error=False, description="its secret")

T = TypeVar("T")
DbSession = Annotated[AsyncSession, Depends(get_db_session, scope="function")]


async def get_principal(
    request: Request,
    session: DbSession,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    osdi_token: Annotated[str | None, Depends(_osdi_token)],
    osdi_token_query: Annotated[str | None, Depends(_osdi_token_query)],
    api_key: Annotated[str | None, Depends(_api_key_query)],
    api_auth: Annotated[str | None, Depends(_api_auth_query)],
) -> Principal:
    """Authenticate by Bearer token, OSDI-API-Token (header or `osdi-api-token` query), or the
    api_key + api_auth pair; then count the request against the key's rate limit."""
    return await counted(
        request,
        _identify(request, session, bearer, osdi_token or osdi_token_query, api_key, api_auth),
    )


def client_address(request: Request) -> str:
    """The client's address (the proxy's client, when the proxy is trusted)."""
    return request.client.host if request.client is not None else "unknown"


async def counted(
    request: Request,
    identify: Awaitable[T],
    key: Callable[[T], str] = lambda principal: str(principal.service_account_id),  # type: ignore[attr-defined]
) -> T:
    """Who `identify` proves, the request counted against their key's (or login's) rate
    limit; a failed authentication counts against the client's address instead."""
    limiter = getattr(request.app.state, "rate_limiter", None)
    try:
        found = await identify
    except Unauthorized:
        await check_rate(
            limiter, f"address:{client_address(request)}", what="this address (failing to log in)"
        )
        raise
    request.state.rate_limit = await check_rate(limiter, key(found))
    return found


async def _identify(
    request: Request,
    session: AsyncSession,
    bearer: HTTPAuthorizationCredentials | None,
    osdi_token: str | None,
    api_key: str | None,
    api_auth: str | None,
) -> Principal:
    api_key = api_key or request.headers.get("api_key") or request.headers.get("api-key")
    api_auth = api_auth or request.headers.get("api_auth") or request.headers.get("api-auth")
    if api_key and api_auth:
        return await authenticate(session, key_id=api_key, secret=api_auth)
    token = bearer.credentials if bearer else osdi_token
    if not token and request.cookies.get(SESSION_COOKIE):
        return await _browser_supervisor(request, session)
    if not token:
        raise Unauthorized(
            "authentication required: send `Authorization: Bearer <key>`, "
            "`OSDI-API-Token: <key>`, or `api_key` and `api_auth`"
        )
    parts = split_token(token)
    if parts is None:
        raise Unauthorized("malformed API key")
    return await authenticate(session, key_id=parts[0], secret=parts[1])


async def _browser_supervisor(request: Request, session: AsyncSession) -> Principal:
    # The dashboard calls the native API with the organizer's browser login instead of a key.
    login, caller = await login_from_token(session, request.cookies.get(SESSION_COOKIE))
    require_csrf(login, method=request.method, csrf_token=request.headers.get(CSRF_HEADER))
    return supervisor_principal(caller)


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


def require(scope: Scope) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that admits only principals holding `scope` (or `admin`)."""

    async def check(principal: CurrentPrincipal) -> Principal:
        if not principal.has(scope):
            raise Forbidden(f"this API key lacks the `{scope}` scope")
        return principal

    return check
