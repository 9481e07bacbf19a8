"""Script pages: the editor (texts, questions, note fields, transfers, contact fields) and preview.

The editor submits the whole script, as `PATCH /api/v1/scripts/{id}` takes it, through the same
service: questions keep their ids (and recorded answers) when their name stays.
"""

import re
import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from phonebank.auth.dependencies import DbSession
from phonebank.errors import DomainError, NotFound
from phonebank.kit.pagination import PageParams
from phonebank.scripts import service
from phonebank.scripts.models import Script
from phonebank.scripts.schemas import (
    CONTACT_FIELDS,
    CUSTOM_FIELD_PREFIX,
    SYSTEM_FIELDS,
    ScriptCreate,
    ScriptOut,
    ScriptUpdate,
)
from phonebank.web.console.access import Missing, Organizer, Visitor, page, see_other
from phonebank.web.console.forms import FormErrors, checked, text, validated

router = APIRouter(prefix="/admin/scripts")
# The parts of a script the editor lists, and the inputs of one element of each.
PARTS: dict[str, tuple[str, ...]] = {
    "texts": ("title", "content"),
    "questions": ("name", "title", "description", "question_type", "responses"),
    "note_fields": ("name",),
    "transfers": ("label", "phone_number", "transfer_type"),
}
QUESTION_TYPES = (
    ("SingleChoice", "Single choice"),
    ("MultiChoice", "Multiple choice"),
    ("Paragraph", "Paragraph (free text)"),
)
SAMPLE_CONTACT = {
    "name": "Alex Rivera",
    "given_name": "Alex",
    "family_name": "Rivera",
    "additional_name": "J.",
    "phone_number": "+12025550123",
    "email_address": "alex.rivera@example.org",
    "postal_address": "12 Main Street",
    "locality": "Springfield",
    "region": "IL",
    "postal_code": "62701",
    "gender": "Female",
    "languages_spoken": "en, es",
}
# The results a caller picks from, with the words the calling page shows.
DISPOSITION_LABELS = (
    ("completed", "Talked"),
    ("refused", "Refused"),
    ("not_available", "Not available"),
    ("wrong_number", "Wrong number"),
    ("call_back", "Call back later"),
    ("do_not_call", "Do not call"),
)
_PART_INDEX = re.compile(r"^(texts|questions|note_fields|transfers)\[(\d+)\]")
_PLACEHOLDER = re.compile(r"\{([a-z_.]+)\}")
_SLUG = re.compile(r"[^a-z0-9]+")


def response_key(label: str) -> str:
    """The key a response's label gives when none is written (`Not sure` -> `not_sure`)."""
    return _SLUG.sub("_", label.lower()).strip("_") or label


def _responses(raw: str | None) -> list[dict[str, str]]:
    """One response a line: `Label`, or `key = Label` to choose its key."""
    found = []
    for line in (raw or "").splitlines():
        if not line.strip():
            continue
        key, separator, label = line.partition("=")
        if not separator:
            key, label = response_key(line.strip()), line
        found.append({"key": key.strip(), "name": label.strip()})
    return found


def responses_text(responses: list[Any]) -> str:
    """The responses as the editor shows them (`key = Label` only where the key differs)."""
    return "\n".join(
        item.name if item.key == response_key(item.name) else f"{item.key} = {item.name}"
        for item in responses
    )


def _element(form: Any, part: str, index: int) -> dict[str, Any] | None:
    """One element of the form as the API takes it; None when removed or left blank."""
    prefix = f"{part}[{index}]"
    if checked(form, f"{prefix}.remove"):
        return None
    values: dict[str, Any] = {name: text(form, f"{prefix}.{name}") for name in PARTS[part]}
    main = {"texts": "content", "questions": "name", "note_fields": "name", "transfers": "label"}
    if values[main[part]] is None and not any(
        values[name] for name in PARTS[part] if name not in {"question_type", "transfer_type"}
    ):
        return None
    if part == "questions":
        values["responses"] = _responses(form.get(f"{prefix}.responses"))
        values["required"] = checked(form, f"{prefix}.required")
    return {name: value for name, value in values.items() if value is not None}


