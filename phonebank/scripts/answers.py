"""Answers to script questions: checked against the question's type and responses, stored per
person, whether given on a call or at signup."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.calls.models import Answer
from phonebank.errors import Invalid
from phonebank.kit.filters import FilterExpr
from phonebank.kit.linked_rows import newest_page, one_or_not_found, owned_through
from phonebank.kit.pagination import PageParams
from phonebank.people.models import Person
from phonebank.scripts.models import Question


@dataclass(frozen=True)
class AnswerGiven:
    """One answer as a client sent it; `field` is where it sits in the request body."""

    question: Question
    responses: Sequence[str]
    value: str | None
    field: str


def check_answer(given: AnswerGiven) -> tuple[list[str], str | None]:
    """The response keys and value to store, or Invalid naming the field at fault.

    SingleChoice takes exactly one response, MultiChoice one or more (repeats count once),
    both among the question's responses (by key, or by name ignoring case); Paragraph takes a
    non-empty `value` and no responses.
    """
    question = given.question
    if question.question_type == "Paragraph":
        if given.responses:
            raise Invalid(
                "a Paragraph question is answered with `value`, not responses",
                field=f"{given.field}.responses",
            )
        if not (given.value or "").strip():
            raise Invalid("a Paragraph question needs a `value`", field=f"{given.field}.value")
        return [], given.value
    by_name = {row.name.lower(): row.key for row in question.responses}
    keys = {row.key for row in question.responses}
    chosen: list[str] = []
    for index, raw in enumerate(given.responses):
        key = raw if raw in keys else by_name.get(raw.lower())
        if key is None:
            allowed = ", ".join(sorted(keys))
            raise Invalid(
                f"{raw!r} is not a response of question {question.name!r} ({allowed})",
                field=f"{given.field}.responses[{index}]",
            )
        if key not in chosen:
            chosen.append(key)
    if not chosen:
        raise Invalid(
            f"a {question.question_type} question needs a response",
            field=f"{given.field}.responses",
        )
    if question.question_type == "SingleChoice" and len(chosen) > 1:
        raise Invalid(
            "a SingleChoice question takes exactly one response", field=f"{given.field}.responses"
        )
    return chosen, given.value


async def record_answers(
    session: AsyncSession,
    *,
    person: Person,
    answers: Sequence[AnswerGiven],
    result_id: uuid.UUID | None = None,
) -> list[Answer]:
    """Check every answer first, then store them all for the person."""
    checked = [check_answer(given) for given in answers]
    rows = [
        Answer(
            person_id=person.id,
            result_id=result_id,
            question_id=given.question.id,
            responses=responses,
            value=value,
        )
        for given, (responses, value) in zip(answers, checked, strict=True)
    ]
    session.add_all(rows)
    await session.flush()
    return rows


def _owned(organization_id: uuid.UUID) -> Select[Answer]:
    return owned_through(Answer, Person, Person.id == Answer.person_id, organization_id)


async def list_answers(
    session: AsyncSession,
    *,
    organization_id: uuid.UUID,
    params: PageParams,
    person_id: uuid.UUID | None = None,
    question_id: uuid.UUID | None = None,
    condition: FilterExpr | None = None,
) -> tuple[Sequence[Answer], int]:
    """A page of the organization's answers, newest first, optionally of one person or question."""
    return await newest_page(
        session,
        _owned(organization_id),
        model=Answer,
        params=params,
        matches=[(Answer.person_id, person_id), (Answer.question_id, question_id)],
        condition=condition,
    )


async def get_answer(
    session: AsyncSession, *, organization_id: uuid.UUID, answer_id: uuid.UUID
) -> Answer:
    """One answer of the organization, or NotFound."""
    return await one_or_not_found(
        session,
        _owned(organization_id).where(Answer.id == answer_id),
        missing=f"no answer {answer_id}",
    )
