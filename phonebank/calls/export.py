"""A campaign's results as rows: one per result, with its contact, answers and attempts.

The same rows feed the dashboard's table, the API's CSV export and the command line. CSV cells
that a spreadsheet would run as formulas are escaped.
"""

import csv
import io
import re
import uuid
from collections.abc import AsyncIterator, Iterable
from datetime import datetime

from pydantic import Field
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.callers.models import Caller
from phonebank.calls.models import Answer, Call, Result
from phonebank.kit.schemas import Schema
from phonebank.people.models import Person
from phonebank.scripts.models import Question

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A plain number (a phone number in E.164, a negative count) is data, not a formula.
NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")
BATCH = 500


class ResultRow(Schema):
    """One saved result with its contact, answers (by question name) and attempts."""

    result_id: uuid.UUID
    saved_at: datetime
    call_id: uuid.UUID
    person_id: uuid.UUID
    name: str
    phone_number: str | None
    disposition: str
    caller: str | None
    attempts: int
    call_status: str
    notes: dict[str, str]
    answers: dict[str, str] = Field(default_factory=dict)


def _statement(campaign_id: uuid.UUID):  # type: ignore[no-untyped-def]
    return (
        select(Result, Call, Person, Caller.name)
        .join(Call, Call.id == Result.call_id)
        .join(Person, Person.id == Call.person_id)
        .outerjoin(Caller, Caller.id == Result.caller_id)
        .where(Result.campaign_id == campaign_id)
        .order_by(Result.created_at.desc(), Result.id)
    )


async def count_results(session: AsyncSession, campaign_id: uuid.UUID) -> int:
    """How many results the campaign has."""
    return int(
        await session.scalar(
            select(func.count()).select_from(Result).where(Result.campaign_id == campaign_id)
        )
        or 0
    )


async def result_rows(
    session: AsyncSession, campaign_id: uuid.UUID, *, offset: int = 0, limit: int = BATCH
) -> list[ResultRow]:
    """A page of the campaign's results, newest first."""
    rows = []
    fetched = await session.execute(_statement(campaign_id).offset(offset).limit(limit))
    for result, call, person, caller_name in fetched:
        name = " ".join(p for p in (person.given_name, person.family_name) if p)
        rows.append(
            ResultRow(
                result_id=result.id,
                saved_at=result.created_at,
                call_id=call.id,
                person_id=person.id,
                name=name,
                phone_number=call.numbers[0] if call.numbers else None,
                disposition=result.disposition,
                caller=caller_name,
                attempts=call.attempts_count,
                call_status=call.status,
                notes={str(k): str(v) for k, v in (result.notes or {}).items()},
            )
        )
    await _fill_answers(session, rows)
    return rows


async def _fill_answers(session: AsyncSession, rows: list[ResultRow]) -> None:
    by_id = {row.result_id: row for row in rows}
    if not by_id:
        return
    answers = await session.execute(
        select(Answer.result_id, Question.name, Answer.responses, Answer.value)
        .join(Question, Question.id == Answer.question_id)
        .where(Answer.result_id.in_(by_id))
        .order_by(Answer.result_id, Question.position)
    )
    for result_id, question, responses, value in answers:
        if result_id is None:
            continue
        # Choice questions: the response keys chosen; Paragraph questions: the text.
        by_id[result_id].answers[question] = "; ".join(map(str, responses)) or (value or "")


def escape_cell(value: object) -> str:
    """A CSV cell a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS) and not NUMBER.fullmatch(text):
        return "'" + text
    return text


async def _all_rows(session: AsyncSession, campaign_id: uuid.UUID) -> AsyncIterator[ResultRow]:
    offset = 0
    while batch := await result_rows(session, campaign_id, offset=offset, limit=BATCH):
        for row in batch:
            yield row
        offset += BATCH


async def results_csv(
    session: AsyncSession,
    campaign_id: uuid.UUID,
    questions: Iterable[str],
    note_fields: Iterable[str],
) -> AsyncIterator[str]:
    """The campaign's results as CSV text, a chunk per batch of rows."""
    questions, note_fields = list(questions), ["notes", *note_fields]
    header = [
        "result_id", "saved_at", "call_id", "person_id", "name", "phone_number", "disposition",
        "caller", "attempts", "call_status", *questions, *(f"note:{n}" for n in note_fields),
    ]  # fmt: skip
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([escape_cell(name) for name in header])  # question names are tenants' text
    count = 0
    async for row in _all_rows(session, campaign_id):
        writer.writerow(
            [
                escape_cell(cell)
                for cell in (
                    row.result_id, row.saved_at.isoformat(), row.call_id, row.person_id, row.name,
                    row.phone_number, row.disposition, row.caller, row.attempts, row.call_status,
                    *(row.answers.get(q, "") for q in questions),
                    *(row.notes.get(n, "") for n in note_fields),
                )
            ]
        )  # fmt: skip
        count += 1
        if count % BATCH == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
