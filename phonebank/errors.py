"""The one small family of domain errors; each face maps them to its own wire format."""

from typing import Any


class DomainError(Exception):
    """Base of every error a service raises on purpose."""

    status_code = 400
    title = "Bad request"

    def __init__(
        self,
        detail: str,
        *,
        field: str | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field
        # Response headers the error comes with (e.g. Retry-After).
        self.headers = headers or {}
        self.extra = extra


class Invalid(DomainError):
    """The request is well-formed but breaks a rule (bad number, end before start, ...)."""

    status_code = 400
    title = "Invalid request"


class Unauthorized(DomainError):
    """No credentials, or credentials that match no active key."""

    status_code = 401
    title = "Unauthorized"


class Forbidden(DomainError):
    """The caller is known but lacks the scope for this action."""

    status_code = 403
    title = "Forbidden"


class NotFound(DomainError):
    """No such object in the caller's organization (other organizations' objects included)."""

    status_code = 404
    title = "Not found"


class Conflict(DomainError):
    """The change clashes with the current state (duplicate, final status, ...)."""

    status_code = 409
    title = "Conflict"


class Unavailable(DomainError):
    """A part the request needs (another process, a provider) does not answer now."""

    status_code = 503
    title = "Service unavailable"
