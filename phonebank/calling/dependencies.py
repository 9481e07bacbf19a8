"""Who is calling the caller API: the browser login in the session cookie, CSRF-checked."""

from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request, WebSocket
from fastapi.security import APIKeyCookie

from phonebank.auth.dependencies import DbSession, counted
from phonebank.callers.models import Caller
from phonebank.calling.cookies import CSRF_HEADER, SESSION_COOKIE
from phonebank.calling.models import CallerLogin
from phonebank.calling.service import login_from_token, require_csrf


@dataclass(frozen=True)
class CallerAuth:
    """A logged-in caller and the login they came with."""

    login: CallerLogin
    caller: Caller


# Declared as a security scheme so the API's document shows how callers authenticate.
_session_cookie = APIKeyCookie(
    name=SESSION_COOKIE, auto_error=False, description="A caller's browser login"
)


async def current_caller(
    request: Request,
    session: DbSession,
    token: Annotated[str | None, Depends(_session_cookie)],
) -> CallerAuth:
    """The caller of the session cookie; changes must also carry the login's CSRF token."""
    login, caller = await counted(
        request, login_from_token(session, token), key=lambda found: f"login:{found[0].id}"
    )
    require_csrf(login, method=request.method, csrf_token=request.headers.get(CSRF_HEADER))
    return CallerAuth(login, caller)


CurrentCaller = Annotated[CallerAuth, Depends(current_caller)]


def same_origin(websocket: WebSocket) -> bool:
    """Whether a WebSocket comes from a page of this server (cookies alone do not prove it)."""
    origin = websocket.headers.get("origin")
    if origin is None:
        return True  # not a browser: it cannot be a cross-site page
    return urlsplit(origin).netloc == websocket.headers.get("host")
