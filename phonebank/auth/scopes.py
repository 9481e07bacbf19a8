"""The scopes an API key can hold; `admin` holds them all."""

from enum import StrEnum


class Scope(StrEnum):
    """One permission of a service account."""

    CALLS_READ = "calls:read"
    CALLS_WRITE = "calls:write"
    CALLS_ATTEMPT = "calls:attempt"
    CALLS_COMPLETE = "calls:complete"
    CALLS_CANCEL = "calls:cancel"
    CALLS_EXPIRE = "calls:expire"
    PEOPLE_READ = "people:read"
    PEOPLE_WRITE = "people:write"
    CAMPAIGNS_READ = "campaigns:read"
    CAMPAIGNS_WRITE = "campaigns:write"
    CALLERS_READ = "callers:read"
    CALLERS_WRITE = "callers:write"
    # Act on callers' live sessions (kick, listen, whisper, barge): a supervisor's work.
    CALLERS_SUPERVISE = "callers:supervise"
    STATS_READ = "stats:read"
    WEBHOOKS_READ = "webhooks:read"
    WEBHOOKS_WRITE = "webhooks:write"
    ADMIN = "admin"


ALL_SCOPES = frozenset(Scope)
# A scope that holds another: a key that may change callers may also act on their sessions,
# as it could before supervising had a scope of its own.
IMPLIED_BY = {Scope.CALLERS_SUPERVISE: Scope.CALLERS_WRITE}