def _body(form: Any) -> tuple[dict[str, Any], dict[str, list[int]]]:
    """The whole script as the API takes it, and each element's index in the form."""
    # An empty name is left out, so the schema says it is required, as the API does.
    body: dict[str, Any] = {"name": text(form, "name")} if text(form, "name") else {}
    body["description"] = text(form, "description")
    custom = [
        f"{CUSTOM_FIELD_PREFIX}{name.strip()}"
        for name in (text(form, "custom_fields") or "").split(",")
        if name.strip()
    ]
    body["selected_fields"] = [*form.getlist("selected_fields"), *custom]
    origins: dict[str, list[int]] = {}
    for part in PARTS:
        count = int(text(form, f"{part}_count") or 0)
        placed = []
        for index in range(min(count, 200)):
            element = _element(form, part, index)
            if element is not None:
                order = text(form, f"{part}[{index}].position")
                placed.append((int(order) if order and order.isdigit() else index, index, element))
        placed.sort(key=lambda item: (item[0], item[1]))
        body[part] = [element for _, _, element in placed]
        origins[part] = [index for _, index, _ in placed]
    return body, origins


def _at_form_index(errors: FormErrors, origins: dict[str, list[int]]) -> FormErrors:
    """Errors of body elements moved to the inputs those elements came from."""
    moved = FormErrors()
    for path, message in errors.items():
        match = _PART_INDEX.match(path)
        if match and int(match[2]) < len(origins[match[1]]):
            form_index = origins[match[1]][int(match[2])]
            path = f"{match[1]}[{form_index}]{path[match.end() :]}"
        moved.add(path, message)
    return moved


def _shown(script: ScriptOut | None) -> dict[str, Any]:
    """What the editor shows: the stored elements, then one blank of each kind to add."""
    elements: dict[str, list[dict[str, Any]]] = {part: [] for part in PARTS}
    if script is not None:
        elements["texts"] = [{"title": t.title, "content": t.content} for t in script.texts]
        elements["questions"] = [
            {
                "name": q.name,
                "title": q.title,
                "description": q.description,
                "question_type": q.question_type,
                "required": q.required,
                "responses": responses_text(q.responses),
            }
            for q in script.questions
        ]
        elements["note_fields"] = [{"name": n.name} for n in script.note_fields]
        elements["transfers"] = [
            {"label": t.label, "phone_number": t.phone_number, "transfer_type": t.transfer_type}
            for t in script.transfers
        ]
    for part in PARTS:
        elements[part].append({})
    selected = script.selected_fields if script is not None else ["given_name", "phone_number"]
    return {
        "name": script.name if script is not None else "",
        "description": (script.description or "") if script is not None else "",
        "selected_fields": [f for f in selected if f in SYSTEM_FIELDS],
        "custom_fields": ", ".join(
            f.removeprefix(CUSTOM_FIELD_PREFIX) for f in selected if f not in SYSTEM_FIELDS
        ),
        **elements,
    }


def _shown_from_form(form: Any) -> dict[str, Any]:
    """The submitted inputs, as they were typed, for the form shown again with its errors."""
    shown: dict[str, Any] = {
        "name": form.get("name") or "",
        "description": form.get("description") or "",
        "selected_fields": form.getlist("selected_fields"),
        "custom_fields": form.get("custom_fields") or "",
    }
    for part, names in PARTS.items():
        count = min(int(text(form, f"{part}_count") or 0), 200)
        rows = []
        for index in range(count):
            prefix = f"{part}[{index}]"
            row = {name: form.get(f"{prefix}.{name}") or "" for name in names}
            row["required"] = checked(form, f"{prefix}.required")
            row["position"] = form.get(f"{prefix}.position") or ""
            row["remove"] = checked(form, f"{prefix}.remove")
            rows.append(row)
        shown[part] = rows
    return shown


