"""Drafts: what a caller typed for a call before saving its result, kept on the server.

A draft is stored per caller session and call, so typed answers and notes come back after a
reload or a server restart; saving the call's result discards it.
"""

import uuid
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.callers.models import CallerSession
from phonebank.calling.live import contact_of
from phonebank.calling.models import CallerDraft
from phonebank.calling.schemas import DraftIn, DraftOut
from phonebank.calls.models import Attempt, Call, Result
from phonebank.errors import NotFound

# How many unsaved drafts a page is handed back at most (the newest).
UNSAVED_LIMIT = 5


async def _draft_out(session: AsyncSession, draft: CallerDraft) -> DraftOut:
    contact = await contact_of(session, draft.call_id)
    content = draft.content or {}
    return DraftOut(
        session_id=draft.session_id,
        call_id=draft.call_id,
        contact_name=contact.name if contact is not None else None,
        disposition=content.get("disposition"),
        answers=content.get("answers") or {},
        notes=content.get("notes") or {},
        updated_at=draft.updated_at,
    )


async def _call_of_session(
    session: AsyncSession, caller_session: CallerSession, call_id: uuid.UUID
) -> Call:
    # A call of the session's campaign that was dialed: nobody drafts for a call never placed.
    call = await session.get(Call, call_id)
    dialed = await session.scalar(select(Attempt.id).where(Attempt.call_id == call_id).limit(1))
    if call is None or call.campaign_id != caller_session.campaign_id or dialed is None:
        raise NotFound("no such call in your campaign")
    return call


async def save_draft(
    session: AsyncSession,
    *,
    caller_session: CallerSession,
    call_id: uuid.UUID,
    data: DraftIn,
    now: datetime,
) -> DraftOut:
    """Keep (replace) the session's draft for a call."""
    await _call_of_session(session, caller_session, call_id)
    draft = await session.get(CallerDraft, (caller_session.id, call_id))
    content = data.model_dump(mode="json")
    if draft is None:
        draft = CallerDraft(session_id=caller_session.id, call_id=call_id, content=content)
        session.add(draft)
    draft.content, draft.updated_at = content, now
    await session.flush()
    return await _draft_out(session, draft)


async def get_draft(
    session: AsyncSession, *, caller_session: CallerSession, call_id: uuid.UUID
) -> DraftOut:
    """The session's draft for a call, or NotFound."""
    draft = await session.get(CallerDraft, (caller_session.id, call_id))
    if draft is None:
        raise NotFound("no draft for this call")
    return await _draft_out(session, draft)


async def unsaved_drafts(
    session: AsyncSession, *, caller_id: uuid.UUID, campaign_id: uuid.UUID | None = None
) -> list[DraftOut]:
    """The caller's drafts whose call has no result from them yet, newest first.

    Drafts of the caller's ended sessions count too: a session ended by a restart must not
    take the answers typed in it along.
    """
    saved = select(Result.id).where(
        Result.call_id == CallerDraft.call_id, Result.caller_id == caller_id
    )
    statement = (
        select(CallerDraft)
        .join(CallerSession, CallerSession.id == CallerDraft.session_id)
        .where(CallerSession.caller_id == caller_id, ~saved.exists())
    )
    if campaign_id is not None:
        statement = statement.where(CallerSession.campaign_id == campaign_id)
    drafts = await session.scalars(
        statement.order_by(CallerDraft.updated_at.desc()).limit(UNSAVED_LIMIT)
    )
    return [await _draft_out(session, draft) for draft in drafts]


async def discard_drafts(
    session: AsyncSession, *, caller_session: CallerSession, call_id: uuid.UUID
) -> None:
    """Forget the caller's drafts for a call whose result is saved."""
    mine = select(CallerSession.id).where(CallerSession.caller_id == caller_session.caller_id)
    await session.execute(
        delete(CallerDraft).where(CallerDraft.call_id == call_id, CallerDraft.session_id.in_(mine))
    )
