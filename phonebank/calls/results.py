"""Results: a caller's disposition of a contact, with answers checked against the script.

A result is stored once per attempt (the `attempt_id` is unique), together with the call's new
status, in the caller's request transaction: a result is never half saved, and saving twice
returns the first one.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.blocked_numbers.schemas import BlockedNumberBulkCreate
from phonebank.blocked_numbers.service import add_blocked_numbers
from phonebank.calls.models import Answer, Attempt, Call, Result
from phonebank.calls.service import mark_completed
from phonebank.errors import Invalid
from phonebank.organizations.models import Organization
from phonebank.scripts.models import Question, Script

# The dispositions callers choose from. Every one completes the call except `call_back`
# (tried again later) and `do_not_call` also blocks the number in the organization.
DISPOSITIONS = (
    "completed",
    "refused",
    "not_available",
    "wrong_number",
    "call_back",
    "do_not_call",
)
CALL_BACK_AFTER = timedelta(hours=4)


@dataclass(frozen=True)
class GivenAnswer:
    """What the caller answered to one question: response keys, or text for a Paragraph."""

    question_id: uuid.UUID
    responses: Sequence[str] = ()
    text: str | None = None


def check_answers(script: Script | None, answers: Sequence[GivenAnswer]) -> list[Answer]:
    """The answer rows for `answers`, each checked against its question's type and responses."""
    questions: dict[uuid.UUID, Question] = {q.id: q for q in (script.questions if script else [])}
    rows: list[Answer] = []
    seen: set[uuid.UUID] = set()
    for index, given in enumerate(answers):
        field = f"answers[{index}]"
        question = questions.get(given.question_id)
        if question is None:
            raise Invalid("no such question in the campaign's script", field=f"{field}.question_id")
        if question.id in seen:
            raise Invalid("the question is answered twice", field=f"{field}.question_id")
        seen.add(question.id)
        rows.extend(_answer_rows(question, given, field=field))
    for question in questions.values():
        if question.required and question.id not in seen:
            raise Invalid(f"question {question.name!r} must be answered", field="answers")
    return rows


def _answer_rows(question: Question, given: GivenAnswer, *, field: str) -> list[Answer]:
    if question.question_type == "Paragraph":
        if given.responses:
            raise Invalid("a Paragraph question takes text, not responses", field=field)
        return [Answer(question_id=question.id, value=given.text or "")]
    if given.text is not None:
        raise Invalid(f"a {question.question_type} question takes responses", field=field)
    by_key = {response.key: response for response in question.responses}
    if question.question_type == "SingleChoice" and len(given.responses) != 1:
        raise Invalid("a SingleChoice question takes exactly one response", field=field)
    if not given.responses or len(set(given.responses)) != len(given.responses):
        raise Invalid("give one or more distinct responses", field=field)
    rows = []
    for key in given.responses:
        response = by_key.get(key)
        if response is None:
            raise Invalid(f"{key!r} is not a response of this question", field=f"{field}.responses")
        rows.append(Answer(question_id=question.id, response_id=response.id, value=key))
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
    rows = check_answers(script, answers)
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
    if call.status == "requested":
        if disposition == "call_back":
            call.next_call_at = now + CALL_BACK_AFTER
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
    return result, True
