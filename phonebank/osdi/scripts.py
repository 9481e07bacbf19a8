"""OSDI scripts, with links to their questions."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from phonebank.auth.dependencies import DbSession, require
from phonebank.auth.scopes import Scope
from phonebank.auth.service import Principal
from phonebank.identifiers.service import add_identifiers, forget_identifiers, identifiers_of
from phonebank.kit.filters import FilterExpr
from phonebank.kit.pagination import PageParams
from phonebank.organizations.service import get_organization
from phonebank.osdi import representations as show
from phonebank.osdi.hal import (
    HalResponse,
    collection,
    foreign_only,
    notice,
    osdi_filter,
    osdi_page_params,
    validated,
)
from phonebank.osdi.schemas import ScriptIn
from phonebank.scripts import service
from phonebank.scripts.models import Script
from phonebank.scripts.schemas import ScriptCreate, ScriptUpdate

router = APIRouter(prefix="/scripts", tags=["OSDI scripts"])
Reader = Annotated[Principal, Depends(require(Scope.CAMPAIGNS_READ))]
Writer = Annotated[Principal, Depends(require(Scope.CAMPAIGNS_WRITE))]
Paging = Annotated[PageParams, Depends(osdi_page_params)]
Filter = Annotated[FilterExpr | None, Depends(osdi_filter)]
KIND = "script"
FIELDS = {"name", "description", "origin_system", "texts"}


async def _shown(session: DbSession, script: Script) -> HalResponse:
    foreign = await identifiers_of(session, kind=KIND, object_ids=[script.id])
    return HalResponse(show.script(script, foreign.get(script.id, [])))


@router.get("")
async def list_scripts(
    request: Request, principal: Reader, session: DbSession, params: Paging, condition: Filter
) -> Response:
    """Scripts, newest first; `filter` on modified_date, created_date."""
    rows, total = await service.list_scripts(
        session, organization_id=principal.organization_id, params=params, condition=condition
    )
    foreign = await identifiers_of(session, kind=KIND, object_ids=[row.id for row in rows])
    items = [show.script(row, foreign.get(row.id, [])) for row in rows]
    return HalResponse(collection(request, rel="scripts", items=items, params=params, total=total))


@router.post("")
async def create_script(body: ScriptIn, principal: Writer, session: DbSession) -> Response:
    """Create a script with its texts; add questions by posting them with an `osdi:script` link."""
    organization = await get_organization(session, principal.organization_id)
    data = validated(ScriptCreate, body.model_dump(include=FIELDS, exclude_unset=True))
    script = await service.create_script(session, organization=organization, data=data)
    await add_identifiers(
        session,
        organization_id=organization.id,
        kind=KIND,
        object_id=script.id,
        identifiers=foreign_only(body.identifiers),
    )
    if not body.control.return_response:
        return notice("The script was created.")
    return await _shown(session, script)


@router.get("/{script_id}")
async def get_script(script_id: uuid.UUID, principal: Reader, session: DbSession) -> Response:
    """One script."""
    script = await service.get_script(
        session, organization_id=principal.organization_id, script_id=script_id
    )
    return await _shown(session, script)


@router.put("/{script_id}")
async def update_script(
    script_id: uuid.UUID, body: ScriptIn, principal: Writer, session: DbSession
) -> Response:
    """Change the fields sent; `texts` sent replace the stored ones."""
    organization = await get_organization(session, principal.organization_id)
    script = await service.get_script(session, organization_id=organization.id, script_id=script_id)
    data = validated(ScriptUpdate, body.model_dump(include=FIELDS, exclude_unset=True))
    script = await service.update_script(
        session, organization=organization, script=script, data=data
    )
    await add_identifiers(
        session,
        organization_id=organization.id,
        kind=KIND,
        object_id=script.id,
        identifiers=foreign_only(body.identifiers),
    )
    return await _shown(session, script)


@router.delete("/{script_id}")
async def delete_script(script_id: uuid.UUID, principal: Writer, session: DbSession) -> Response:
    """Delete a script with its questions; phone banks using it are left without one."""
    script = await service.get_script(
        session, organization_id=principal.organization_id, script_id=script_id
    )
    await service.delete_script(session, script=script)
    await forget_identifiers(session, kind=KIND, object_id=script_id)
    return notice("This script was successfully deleted.")


@router.get("/{script_id}/questions")
async def script_questions(
    request: Request,
    script_id: uuid.UUID,
    principal: Reader,
    session: DbSession,
    params: Paging,
    condition: Filter,
) -> Response:
    """The questions of a script."""
    org_id = principal.organization_id
    await service.get_script(session, organization_id=org_id, script_id=script_id)
    rows, total = await service.list_questions(
        session, organization_id=org_id, params=params, script_id=script_id, condition=condition
    )
    foreign = await identifiers_of(session, kind="question", object_ids=[row.id for row in rows])
    items = [show.question(row, foreign.get(row.id, [])) for row in rows]
    page = collection(request, rel="questions", items=items, params=params, total=total)
    return HalResponse(page)
