"""OSDI questions and answers."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Response

from phonebank.auth.dependencies import DbSession, require
from phonebank.auth.scopes import Scope
from phonebank.auth.service import Principal
from phonebank.identifiers.service import forget_identifiers
from phonebank.organizations.service import get_organization
from phonebank.osdi import representations as show
from phonebank.osdi.hal import HalResponse, id_from_reference, notice, validated
from phonebank.osdi.routing import Listing, created, keep_identifiers, shown_with_ids
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
KIND = "question"


async def _shown(session: DbSession, question: Question) -> HalResponse:
    return await shown_with_ids(session, question, kind=KIND, shown=show.question)


@router.get("/questions")
async def list_questions(principal: Reader, session: DbSession, listing: Listing) -> Response:
    """Questions of every script, newest first; `filter` on modified_date, created_date."""
    found = await scripts.list_questions(
        session,
        organization_id=principal.organization_id,
        params=listing.params,
        condition=listing.condition,
    )
    return await listing.page_with_ids(session, "questions", found, kind=KIND, shown=show.question)


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
    return await created(
        session,
        question,
        organization_id=organization.id,
        kind=KIND,
        body=body,
        done="The question was created.",
        respond=_shown,
    )


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
    await keep_identifiers(
        session, organization_id=org_id, kind=KIND, object_id=question.id, sent=body.identifiers
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
    question_id: uuid.UUID, principal: PeopleReader, session: DbSession, listing: Listing
) -> Response:
    """The answers given to a question, newest first."""
    org_id = principal.organization_id
    await scripts.get_question(session, organization_id=org_id, question_id=question_id)
    found = await answers.list_answers(
        session,
        organization_id=org_id,
        params=listing.params,
        question_id=question_id,
        condition=listing.condition,
    )
    return listing.page("answers", found, show.answer)


@router.get("/answers")
async def list_answers(principal: PeopleReader, session: DbSession, listing: Listing) -> Response:
    """Every answer, newest first; `filter` on modified_date, created_date."""
    found = await answers.list_answers(
        session,
        organization_id=principal.organization_id,
        params=listing.params,
        condition=listing.condition,
    )
    return listing.page("answers", found, show.answer)


@router.get("/answers/{answer_id}")
async def get_answer(answer_id: uuid.UUID, principal: PeopleReader, session: DbSession) -> Response:
    """One answer."""
    answer = await answers.get_answer(
        session, organization_id=principal.organization_id, answer_id=answer_id
    )
    return HalResponse(show.answer(answer))
