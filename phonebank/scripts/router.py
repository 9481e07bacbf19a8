"""Scripts: `/api/v1/scripts`, with `questions` and `transfers` editable one at a time."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status

from phonebank.auth.dependencies import DbSession, require
from phonebank.auth.scopes import Scope
from phonebank.auth.service import Principal
from phonebank.kit.pagination import Page, PageParams, build_page, page_params
from phonebank.organizations.service import get_organization
from phonebank.scripts import service
from phonebank.scripts.schemas import (
    QuestionIn,
    QuestionOut,
    QuestionUpdate,
    ScriptCreate,
    ScriptOut,
    ScriptUpdate,
    TransferIn,
    TransferOut,
    TransferUpdate,
)

router = APIRouter(prefix="/scripts", tags=["scripts"])
Reader = Annotated[Principal, Depends(require(Scope.CAMPAIGNS_READ))]
Writer = Annotated[Principal, Depends(require(Scope.CAMPAIGNS_WRITE))]


@router.get("", response_model=Page[ScriptOut])
async def list_scripts(
    request: Request,
    principal: Reader,
    session: DbSession,
    params: Annotated[PageParams, Depends(page_params)],
) -> Page[ScriptOut]:
    """List scripts, newest first."""
    rows, total = await service.list_scripts(
        session, organization_id=principal.organization_id, params=params
    )
    return build_page(request, params, rows, total, ScriptOut)


@router.post("", response_model=ScriptOut, status_code=status.HTTP_201_CREATED)
async def create_script(body: ScriptCreate, principal: Writer, session: DbSession) -> object:
    """Create a script with its texts, questions, note fields and transfers."""
    organization = await get_organization(session, principal.organization_id)
    return await service.create_script(session, organization=organization, data=body)


@router.get("/{script_id}", response_model=ScriptOut)
async def get_script(script_id: uuid.UUID, principal: Reader, session: DbSession) -> object:
    """One script, whole."""
    return await service.get_script(
        session, organization_id=principal.organization_id, script_id=script_id
    )


@router.patch("/{script_id}", response_model=ScriptOut)
async def update_script(
    script_id: uuid.UUID, body: ScriptUpdate, principal: Writer, session: DbSession
) -> object:
    """Change a script; lists given replace the stored ones (questions kept by name)."""
    organization = await get_organization(session, principal.organization_id)
    script = await service.get_script(session, organization_id=organization.id, script_id=script_id)
    return await service.update_script(session, organization=organization, script=script, data=body)


@router.delete("/{script_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_script(script_id: uuid.UUID, principal: Writer, session: DbSession) -> Response:
    """Delete a script and its elements."""
    script = await service.get_script(
        session, organization_id=principal.organization_id, script_id=script_id
    )
    await service.delete_script(session, script=script)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{script_id}/questions", response_model=QuestionOut, status_code=status.HTTP_201_CREATED
)
async def add_question(
    script_id: uuid.UUID, body: QuestionIn, principal: Writer, session: DbSession
) -> object:
    """Append a question to a script."""
    script = await service.get_script(
        session, organization_id=principal.organization_id, script_id=script_id
    )
    return await service.add_question(session, script=script, data=body)


@router.patch("/{script_id}/questions/{question_id}", response_model=QuestionOut)
async def update_question(
    script_id: uuid.UUID,
    question_id: uuid.UUID,
    body: QuestionUpdate,
    principal: Writer,
    session: DbSession,
) -> object:
    """Change one question of a script; responses given replace the stored ones."""
    script = await service.get_script(
        session, organization_id=principal.organization_id, script_id=script_id
    )
    question = service.find_question(script, question_id=question_id)
    return await service.update_question(session, script=script, question=question, data=body)


@router.delete("/{script_id}/questions/{question_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_question(
    script_id: uuid.UUID, question_id: uuid.UUID, principal: Writer, session: DbSession
) -> Response:
    """Remove one question from a script, with the answers recorded for it."""
    script = await service.get_script(
        session, organization_id=principal.organization_id, script_id=script_id
    )
    question = service.find_question(script, question_id=question_id)
    await service.delete_question(session, script=script, question=question)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{script_id}/transfers", response_model=TransferOut, status_code=status.HTTP_201_CREATED
)
async def add_transfer(
    script_id: uuid.UUID, body: TransferIn, principal: Writer, session: DbSession
) -> object:
    """Append a transfer to a script; its number is stored in E.164."""
    organization = await get_organization(session, principal.organization_id)
    script = await service.get_script(session, organization_id=organization.id, script_id=script_id)
    return await service.add_transfer(session, organization=organization, script=script, data=body)


@router.patch("/{script_id}/transfers/{transfer_id}", response_model=TransferOut)
async def update_transfer(
    script_id: uuid.UUID,
    transfer_id: uuid.UUID,
    body: TransferUpdate,
    principal: Writer,
    session: DbSession,
) -> object:
    """Change one transfer of a script."""
    organization = await get_organization(session, principal.organization_id)
    script = await service.get_script(session, organization_id=organization.id, script_id=script_id)
    transfer = service.find_transfer(script, transfer_id=transfer_id)
    return await service.update_transfer(
        session, organization=organization, script=script, transfer=transfer, data=body
    )


@router.delete("/{script_id}/transfers/{transfer_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_transfer(
    script_id: uuid.UUID, transfer_id: uuid.UUID, principal: Writer, session: DbSession
) -> Response:
    """Remove one transfer from a script."""
    script = await service.get_script(
        session, organization_id=principal.organization_id, script_id=script_id
    )
    transfer = service.find_transfer(script, transfer_id=transfer_id)
    await service.delete_transfer(session, script=script, transfer=transfer)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
