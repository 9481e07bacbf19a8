"""Results: a caller's disposition of a contact, with answers checked against the script.

A result is stored once per attempt (the `attempt_id` is unique), together with the call's new
status and the person's answers, in the caller's request transaction: a result is never half
saved, and saving twice returns the first one. Results are read with the person they were about.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.blocked_numbers.schemas import BlockedNumberBulkCreate
from phonebank.blocked_numbers.service import add_blocked_numbers
from phonebank.calls.models import Answer, Attempt, Call, Result
from phonebank.calls.service import (
    CallFields,
    campaign_max_attempts,
    conclude_attempt,
    mark_completed,
    status_events,
)
from phonebank.campaigns.models import Campaign
from phonebank.errors import Invalid, NotFound
from phonebank.kit.filters import FilterExpr, compile_filter, timestamp_filters
from phonebank.kit.pagination import PageParams
from phonebank.organizations.models import Organization
from phonebank.scripts.answers import AnswerGiven, check_answer
from phonebank.scripts.models import Question, Script
from phonebank.webhooks.outbox import Event, campaign_scope, record_events

# The dispositions callers choose from. Every one completes the call except `call_back`
# (tried again later) and `voicemail` (a machine answered: the attempt's outcome is `machine`,
# retried by the campaign's policy); `do_not_call` also blocks the number in the organization.
DISPOSITIONS = (
    "completed",
    "refused",
    "not_available",
    "wrong_number",
    "call_back",
    "do_not_call",
    "voicemail",
)
# Dispositions of a conversation: the caller talked with the contact.
CONVERSATION_DISPOSITIONS = frozenset({"completed", "refused", "call_back", "do_not_call"})
CALL_BACK_AFTER = timedelta(hours=4)


def result_event(result: Result, call: CallFields) -> Event:
    """The `result.created` event of a stored result (flushed: it has its id)."""
    return Event(
        organization_id=call.organization_id,
        type="result.created",
        data={
            "result_id": result.id,
            "call_id": call.id,
            "attempt_id": result.attempt_id,
            "campaign_id": call.campaign_id,
            "person_id": call.person_id,
            "caller_id": result.caller_id,
            "disposition": result.disposition,
            "call_status": call.status,
            "answers": [
                {"question_id": answer.question_id, "responses": answer.responses,
                 "value": answer.value}
                for answer in result.answers
            ],
        },
        scopes=(campaign_scope(call.campaign_id),),
    )  # fmt: skip


@dataclass(frozen=True)
class GivenAnswer:
    """What the caller answered to one question: response keys, or text for a Paragraph."""

    question_id: uuid.UUID
    responses: Sequence[str] = ()
    text: str | None = None


def check_answers(
    script: Script | None,
    person_id: uuid.UUID,
    answers: Sequence[GivenAnswer],
    *,
    talked: bool = True,
) -> list[Answer]:
    """The person's answer rows, each checked against its question (in the campaign's script).

    Required questions must be answered only when the caller `talked` with the person: a
    voicemail, or nobody there, answers nothing.
    """
    questions: dict[uuid.UUID, Question] = {q.id: q for q in (script.questions if script else [])}
    rows: list[Answer] = []
    for index, given in enumerate(answers):
        field = f"answers[{index}]"
        question = questions.get(given.question_id)
        if question is None:
            raise Invalid("no such question in the campaign's script", field=f"{field}.question_id")
        if any(row.question_id == question.id for row in rows):
            raise Invalid("the question is answered twice", field=f"{field}.question_id")
        responses, value = check_answer(
            AnswerGiven(question=question, responses=given.responses, value=given.text, field=field)
        )
        rows.append(
            Answer(person_id=person_id, question_id=question.id, responses=responses, value=value)
        )
    answered = {row.question_id for row in rows}
    for question in questions.values() if talked else ():
        if question.required and question.id not in answered:
            raise Invalid(f"question {question.name!r} must be answered", field="answers")
    return rows


async def result_of_attempt(session: AsyncSession, attempt_id: uuid.UUID) -> Result | None:
    """The result already saved for an attempt, if any."""
    return await session.scalar(select(Result).where(Result.attempt_id == attempt_id))


async def record_result(
    session: AsyncSession,
    *,
    organization: Organization,
    call: Call,
    attempt: Attempt,
    caller_id: uuid.UUID | None,
    script: Script | None,
    disposition: str,
    answers: Sequence[GivenAnswer],
    notes: dict[str, str],
    now: datetime,
) -> tuple[Result, bool]:
    """Store the result of an attempt and move its call on; (result, whether it is new)."""
    if disposition not in DISPOSITIONS:
        raise Invalid(f"disposition must be one of {', '.join(DISPOSITIONS)}", field="disposition")
    rows = check_answers(
        script, call.person_id, answers, talked=disposition in CONVERSATION_DISPOSITIONS
    )
    known_notes = {field.name for field in (script.note_fields if script else [])}
    for name in notes:
        if name != "notes" and name not in known_notes:
            raise Invalid(f"no note field {name!r} in the script", field=f"notes.{name}")
    existing = await result_of_attempt(session, attempt.id)
    if existing is not None:
        return existing, False
    result = Result(
        call_id=call.id,
        campaign_id=call.campaign_id,
        attempt_id=attempt.id,
        caller_id=caller_id,
        disposition=disposition,
        notes=dict(notes),
        answers=rows,
    )
    session.add(result)
    machine = disposition == "voicemail"
    if attempt.outcome is None or machine:
        # The dialer writes outcomes in batches; the result proves the talk happened (or that
        # a machine answered), so a crash before the dialer's next write cannot leave this
        # attempt without one, nor a voicemail counted as a conversation.
        attempt.outcome = "machine" if machine else "human"
        attempt.caller_id = attempt.caller_id or caller_id
        attempt.ended_at = attempt.ended_at or now
    previous = call.status
    if call.status == "requested":
        if disposition == "call_back":
            call.next_call_at = now + CALL_BACK_AFTER
        elif machine:
            # Tried again as any machine answer is: the campaign's wait, or MAXCALLS.
            campaign = await session.get_one(Campaign, call.campaign_id)
            conclude_attempt(
                call,
                campaign,
                max_attempts=await campaign_max_attempts(session, campaign),
                outcome="machine",
                at=now,
                now=now,
            )
        else:
            summary = {"disposition": disposition, "result_id": str(result.id)}
            mark_completed(call, user_uuid=None, result=summary, completed_at=now)
    if disposition == "do_not_call" and attempt.number is not None:
        await add_blocked_numbers(
            session,
            organization=organization,
            data=BlockedNumberBulkCreate(numbers=[attempt.number], reason="asked not to be called"),
        )
    await session.flush()
    await record_events(session, [result_event(result, call), *status_events(call, previous)])
    return result, True


@dataclass(frozen=True)
class ResultWithPerson:
    """A result and the person its call was to; reads through to the result's fields."""

    result: Result
    person_id: uuid.UUID

    def __getattr__(self, name: str) -> Any:
        return getattr(self.result, name)


