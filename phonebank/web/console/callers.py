"""Caller pages: callers (passwords, PINs, phones-only, roles, deactivation) and caller groups.

Every change goes through `callers.service`, as the API's; the forms only translate.
"""

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from phonebank.auth.dependencies import DbSession
from phonebank.callers import service
from phonebank.callers.models import Caller
from phonebank.callers.schemas import CallerCreate, CallerGroupCreate, CallerUpdate
from phonebank.errors import DomainError, NotFound
from phonebank.kit.pagination import PageParams
from phonebank.web.console.access import Missing, Organizer, Visitor, page, see_other
from phonebank.web.console.forms import FormErrors, checked, text, validated

router = APIRouter(prefix="/admin")
EVERYTHING = PageParams(1, 200)
ROLES = (
    ("caller", "Caller: calls only"),
    ("supervisor", "Supervisor: also watches the live floor and reports"),
    ("organizer", "Organizer: runs the console with full rights"),
)
_TEXTS = ("name", "email", "phone_number", "caller_group_id")


def _role(caller: Caller | None) -> str:
    if caller is None or not caller.is_supervisor:
        return "caller"
    return "organizer" if caller.is_organizer else "supervisor"


def _body(form: Any, *, creating: bool) -> dict[str, Any]:
    """The API body of the caller form: a blank password or PIN keeps the stored one."""
    body: dict[str, Any] = {name: text(form, name) for name in _TEXTS}
    for secret in ("password", "pin"):
        value = form.get(secret)
        if isinstance(value, str) and value:
            body[secret] = value
        elif checked(form, f"remove_{secret}"):
            body[secret] = None
    role = form.get("role")
    body["is_supervisor"] = role in {"supervisor", "organizer"}
    body["is_organizer"] = role == "organizer"
    body["phones_only"] = checked(form, "phones_only")
    if not creating:
        body["active"] = checked(form, "active")
    return {k: v for k, v in body.items() if v is not None} if creating else body


def _values(caller: Caller | None) -> dict[str, Any]:
    if caller is None:
        return {"role": "caller", "active": True}
    return {
        **{name: getattr(caller, name) or "" for name in _TEXTS},
        "role": _role(caller),
        "phones_only": caller.phones_only,
        "active": caller.active,
        "has_password": caller.has_password,
        "has_pin": caller.has_pin,
    }


async def _groups(session: DbSession, visitor: Visitor) -> list[Any]:
    groups, _ = await service.list_caller_groups(
        session, organization_id=visitor.organization.id, params=EVERYTHING
    )
    return list(groups)


async def _caller(session: DbSession, visitor: Visitor, caller_id: uuid.UUID) -> Caller:
    try:
        return await service.get_caller(
            session, organization_id=visitor.organization.id, caller_id=caller_id
        )
    except NotFound:
        raise Missing() from None


async def _list_page(
    request: Request,
    session: DbSession,
    visitor: Visitor,
    *,
    group_errors: FormErrors | None = None,
    group_name: str = "",
    status_code: int = 200,
) -> Response:
    callers, _ = await service.list_callers(
        session, organization_id=visitor.organization.id, params=EVERYTHING
    )
    groups = await _groups(session, visitor)
    return page(
        request,
        visitor,
        "callers.html",
        status_code=status_code,
        section="callers",
        callers=callers,
        groups=groups,
        group_names={group.id: group.name for group in groups},
        roles=dict(ROLES),
        role_of=_role,
        errors=group_errors or FormErrors(),
        group_name=group_name,
    )


@router.get("/callers")
async def callers_page(request: Request, session: DbSession, visitor: Organizer) -> Response:
    """The organization's callers and caller groups."""
    return await _list_page(request, session, visitor)


@router.post("/caller_groups/new")
async def create_group(request: Request, session: DbSession, visitor: Organizer) -> Response:
    """Create a caller group, or show the list again with the error beside the name."""
    form = await request.form()
    errors = FormErrors()
    body = {k: v for k, v in {"name": text(form, "name")}.items() if v is not None}
    data = validated(CallerGroupCreate, body, errors)
    if data is not None:
        try:
            async with session.begin_nested():
                await service.create_caller_group(
                    session, organization_id=visitor.organization.id, data=data
                )
            return see_other("/admin/callers")
        except DomainError as error:
            errors.add_domain(error)
    return await _list_page(
        request,
        session,
        visitor,
        group_errors=errors,
        group_name=str(form.get("name") or ""),
        status_code=400,
    )


async def _form(
    request: Request,
    session: DbSession,
    visitor: Visitor,
    *,
    caller: Caller | None,
    values: dict[str, Any],
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    return page(
        request,
        visitor,
        "caller_form.html",
        status_code=status_code,
        section="callers",
        caller=caller,
        values=values,
        errors=errors or FormErrors(),
        groups=await _groups(session, visitor),
        roles=ROLES,
    )


async def _submit(
    request: Request, session: DbSession, visitor: Visitor, caller: Caller | None
) -> Response:
    form = await request.form()
    errors = FormErrors()
    model = CallerCreate if caller is None else CallerUpdate
    data = validated(model, _body(form, creating=caller is None), errors)
    if data is not None:
        try:
            async with session.begin_nested():
                if isinstance(data, CallerCreate):
                    await service.create_caller(
                        session, organization=visitor.organization, data=data
                    )
                else:
                    assert caller is not None and isinstance(data, CallerUpdate)
                    await service.update_caller(
                        session, organization=visitor.organization, caller=caller, data=data
                    )
            return see_other("/admin/callers")
        except DomainError as error:
            errors.add_domain(error)
            if caller is not None:
                await session.refresh(caller)
    values: dict[str, Any] = {name: form.get(name) or "" for name in (*_TEXTS, "role")}
    values |= {
        "phones_only": checked(form, "phones_only"),
        "active": checked(form, "active") if caller is not None else True,
    }
    if caller is not None:
        values |= {"has_password": caller.has_password, "has_pin": caller.has_pin}
    return await _form(
        request, session, visitor, caller=caller, values=values, errors=errors, status_code=400
    )


@router.get("/callers/new")
async def new_caller(request: Request, session: DbSession, visitor: Organizer) -> Response:
    """The form of a new caller."""
    return await _form(request, session, visitor, caller=None, values=_values(None))


@router.post("/callers/new")
async def create_caller(request: Request, session: DbSession, visitor: Organizer) -> Response:
    """Create the caller, or show the form again with each error beside its field."""
    return await _submit(request, session, visitor, None)


@router.get("/callers/{caller_id}")
async def edit_caller(
    caller_id: uuid.UUID, request: Request, session: DbSession, visitor: Organizer
) -> Response:
    """A caller's details, role, password and PIN."""
    caller = await _caller(session, visitor, caller_id)
    return await _form(request, session, visitor, caller=caller, values=_values(caller))


@router.post("/callers/{caller_id}")
async def update_caller(
    caller_id: uuid.UUID, request: Request, session: DbSession, visitor: Organizer
) -> Response:
    """Save the caller, or show the form again with each error beside its field."""
    return await _submit(request, session, visitor, await _caller(session, visitor, caller_id))


@router.post("/callers/{caller_id}/deactivate")
async def deactivate_caller(
    caller_id: uuid.UUID, session: DbSession, visitor: Organizer
) -> Response:
    """Deactivate the caller: they can no longer log in; their calls and results stay."""
    await service.deactivate_caller(session, caller=await _caller(session, visitor, caller_id))
    return see_other("/admin/callers")
