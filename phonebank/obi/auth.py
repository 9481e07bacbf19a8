"""Who is calling OBI: HTTP Basic (service account and API key) or a Bearer key."""

import base64
import binascii
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPBasic
from starlette.exceptions import HTTPException

from phonebank.auth.dependencies import DbSession, counted
from phonebank.auth.scopes import Scope
from phonebank.auth.service import Principal, authenticate, authenticate_basic, split_token
from phonebank.errors import Forbidden, Unauthorized

# Declared so /docs offers Basic; the header is read below to give OBI's own 401.
_basic = HTTPBasic(auto_error=False, description="user: service account id, password: API key")
_CHALLENGE = {"WWW-Authenticate": 'Basic realm="OBI", Bearer'}


async def _principal(request: Request, session: DbSession) -> Principal:
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(credentials.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            raise Unauthorized("malformed Basic credentials") from None
        username, _, password = decoded.partition(":")
        return await authenticate_basic(session, username=username, password=password)
    if scheme.lower() == "bearer":
        parts = split_token(credentials)
        if parts is None:
            raise Unauthorized("malformed API key")
        return await authenticate(session, key_id=parts[0], secret=parts[1])
    raise Unauthorized(
        "authentication required: HTTP Basic (service account id, API key) or a Bearer key"
    )


async def obi_principal(
    request: Request, session: DbSession, _declared: Annotated[object, Depends(_basic)]
) -> Principal:
    """The principal behind the request's Basic or Bearer credentials (401 with a challenge)."""
    try:
        return await counted(request, _principal(request, session))
    except Unauthorized as error:
        raise HTTPException(401, error.detail, headers=_CHALLENGE) from None


def obi_require(*scopes: Scope) -> Callable[..., Awaitable[Principal]]:
    """A dependency admitting OBI callers that hold every one of `scopes` (or `admin`)."""

    async def check(principal: Annotated[Principal, Depends(obi_principal)]) -> Principal:
        for scope in scopes:
            if not principal.has(scope):
                raise Forbidden(f"this API key lacks the `{scope}` scope")
        return principal

    return check


CampaignReader = Annotated[Principal, Depends(obi_require(Scope.CAMPAIGNS_READ))]
CampaignWriter = Annotated[Principal, Depends(obi_require(Scope.CAMPAIGNS_WRITE))]
CustomerReader = Annotated[Principal, Depends(obi_require(Scope.CALLS_READ))]
CustomerWriter = Annotated[Principal, Depends(obi_require(Scope.CALLS_WRITE))]
StatisticsReader = Annotated[Principal, Depends(obi_require(Scope.STATS_READ))]
