"""OSDI scripts, with links to their questions."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Response

from phonebank.auth.dependencies import DbSession, require
from phonebank.auth.scopes import Scope
from phonebank.auth.service import Principal
from phonebank.identifiers.service import forget_identifiers
from phonebank.organizations.service import get_organization
from phonebank.osdi import representations as show
from phonebank.osdi.hal import HalResponse, notice, validated
from phonebank.osdi.questions import KIND as QUESTION_KIND
from phonebank.osdi.routing import Listing, created, keep_identifiers, shown_with_ids
from phonebank.osdi.schemas import ScriptIn
from phonebank.scripts import service
from phonebank.scripts.models import Script
from phonebank.scripts.schemas import ScriptCreate, ScriptUpdate

router = APIRouter(prefix="/scripts", tags=["OSDI scripts"])
Reader = Annotated[Principal, Depends(require(Scope.CAMPAIGNS_READ))]
Writer = Annotated[Principal, Depends(require(Scope.CAMPAIGNS_WRITE))]
KIND = "script"
FIELDS = {"name", "description", "origin_system", "texts"}


async def _shown(session: DbSession, script: Script) -> HalResponse:
    return await shown_with_ids(session, script, kind=KIND, shown=show.script)


@router.get("")
async def list_scripts(principal: Reader, session: DbSession, listing: Listing) -> Response:
    """Scripts, newest first; `filter` on modified_date, created_date."""
    found = await service.list_scripts(
        session,
        organization_id=principal.organization_id,
        params=listing.params,
        condition=listing.condition,
    )
    return await listing.page_with_ids(session, "scripts", found, kind=KIND, shown=show.script)


@router.post("")
async def create_script(body: ScriptIn, principal: Writer, session: DbSession) -> Response:
    """Create a script with its texts; add questions by posting them with an `osdi:script` link."""
    organization = await get_organization(session, principal.organization_id)
    data = validated(ScriptCreate, body.model_dump(include=FIELDS, exclude_unset=True))
    script = await service.create_script(session, organization=organization, data=data)
    return await created(
        session,
        script,
        organization_id=organization.id,
        kind=KIND,
        body=body,
        done="The script was created.",
        respond=_shown,
    )


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
    await keep_identifiers(
        session,
        organization_id=organization.id,
        kind=KIND,
        object_id=script.id,
        sent=body.identifiers,
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
    script_id: uuid.UUID, principal: Reader, session: DbSession, listing: Listing
) -> Response:
    """The questions of a script."""
    org_id = principal.organization_id
    await service.get_script(session, organization_id=org_id, script_id=script_id)
    found = await service.list_questions(
        session,
        organization_id=org_id,
        params=listing.params,
        script_id=script_id,
        condition=listing.condition,
    )
    return await listing.page_with_ids(
        session, "questions", found, kind=QUESTION_KIND, shown=show.question
    )
