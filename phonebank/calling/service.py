"""The caller's side: logging in from a browser, joining campaigns, saving results.

Logins are cookies backed by `caller_logins` rows (hashed token, hashed CSRF token). What a
caller does during a call goes to the campaign's running engine (`phonebank.calling.live`);
what must be kept (sessions, results) is written here, in the request's transaction.
"""

import asyncio
import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.callers.models import Caller, CallerSession
from phonebank.callers.service import pin_lookup, verify_caller_password, verify_caller_pin
from phonebank.callers.sessions import session_event, start_session
from phonebank.calling.cookies import CSRF_HEADER, SAFE_METHODS
from phonebank.calling.models import CallerLogin
from phonebank.campaigns.codes import normalize_access_code
from phonebank.campaigns.models import Campaign
from phonebank.db import utcnow
from phonebank.errors import Conflict, Forbidden, NotFound, Unauthorized
from phonebank.kit.ownership import get_owned
from phonebank.webhooks.outbox import record_events

LOGIN_LIFETIME = timedelta(hours=12)
# A PIN login without an email checks the PIN against at most this many callers.
MAX_PIN_CANDIDATES = 50
JOINABLE_STATUSES = ("started", "paused")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class NewLogin:
    """A login just made: the row, and the two secrets only the browser will hold."""

    login: CallerLogin
    caller: Caller
    token: str
    csrf_token: str


async def _candidates_for_pin(
    session: AsyncSession, campaign: Campaign, email: str | None, pin: str
) -> list[Caller]:
    # The callers whose lookup digest matches (one, unless two share a PIN), then those whose
    # PIN predates the digest: only they cost a hash each, until they log in once.
    lookup = pin_lookup(campaign.organization_id, pin)
    statement = select(Caller).where(
        Caller.organization_id == campaign.organization_id,
        Caller.active.is_(True),
        Caller.pin_hash.is_not(None),
        or_(Caller.pin_lookup == lookup, Caller.pin_lookup.is_(None)),
    )
    if email is not None:
        statement = statement.where(Caller.email == email.strip().lower())
    elif campaign.caller_group_id is not None:
        statement = statement.where(Caller.caller_group_id == campaign.caller_group_id)
    callers = list(await session.scalars(statement.limit(MAX_PIN_CANDIDATES + 1)))
    if len(callers) > MAX_PIN_CANDIDATES:
        raise Unauthorized("this campaign has many callers: log in with your email and PIN")
    return sorted(callers, key=lambda caller: caller.pin_lookup is None)


async def authenticate_caller(
    session: AsyncSession,
    *,
    email: str | None,
    password: str | None,
    access_code: str | None,
    pin: str | None,
) -> tuple[Caller, Campaign | None]:
    """The caller these credentials prove (and the campaign of a PIN login), or Unauthorized."""
    if access_code is not None and pin is not None:
        campaign = await session.scalar(
            select(Campaign).where(Campaign.access_code == normalize_access_code(access_code))
        )
        if campaign is not None:
            for caller in await _candidates_for_pin(session, campaign, email, pin):
                if await asyncio.to_thread(verify_caller_pin, caller, pin):
                    caller.pin_lookup = pin_lookup(campaign.organization_id, pin)
                    return caller, campaign
        raise Unauthorized("wrong access code or PIN")
    assert email is not None and password is not None
    # Emails are unique per organization, not across them: try each organization's caller.
    organizations = list(
        await session.scalars(
            select(Caller.organization_id).where(
                Caller.email == email.strip().lower(), Caller.active.is_(True)
            )
        )
    )
    # No such email still costs one hash check, so timing does not tell who has an account.
    for organization_id in organizations or [uuid.uuid4()]:
        found = await verify_caller_password(
            session, organization_id=organization_id, email=email, password=password
        )
        if found is not None:
            return found, None
    raise Unauthorized("wrong email or password")


async def create_login(
    session: AsyncSession, *, caller: Caller, campaign: Campaign | None, now: datetime
) -> NewLogin:
    """Open a browser login for the caller."""
    token, csrf_token = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    login = CallerLogin(
        organization_id=caller.organization_id,
        caller_id=caller.id,
        token_hash=_digest(token),
        csrf_hash=_digest(csrf_token),
        method="pin" if campaign is not None else "password",
        campaign_id=campaign.id if campaign is not None else None,
        created_at=now,
        expires_at=now + LOGIN_LIFETIME,
    )
    session.add(login)
    await session.flush()
    return NewLogin(login=login, caller=caller, token=token, csrf_token=csrf_token)


async def login_from_token(
    session: AsyncSession, token: str | None, *, now: datetime | None = None
) -> tuple[CallerLogin, Caller]:
    """The live login (and its active caller) a cookie's token belongs to, or Unauthorized."""
    if not token:
        raise Unauthorized("log in first")
    now = now or utcnow()
    row = (
        await session.execute(
            select(CallerLogin, Caller)
            .join(Caller, Caller.id == CallerLogin.caller_id)
            .where(CallerLogin.token_hash == _digest(token))
        )
    ).one_or_none()
    if row is None:
        raise Unauthorized("your login has ended: log in again")
    login, caller = row
    if login.ended_at is not None or login.expires_at <= now or not caller.active:
        raise Unauthorized("your login has ended: log in again")
    return login, caller


