"""OSDI questions and answers."""

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
    id_from_reference,
    notice,
    osdi_filter,
    osdi_page_params,
    validated,
)
from phonebank.osdi.schemas import QuestionIn
from phonebank.scripts import answers
from phonebank.scripts import service as scripts
from phonebank.scripts.models import Question
from phonebank.scripts.schemas import QuestionIn as NativeQuestion
from phonebank.scripts.schemas import QuestionUpdate, ScriptCreate

router = APIRouter(tags=["OSDI questions"])
Reader = Annotated[Principal, Depends(require(Scope.CAMPAIGNS_READ))]
Writer = Annotated[Principal, Depends(require(Scope.CAMPAIGNS_WRITE))]
PeopleReader = Annotated[Principal, Depends(require(Scope.PEOPLE_READ))]
Paging = Annotated[PageParams, Depends(osdi_page_params)]
Filter = Annotated[FilterExpr | None, Depends(osdi_filter)]
KIND = "question"


async def _shown(session: DbSession, question: Question) -> HalResponse:
    foreign = await identifiers_of(session, kind=KIND, object_ids=[question.id])
    return HalResponse(show.question(question, foreign.get(question.id, [])))


@router.get("/questions")
async def list_questions(
    request: Request, principal: Reader, session: DbSession, params: Paging, condition: Filter
) -> Response:
    """Questions of every script, newest first; `filter` on modified_date, created_date."""
    rows, total = await scripts.list_questions(
        session, organization_id=principal.organization_id, params=params, condition=condition
    )
    foreign = await identifiers_of(session, kind=KIND, object_ids=[row.id for row in rows])
    items = [show.question(row, foreign.get(row.id, [])) for row in rows]
    return HalResponse(
        collection(request, rel="questions", items=items, params=params, total=total)
    )


@router.post("/questions")
async def create_question(body: QuestionIn, principal: Writer, session: DbSession) -> Response:
    """Create a question in the script linked as `osdi:script`, or in a script of its own."""
    organization = await get_organization(session, principal.organization_id)
    data = body.native()
    data.setdefault("name", body.title)
    native = validated(NativeQuestion, data)
    script_href = body.link_href("osdi:script")
    if script_href is None:
        script = await scripts.create_script(
            session,
            organization=organization,
            data=ScriptCreate(name=native.name, questions=[native]),
        )
        question = script.questions[0]
    else:
        script_id = id_from_reference(script_href, collection="scripts", field="_links.osdi:script")
        script = await scripts.get_script(
            session, organization_id=organization.id, script_id=script_id
        )
        question = await scripts.add_question(session, script=script, data=native)
    await add_identifiers(
        session,
        organization_id=organization.id,
        kind=KIND,
        object_id=question.id,
        identifiers=foreign_only(body.identifiers),
    )
    if not body.control.return_response:
        return notice("The question was created.")
    return await _shown(session, question)


@router.get("/questions/{question_id}")
async def get_question(question_id: uuid.UUID, principal: Reader, session: DbSession) -> Response:
    """One question with its responses."""
    question = await scripts.get_question(
        session, organization_id=principal.organization_id, question_id=question_id
    )
    return await _shown(session, question)


@router.put("/questions/{question_id}")
async def update_question(
    question_id: uuid.UUID, body: QuestionIn, principal: Writer, session: DbSession
) -> Response:
    """Change the fields sent; responses sent replace the stored ones."""
    org_id = principal.organization_id
    question = await scripts.get_question(session, organization_id=org_id, question_id=question_id)
    script = await scripts.get_script(session, organization_id=org_id, script_id=question.script_id)
    question = await scripts.update_question(
        session, script=script, question=question, data=validated(QuestionUpdate, body.native())
    )
    await add_identifiers(
        session,
        organization_id=org_id,
        kind=KIND,
        object_id=question.id,
        identifiers=foreign_only(body.identifiers),
    )
    return await _shown(session, question)


@router.delete("/questions/{question_id}")
async def delete_question(
    question_id: uuid.UUID, principal: Writer, session: DbSession
) -> Response:
    """Delete a question with its answers."""
    org_id = principal.organization_id
    question = await scripts.get_question(session, organization_id=org_id, question_id=question_id)
    script = await scripts.get_script(session, organization_id=org_id, script_id=question.script_id)
    await scripts.delete_question(session, script=script, question=question)
    await forget_identifiers(session, kind=KIND, object_id=question_id)
    return notice("This question was successfully deleted.")


@router.get("/questions/{question_id}/answers")
async def question_answers(
    request: Request,
    question_id: uuid.UUID,
    principal: PeopleReader,
    session: DbSession,
    params: Paging,
    condition: Filter,
) -> Response:
    """The answers given to a question, newest first."""
    org_id = principal.organization_id
    await scripts.get_question(session, organization_id=org_id, question_id=question_id)
    rows, total = await answers.list_answers(
        session, organization_id=org_id, params=params, question_id=question_id, condition=condition
    )
    items = [show.answer(row) for row in rows]
    return HalResponse(collection(request, rel="answers", items=items, params=params, total=total))


@router.get("/answers")
async def list_answers(
    request: Request, principal: PeopleReader, session: DbSession, params: Paging, condition: Filter
) -> Response:
    """Every answer, newest first; `filter` on modified_date, created_date."""
    rows, total = await answers.list_answers(
        session, organization_id=principal.organization_id, params=params, condition=condition
    )
    items = [show.answer(row) for row in rows]
    return HalResponse(collection(request, rel="answers", items=items, params=params, total=total))


@router.get("/answers/{answer_id}")
async def get_answer(answer_id: uuid.UUID, principal: PeopleReader, session: DbSession) -> Response:
    """One answer."""
    answer = await answers.get_answer(
        session, organization_id=principal.organization_id, answer_id=answer_id
    )
    return HalResponse(show.answer(answer))
