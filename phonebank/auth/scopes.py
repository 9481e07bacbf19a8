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
    STATS_READ = "stats:read"
    WEBHOOKS_READ = "webhooks:read"
    WEBHOOKS_WRITE = "webhooks:write"
    ADMIN = "admin"


ALL_SCOPES = frozenset(Scope)