def _owned(organization_id: uuid.UUID) -> Select[Result, uuid.UUID]:
    return (
        select(Result, Call.person_id)
        .join(Call, Call.id == Result.call_id)
        .where(Call.organization_id == organization_id)
    )


async def list_results(
    session: AsyncSession,
    *,
    organization_id: uuid.UUID,
    params: PageParams,
    campaign_id: uuid.UUID | None = None,
    person_id: uuid.UUID | None = None,
    condition: FilterExpr | None = None,
) -> tuple[list[ResultWithPerson], int]:
    """A page of the organization's results, newest first, of one campaign or person if given."""
    statement = _owned(organization_id)
    if campaign_id is not None:
        statement = statement.where(Result.campaign_id == campaign_id)
    if person_id is not None:
        statement = statement.where(Call.person_id == person_id)
    if condition is not None:
        statement = statement.where(compile_filter(condition, timestamp_filters(Result)))
    total = await session.scalar(select(func.count()).select_from(statement.subquery()))
    rows = await session.execute(
        statement.order_by(Result.created_at.desc(), Result.id)
        .limit(params.per_page)
        .offset(params.offset)
    )
    return [ResultWithPerson(result, person) for result, person in rows], int(total or 0)


async def get_result(
    session: AsyncSession, *, organization_id: uuid.UUID, result_id: uuid.UUID
) -> ResultWithPerson:
    """One result of the organization, or NotFound."""
    row = (await session.execute(_owned(organization_id).where(Result.id == result_id))).first()
    if row is None:
        raise NotFound(f"no result {result_id}")
    return ResultWithPerson(row[0], row[1])