def require_csrf(login: CallerLogin, *, method: str, csrf_token: str | None) -> None:
    """A change made with a browser login must carry that login's CSRF token."""
    if method in SAFE_METHODS:
        return
    if csrf_token is None or not hmac.compare_digest(login.csrf_hash, _digest(csrf_token)):
        raise Forbidden(f"missing or wrong {CSRF_HEADER} header")


async def end_login(session: AsyncSession, *, login: CallerLogin, now: datetime) -> None:
    """Log out."""
    login.ended_at = now
    await session.flush()


# --- campaigns and sessions --------------------------------------------------------------------


def _may_call(caller: Caller, login: CallerLogin, campaign: Campaign) -> bool:
    if login.campaign_id is not None and login.campaign_id != campaign.id:
        return False  # a PIN login is for its campaign only
    if caller.is_supervisor or campaign.caller_group_id is None:
        return True
    return caller.caller_group_id == campaign.caller_group_id


async def joinable_campaigns(
    session: AsyncSession, *, caller: Caller, login: CallerLogin
) -> list[Campaign]:
    """The campaigns this caller may join now."""
    campaigns = await session.scalars(
        select(Campaign)
        .where(
            Campaign.organization_id == caller.organization_id,
            Campaign.status.in_(JOINABLE_STATUSES),
            Campaign.inbox_type.is_(None),
        )
        .order_by(Campaign.name)
    )
    return [campaign for campaign in campaigns if _may_call(caller, login, campaign)]


async def open_session(
    session: AsyncSession,
    *,
    caller: Caller,
    login: CallerLogin,
    campaign_id: uuid.UUID,
    now: datetime,
    from_page: bool = False,
) -> tuple[CallerSession, list[CallerSession]]:
    """Start a caller session in a campaign; (the new session, the caller's sessions it ended).

    `from_page`: the caller calls from a page, whose presence (WebSocket, heartbeat) the dialer
    follows; a phones-only caller's presence is their phone call.
    """
    campaign = await get_owned(
        session,
        Campaign,
        campaign_id,
        organization_id=caller.organization_id,
        what="campaign",
        field="campaign_id",
    )
    if not _may_call(caller, login, campaign):
        raise Forbidden("you are not a caller of this campaign")
    if campaign.status not in JOINABLE_STATUSES:
        raise Conflict(
            f"the campaign is {campaign.status}: it takes no callers", field="campaign_id"
        )
    # One session at a time: joining ends the caller's other open sessions.
    ended = list(
        await session.scalars(
            select(CallerSession).where(
                CallerSession.caller_id == caller.id, CallerSession.ended_at.is_(None)
            )
        )
    )
    for old in ended:
        old.state, old.state_since, old.ended_at, old.end_reason = "ended", now, now, "rejoined"
    await record_events(session, [session_event(old, "ended", now, "rejoined") for old in ended])
    caller_session = await start_session(
        session,
        organization_id=caller.organization_id,
        caller_id=caller.id,
        campaign_id=campaign.id,
        now=now,
    )
    if from_page:
        caller_session.last_seen_at = now
        await session.flush()
    return caller_session, ended


async def get_caller_session(
    session: AsyncSession, *, caller: Caller, session_id: uuid.UUID
) -> CallerSession:
    """One of the caller's own sessions; anyone else's is NotFound."""
    found = await session.get(CallerSession, session_id)
    if found is None or found.caller_id != caller.id:
        raise NotFound("no such caller session")
    return found


async def get_live_session(
    session: AsyncSession, *, organization_id: uuid.UUID, session_id: uuid.UUID
) -> CallerSession:
    """A session of the organization, for supervisors."""
    return await get_owned(
        session, CallerSession, session_id, organization_id=organization_id, what="caller session"
    )


def require_open(caller_session: CallerSession) -> None:
    """Refuse acting on a session that has ended (left, kicked, campaign stopped)."""
    if caller_session.ended_at is not None:
        reason = caller_session.end_reason or "ended"
        raise Conflict(f"this caller session has ended ({reason}): join again")


async def end_session(
    session: AsyncSession, *, caller_session: CallerSession, reason: str, now: datetime
) -> None:
    """Close a caller session in the record."""
    closed = await session.execute(
        update(CallerSession)
        .where(CallerSession.id == caller_session.id, CallerSession.ended_at.is_(None))
        .values(state="ended", state_since=now, ended_at=now, end_reason=reason)
    )
    await session.refresh(caller_session)
    if cast(CursorResult[Any], closed).rowcount:
        await record_events(session, [session_event(caller_session, "ended", now, reason)])


async def open_session_of(session: AsyncSession, *, caller: Caller) -> CallerSession | None:
    """The caller's open session, if any."""
    return await session.scalar(
        select(CallerSession)
        .where(CallerSession.caller_id == caller.id, CallerSession.ended_at.is_(None))
        .order_by(CallerSession.started_at.desc())
        .limit(1)
    )


async def mark_seen(session: AsyncSession, *, session_id: uuid.UUID, now: datetime) -> None:
    """The caller's page is there now (its WebSocket is open, or it sent a heartbeat)."""
    # Only an open session whose presence is a page's: a phone's or an ended one stays as is.
    await session.execute(
        update(CallerSession)
        .where(
            CallerSession.id == session_id,
            CallerSession.ended_at.is_(None),
            CallerSession.last_seen_at.is_not(None),
        )
        .values(last_seen_at=now)
        .execution_options(synchronize_session=False)
    )
