"""Scripts: one nested document (texts, questions, note fields, transfers) and its pieces.

Questions are matched to the stored ones by name and responses by key when lists are replaced,
so their ids, which recorded answers point to, survive an edit that keeps them.
"""

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.db import utcnow
from phonebank.errors import Conflict, Invalid, NotFound
from phonebank.kit.filters import FilterExpr, compile_filter, timestamp_filters
from phonebank.kit.ownership import get_owned
from phonebank.kit.pagination import PageParams, fetch_page
from phonebank.kit.phones import parse_phone
from phonebank.organizations.models import Organization
from phonebank.scripts.models import (
    NoteField,
    Question,
    QuestionResponse,
    Script,
    ScriptText,
    Transfer,
)
from phonebank.scripts.schemas import (
    NoteFieldIn,
    QuestionIn,
    QuestionUpdate,
    ResponseIn,
    ScriptCreate,
    ScriptUpdate,
    TextIn,
    TransferIn,
    TransferUpdate,
)

_SCALARS = ("name", "description", "origin_system")


def _at(prefix: str, name: str) -> str:
    """The path of `name` inside the element at `prefix` ("" for a sub-resource body)."""
    return f"{prefix}.{name}" if prefix else name


def check_responses(question_type: str, keys: Sequence[str], *, field: str) -> None:
    """Choice questions need two or more responses with distinct keys; Paragraph has none."""
    responses_field = _at(field, "responses")
    if question_type == "Paragraph":
        if keys:
            raise Invalid("a Paragraph question takes no responses", field=responses_field)
        return
    if len(keys) < 2:
        raise Invalid(
            f"a {question_type} question needs at least 2 responses", field=responses_field
        )
    seen: set[str] = set()
    for index, key in enumerate(keys):
        if key in seen:
            raise Invalid(
                f"response key {key!r} is used twice", field=f"{responses_field}[{index}].key"
            )
        seen.add(key)


def transfer_number(organization: Organization, raw: str, *, field: str) -> str:
    """The E.164 form of a transfer number, or Invalid naming `field`."""
    return parse_phone(raw, default_country=organization.default_country, field=field).e164


def _sync_responses(question: Question, responses: Sequence[ResponseIn]) -> None:
    stored = {row.key: row for row in question.responses}
    rows: list[QuestionResponse] = []
    for position, item in enumerate(responses):
        row = stored.get(item.key) or QuestionResponse(key=item.key)
        row.name = item.name
        row.position = position
        rows.append(row)
    question.responses = rows


def _fill_question(question: Question, data: QuestionIn, *, position: int) -> Question:
    question.position = position
    question.name = data.name
    question.title = data.title
    question.description = data.description
    question.question_type = data.question_type
    question.required = data.required
    _sync_responses(question, data.responses)
    return question


def _sync_questions(script: Script, questions: Sequence[QuestionIn]) -> None:
    names: set[str] = set()
    for index, item in enumerate(questions):
        if item.name in names:
            raise Invalid(
                f"question name {item.name!r} is used twice", field=f"questions[{index}].name"
            )
        names.add(item.name)
        check_responses(
            item.question_type, [r.key for r in item.responses], field=f"questions[{index}]"
        )
    stored = {row.name: row for row in script.questions}
    script.questions = [
        _fill_question(stored.get(item.name) or Question(), item, position=position)
        for position, item in enumerate(questions)
    ]


def _text_rows(texts: Sequence[TextIn]) -> list[ScriptText]:
    return [
        ScriptText(position=position, title=item.title, content=item.content)
        for position, item in enumerate(texts)
    ]


def _note_field_rows(note_fields: Sequence[NoteFieldIn]) -> list[NoteField]:
    return [
        NoteField(position=position, name=item.name) for position, item in enumerate(note_fields)
    ]


def _transfer_rows(organization: Organization, transfers: Sequence[TransferIn]) -> list[Transfer]:
    return [
        Transfer(
            position=position,
            label=item.label,
            phone_number=transfer_number(
                organization, item.phone_number, field=f"transfers[{position}].phone_number"
            ),
            transfer_type=item.transfer_type,
        )
        for position, item in enumerate(transfers)
    ]


def _unique(fields: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(fields))


async def create_script(
    session: AsyncSession, *, organization: Organization, data: ScriptCreate
) -> Script:
    """Store a new script of the organization, with all its elements."""
    script = Script(
        organization_id=organization.id,
        name=data.name,
        description=data.description,
        origin_system=data.origin_system,
        selected_fields=_unique(data.selected_fields),
        texts=_text_rows(data.texts),
        note_fields=_note_field_rows(data.note_fields),
        transfers=_transfer_rows(organization, data.transfers),
    )
    _sync_questions(script, data.questions)
    session.add(script)
    await session.flush()
    return script


async def get_script(
    session: AsyncSession, *, organization_id: uuid.UUID, script_id: uuid.UUID
) -> Script:
    """One script of the organization, or NotFound."""
    return await get_owned(
        session, Script, script_id, organization_id=organization_id, what="script"
    )


async def update_script(
    session: AsyncSession, *, organization: Organization, script: Script, data: ScriptUpdate
) -> Script:
    """Apply the fields present in `data`; lists given replace the stored ones."""
    for name, value in data.model_dump(include=set(_SCALARS), exclude_unset=True).items():
        setattr(script, name, value)
    if data.selected_fields is not None:
        script.selected_fields = _unique(data.selected_fields)
    if data.texts is not None:
        script.texts = _text_rows(data.texts)
    if data.questions is not None:
        _sync_questions(script, data.questions)
    if data.note_fields is not None:
        script.note_fields = _note_field_rows(data.note_fields)
    if data.transfers is not None:
        script.transfers = _transfer_rows(organization, data.transfers)
    # Child rows may be all that changed; the script itself still counts as modified.
    script.modified_at = utcnow()
    await session.flush()
    return script


