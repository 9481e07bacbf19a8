"""The browser login's cookie and CSRF names, and what an organizer or supervisor may do."""

from phonebank.auth.scopes import Scope
from phonebank.auth.service import Principal
from phonebank.callers.models import Caller
from phonebank.errors import Forbidden

SESSION_COOKIE = "pb_session"
CSRF_COOKIE = "pb_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# What an organizer logged in through the browser may do with the native API.
ORGANIZER_SCOPES = frozenset(
    {
        Scope.CALLS_READ,
        Scope.CALLS_WRITE,
        Scope.CALLS_CANCEL,
        Scope.PEOPLE_READ,
        Scope.PEOPLE_WRITE,
        Scope.CAMPAIGNS_READ,
        Scope.CAMPAIGNS_WRITE,
        Scope.CALLERS_READ,
        Scope.CALLERS_WRITE,
        Scope.CALLERS_SUPERVISE,
        Scope.STATS_READ,
    }
)
# A supervisor who is not an organizer watches the live floor and reports, and acts on callers
# (kick, listen, whisper, barge); no other change.
SUPERVISOR_SCOPES = frozenset(
    {
        Scope.CALLS_READ,
        Scope.PEOPLE_READ,
        Scope.CAMPAIGNS_READ,
        Scope.CALLERS_READ,
        Scope.CALLERS_SUPERVISE,
        Scope.STATS_READ,
    }
)


def supervisor_principal(caller: Caller) -> Principal:
    """The native-API principal of a supervisor (or organizer) logged in through the browser."""
    if not caller.is_supervisor:
        raise Forbidden("only supervisors may use the API with a browser login")
    return Principal(
        organization_id=caller.organization_id,
        service_account_id=caller.id,
        scopes=ORGANIZER_SCOPES if caller.is_organizer else SUPERVISOR_SCOPES,
    )
