"""Who may use the console: the browser login, its role, and the CSRF token of its forms.

Organizers have full rights; supervisors see the live floor and reports only (every editing
page and action is a 403 for them); callers cannot open the console at all.
"""

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from phonebank.auth.dependencies import DbSession
from phonebank.callers.models import Caller
from phonebank.calling.cookies import CSRF_COOKIE, SESSION_COOKIE
from phonebank.calling.models import CallerLogin
from phonebank.calling.service import login_from_token, require_csrf
from phonebank.errors import DomainError, Forbidden, Unauthorized
from phonebank.organizations.models import Organization
from phonebank.organizations.service import get_organization
from phonebank.web.router import templates


class SignInFirst(Exception):
    """No live browser login: the console shows its sign-in page."""


class NotAllowed(Exception):
    """A login whose role may not open this page or take this action."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class Missing(Exception):
    """No such object in the visitor's organization: the console's not-found page."""


@dataclass
class Visitor:
    """The person using the console, with their organization."""

    caller: Caller
    login: CallerLogin
    organization: Organization
    csrf_token: str

    @property
    def is_organizer(self) -> bool:
        """Whether they have full rights."""
        return self.caller.is_organizer


async def _visitor(request: Request, session: DbSession) -> Visitor:
    try:
        login, caller = await login_from_token(session, request.cookies.get(SESSION_COOKIE))
    except Unauthorized:
        raise SignInFirst() from None
    if not caller.is_supervisor:
        raise NotAllowed("The console is for organizers and supervisors.")
    if request.method not in {"GET", "HEAD"}:
        form = await request.form()
        token = form.get("csrf_token")
        try:
            require_csrf(
                login, method=request.method, csrf_token=token if isinstance(token, str) else None
            )
        except Forbidden:
            raise NotAllowed("This form has expired: reload the page and try again.") from None
    organization = await get_organization(session, caller.organization_id)
    return Visitor(caller, login, organization, request.cookies.get(CSRF_COOKIE, ""))


async def _organizer(visitor: Annotated[Visitor, Depends(_visitor)]) -> Visitor:
    if not visitor.is_organizer:
        raise NotAllowed("Only organizers may change this; supervisors see the floor and reports.")
    return visitor


# A supervisor or organizer (reading pages); an organizer (every editing page and action).
Watcher = Annotated[Visitor, Depends(_visitor)]
Organizer = Annotated[Visitor, Depends(_organizer)]


def page(
    request: Request, visitor: Visitor | None, name: str, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """A console page rendered for the visitor."""
    return templates.TemplateResponse(
        request,
        f"console/{name}",
        {"visitor": visitor, "section": context.pop("section", ""), **context},
        status_code=status_code,
    )


def see_other(path: str) -> RedirectResponse:
    """Where a form sends the browser after a change (so a reload does not repeat it)."""
    return RedirectResponse(path, status_code=303)


def install_access_handlers(app: FastAPI) -> None:
    """Turn the console's refusals into pages: the sign-in form, or a 403 that says why."""

    async def sign_in(request: Request, _exc: Exception) -> Response:
        if request.method in {"GET", "HEAD"} and request.url.path == "/admin":
            return templates.TemplateResponse(request, "admin_login.html", {})
        return RedirectResponse("/admin", status_code=303)

    async def refuse(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, NotAllowed)
        return page(request, None, "denied.html", status_code=403, detail=exc.detail)

    async def missing(request: Request, _exc: Exception) -> Response:
        return templates.TemplateResponse(request, "not_found.html", {}, status_code=404)

    app.add_exception_handler(SignInFirst, sign_in)
    app.add_exception_handler(Missing, missing)
    app.add_exception_handler(NotAllowed, refuse)


def field_errors(error: DomainError) -> dict[str, str]:
    """A service's refusal as {field: message} ("" when no field is at fault)."""
    return {error.field or "": error.detail}
