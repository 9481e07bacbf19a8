"""Live events of a caller session over a WebSocket: a snapshot first, then every change."""

import asyncio
import contextlib
import logging
import uuid
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect, status

from phonebank.callers.models import CallerSession
from phonebank.calling.cookies import SESSION_COOKIE
from phonebank.calling.dependencies import same_origin
from phonebank.calling.live import session_view
from phonebank.calling.service import login_from_token, mark_seen
from phonebank.calling.session_actions import clock_now, live_view
from phonebank.config import get_settings
from phonebank.dialer.presence import seen_every
from phonebank.errors import Unauthorized
from phonebank.events.bus import EventBus, session_channel

logger = logging.getLogger("phonebank.calling")
router = APIRouter(prefix="/caller", tags=["caller"])


async def _snapshot(websocket: WebSocket, session_id: uuid.UUID) -> dict[str, object] | None:
    async with websocket.app.state.sessionmaker() as session:
        try:
            _, caller = await login_from_token(session, websocket.cookies.get(SESSION_COOKIE))
        except Unauthorized:
            return None
        caller_session = await session.get(CallerSession, session_id)
        if caller_session is None or caller_session.caller_id != caller.id:
            return None
        live = await live_view(websocket, caller_session)
        view = await session_view(session, caller_session=caller_session, live=live)
    return {"type": "snapshot", "session": view.model_dump(mode="json")}


@router.websocket("/sessions/{session_id}/events")
async def session_events(websocket: WebSocket, session_id: uuid.UUID) -> None:
    """Push the session's events: state, preview, connected contact, call changes, ended."""
    if not same_origin(websocket):
        await websocket.close(code=status.WS_1008_POLICY_VIOLATION)
        return
    bus: EventBus = websocket.app.state.bus
    # Subscribe before the snapshot, so nothing between the two is missed.
    async with bus.subscribe(session_channel(session_id)) as events:
        snapshot = await _snapshot(websocket, session_id)
        if snapshot is None:
            await websocket.close(code=status.WS_1008_POLICY_VIOLATION, reason="log in first")
            return
        await websocket.accept()
        await websocket.send_json(snapshot)
        reader: asyncio.Future[Any] = asyncio.create_task(_drain(websocket))
        present = asyncio.create_task(_keep_present(websocket, session_id))
        upcoming: asyncio.Future[Any] = asyncio.ensure_future(anext(events))
        try:
            while True:
                done, _ = await asyncio.wait(
                    {upcoming, reader}, return_when=asyncio.FIRST_COMPLETED
                )
                if reader in done:
                    break  # the page went away
                event = upcoming.result()
                await websocket.send_json(event)
                if event.get("type") == "ended":
                    await websocket.close()
                    break
                upcoming = asyncio.ensure_future(anext(events))
        except (WebSocketDisconnect, RuntimeError):
            pass  # the page went away mid-send
        finally:
            for task in (upcoming, reader, present):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task


async def _drain(websocket: WebSocket) -> None:
    # Pages only listen; reading notices when they go away.
    with contextlib.suppress(WebSocketDisconnect):
        while True:
            await websocket.receive_text()


async def _keep_present(websocket: WebSocket, session_id: uuid.UUID) -> None:
    # While the stream is open the page is there (a closed tab or a lost network closes it):
    # the dialer reads `last_seen_at` to tell a caller who is there from one who is gone.
    settings = getattr(websocket.app.state, "settings", None) or get_settings()
    every = seen_every(settings.caller_presence_timeout_seconds)
    while True:
        try:
            async with websocket.app.state.sessionmaker() as session, session.begin():
                await mark_seen(session, session_id=session_id, now=clock_now(websocket))
        except Exception:  # a missed write costs nothing yet: the next one comes soon
            logger.exception("could not record that session %s is present", session_id)
        await asyncio.sleep(every)
