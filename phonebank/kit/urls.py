"""Absolute URLs of resources, built from the base URL of the request being served."""

from contextvars import ContextVar

from phonebank.config import get_settings

_base_url: ContextVar[str | None] = ContextVar("phonebank_base_url", default=None)


def set_base_url(url: str) -> None:
    """Remember the base URL of the request in flight (set by a middleware)."""
    _base_url.set(url.rstrip("/"))


def absolute_url(path: str) -> str:
    """`path` made absolute against the current request, or the configured base URL."""
    base = _base_url.get() or get_settings().base_url.rstrip("/")
    return f"{base}{path}"
