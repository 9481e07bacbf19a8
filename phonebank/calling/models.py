"""Callers' browser logins (a session cookie and its CSRF token, both stored hashed), and drafts."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from phonebank.db import Base, IdMixin, JSONType, utcnow


class CallerLogin(IdMixin, Base):
    """One logged-in browser of one caller; logging out or expiry ends it."""

    __tablename__ = "caller_logins"

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    caller_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("callers.id", ondelete="CASCADE"), index=True
    )
    # SHA-256 of the cookie's token and of the CSRF token: a stolen database opens no browser.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_hash: Mapped[str] = mapped_column(String(64))
    # How the caller proved who they are: `password` or `pin` (a PIN login is for one campaign).
    method: Mapped[str] = mapped_column(String(20))
    campaign_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]


class CallerDraft(Base):
    """What a caller typed for a call before saving its result: it outlives reloads and restarts."""

    __tablename__ = "caller_drafts"

    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("caller_sessions.id", ondelete="CASCADE"), primary_key=True
    )
    call_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True
    )
    # {"disposition": ..., "answers": {question id: keys or text}, "notes": {name: text}}
    content: Mapped[dict[str, Any]] = mapped_column(JSONType)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