async def delete_script(session: AsyncSession, *, script: Script) -> None:
    """Remove a script with its elements; campaigns using it are left without one."""
    await session.delete(script)
    await session.flush()


async def list_scripts(
    session: AsyncSession,
    *,
    organization_id: uuid.UUID,
    params: PageParams,
    condition: FilterExpr | None = None,
) -> tuple[Sequence[Script], int]:
    """A page of the organization's scripts, newest first."""
    statement = select(Script).where(Script.organization_id == organization_id)
    if condition is not None:
        statement = statement.where(compile_filter(condition, timestamp_filters(Script)))
    statement = statement.order_by(Script.created_at.desc(), Script.id)
    return await fetch_page(session, statement, params)


async def list_questions(
    session: AsyncSession,
    *,
    organization_id: uuid.UUID,
    params: PageParams,
    script_id: uuid.UUID | None = None,
    condition: FilterExpr | None = None,
) -> tuple[Sequence[Question], int]:
    """A page of the questions of the organization's scripts (or of one), newest first."""
    statement = (
        select(Question)
        .join(Script, Script.id == Question.script_id)
        .where(Script.organization_id == organization_id)
    )
    if script_id is not None:
        statement = statement.where(Question.script_id == script_id)
    if condition is not None:
        statement = statement.where(compile_filter(condition, timestamp_filters(Question)))
    statement = statement.order_by(Question.created_at.desc(), Question.id)
    return await fetch_page(session, statement, params)


async def get_question(
    session: AsyncSession,
    *,
    organization_id: uuid.UUID,
    question_id: uuid.UUID,
    field: str | None = None,
) -> Question:
    """One question of the organization's scripts: NotFound, or Invalid naming `field`."""
    question = await session.get(Question, question_id)
    if question is not None:
        script = await session.get(Script, question.script_id)
        if script is not None and script.organization_id == organization_id:
            return question
    if field is not None:
        raise Invalid(f"no question {question_id} in this organization", field=field)
    raise NotFound(f"no question {question_id}")


def find_question(script: Script, *, question_id: uuid.UUID) -> Question:
    """The script's question with that id, or NotFound."""
    for question in script.questions:
        if question.id == question_id:
            return question
    raise NotFound(f"no question {question_id} in this script")


def _check_name_free(script: Script, name: str, *, keep: Question | None = None) -> None:
    if any(row.name == name and row is not keep for row in script.questions):
        raise Conflict(f"the script already has a question named {name!r}", field="name")


async def add_question(session: AsyncSession, *, script: Script, data: QuestionIn) -> Question:
    """Append a question to the script."""
    _check_name_free(script, data.name)
    check_responses(data.question_type, [r.key for r in data.responses], field="")
    question = _fill_question(Question(), data, position=len(script.questions))
    script.questions.append(question)
    script.modified_at = utcnow()
    await session.flush()
    return question


async def update_question(
    session: AsyncSession, *, script: Script, question: Question, data: QuestionUpdate
) -> Question:
    """Apply the fields present in `data` to one question; responses given replace the stored."""
    changes = data.model_dump(exclude_unset=True, exclude={"responses"})
    if "name" in changes:
        _check_name_free(script, changes["name"], keep=question)
    keys = (
        [r.key for r in data.responses]
        if data.responses is not None
        else [r.key for r in question.responses]
    )
    check_responses(changes.get("question_type", question.question_type), keys, field="")
    for name, value in changes.items():
        setattr(question, name, value)
    if data.responses is not None:
        _sync_responses(question, data.responses)
    script.modified_at = utcnow()
    await session.flush()
    return question


async def delete_question(session: AsyncSession, *, script: Script, question: Question) -> None:
    """Remove a question (with its recorded answers) and close the gap in positions."""
    script.questions.remove(question)
    for position, row in enumerate(script.questions):
        row.position = position
    script.modified_at = utcnow()
    await session.flush()


def find_transfer(script: Script, *, transfer_id: uuid.UUID) -> Transfer:
    """The script's transfer with that id, or NotFound."""
    for transfer in script.transfers:
        if transfer.id == transfer_id:
            return transfer
    raise NotFound(f"no transfer {transfer_id} in this script")


async def add_transfer(
    session: AsyncSession, *, organization: Organization, script: Script, data: TransferIn
) -> Transfer:
    """Append a transfer to the script; its number is stored in E.164."""
    transfer = Transfer(
        position=len(script.transfers),
        label=data.label,
        phone_number=transfer_number(organization, data.phone_number, field="phone_number"),
        transfer_type=data.transfer_type,
    )
    script.transfers.append(transfer)
    script.modified_at = utcnow()
    await session.flush()
    return transfer


async def update_transfer(
    session: AsyncSession,
    *,
    organization: Organization,
    script: Script,
    transfer: Transfer,
    data: TransferUpdate,
) -> Transfer:
    """Apply the fields present in `data` to one transfer."""
    changes = data.model_dump(exclude_unset=True)
    if "phone_number" in changes:
        changes["phone_number"] = transfer_number(
            organization, changes["phone_number"], field="phone_number"
        )
    for name, value in changes.items():
        setattr(transfer, name, value)
    script.modified_at = utcnow()
    await session.flush()
    return transfer


async def delete_transfer(session: AsyncSession, *, script: Script, transfer: Transfer) -> None:
    """Remove a transfer and close the gap in positions."""
    script.transfers.remove(transfer)
    for position, row in enumerate(script.transfers):
        row.position = position
    script.modified_at = utcnow()
    await session.flush()