def _editor(
    request: Request,
    visitor: Visitor,
    *,
    script: Script | None,
    shown: dict[str, Any],
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    return page(
        request,
        visitor,
        "script_form.html",
        status_code=status_code,
        section="scripts",
        script=script,
        shown=shown,
        errors=errors or FormErrors(),
        contact_fields=CONTACT_FIELDS,
        question_types=QUESTION_TYPES,
    )


async def _script(session: DbSession, visitor: Visitor, script_id: uuid.UUID) -> Script:
    try:
        return await service.get_script(
            session, organization_id=visitor.organization.id, script_id=script_id
        )
    except NotFound:
        raise Missing() from None


@router.get("")
async def scripts_page(request: Request, session: DbSession, visitor: Organizer) -> Response:
    """The organization's scripts."""
    scripts, _ = await service.list_scripts(
        session, organization_id=visitor.organization.id, params=PageParams(1, 200)
    )
    return page(request, visitor, "scripts.html", section="scripts", scripts=scripts)


@router.get("/new")
async def new_script(request: Request, visitor: Organizer) -> Response:
    """An empty script editor."""
    return _editor(request, visitor, script=None, shown=_shown(None))


async def _save(
    request: Request, session: DbSession, visitor: Visitor, script: Script | None
) -> Response:
    form = await request.form()
    body, origins = _body(form)
    errors = FormErrors()
    model = ScriptCreate if script is None else ScriptUpdate
    data = validated(model, body, errors)
    if data is not None:
        try:
            # A savepoint: a refusal undoes the change alone, and the editor can still be shown.
            async with session.begin_nested():
                if isinstance(data, ScriptCreate):
                    script = await service.create_script(
                        session, organization=visitor.organization, data=data
                    )
                else:
                    assert script is not None and isinstance(data, ScriptUpdate)
                    await service.update_script(
                        session, organization=visitor.organization, script=script, data=data
                    )
            assert script is not None
            return see_other(f"/admin/scripts/{script.id}?saved=1")
        except DomainError as error:
            errors.add_domain(error)
            if script is not None and isinstance(data, ScriptUpdate):
                await session.refresh(script)
    return _editor(
        request,
        visitor,
        script=script,
        shown=_shown_from_form(form),
        errors=_at_form_index(errors, origins),
        status_code=400,
    )


@router.post("/new")
async def create_script(request: Request, session: DbSession, visitor: Organizer) -> Response:
    """Create the script, or show the editor again with each error beside its field."""
    return await _save(request, session, visitor, None)


@router.get("/{script_id}")
async def edit_script(
    script_id: uuid.UUID, request: Request, session: DbSession, visitor: Organizer
) -> Response:
    """The script editor."""
    script = await _script(session, visitor, script_id)
    return _editor(request, visitor, script=script, shown=_shown(ScriptOut.model_validate(script)))


@router.post("/{script_id}")
async def update_script(
    script_id: uuid.UUID, request: Request, session: DbSession, visitor: Organizer
) -> Response:
    """Save the whole script, or show the editor again with each error beside its field."""
    return await _save(request, session, visitor, await _script(session, visitor, script_id))


@router.post("/{script_id}/delete")
async def delete_script(script_id: uuid.UUID, session: DbSession, visitor: Organizer) -> Response:
    """Delete the script; campaigns using it are left without one."""
    await service.delete_script(session, script=await _script(session, visitor, script_id))
    return see_other("/admin/scripts")


def fill(template: str, contact: dict[str, str]) -> str:
    """`{field}` replaced by the contact's value, as the calling page does."""

    def value(match: re.Match[str]) -> str:
        return contact.get(match[1].removeprefix(CUSTOM_FIELD_PREFIX), match[0])

    return _PLACEHOLDER.sub(value, template)


@router.get("/{script_id}/preview")
async def preview_script(
    script_id: uuid.UUID, request: Request, session: DbSession, visitor: Organizer
) -> Response:
    """The script as a caller sees it on a call, with a sample contact's fields filled in."""
    script = ScriptOut.model_validate(await _script(session, visitor, script_id))
    contact = dict(SAMPLE_CONTACT)
    for field in script.selected_fields:
        name = field.removeprefix(CUSTOM_FIELD_PREFIX)
        contact.setdefault(name, f"sample {name.replace('_', ' ')}")
    shown = [
        (field.removeprefix(CUSTOM_FIELD_PREFIX), contact[field.removeprefix(CUSTOM_FIELD_PREFIX)])
        for field in script.selected_fields
        if field not in {"given_name", "family_name", "phone_number"}
    ]
    # The calling page lists every text, then every question, each in its stored order.
    blocks = [("text", t) for t in script.texts] + [("question", q) for q in script.questions]
    return page(
        request,
        visitor,
        "script_preview.html",
        section="scripts",
        script=script,
        contact=contact,
        attributes=shown,
        blocks=blocks,
        fill=fill,
        dispositions=DISPOSITION_LABELS,
    )
