"""Who may do what to calls: one scope per lifecycle action, shared by every calls face."""

from typing import Annotated

from fastapi import Depends

from phonebank.auth.dependencies import require
from phonebank.auth.scopes import Scope
from phonebank.auth.service import Principal

CallsReader = Annotated[Principal, Depends(require(Scope.CALLS_READ))]
CallsWriter = Annotated[Principal, Depends(require(Scope.CALLS_WRITE))]
CallsAttempter = Annotated[Principal, Depends(require(Scope.CALLS_ATTEMPT))]
CallsCompleter = Annotated[Principal, Depends(require(Scope.CALLS_COMPLETE))]
CallsCanceller = Annotated[Principal, Depends(require(Scope.CALLS_CANCEL))]
CallsExpirer = Annotated[Principal, Depends(require(Scope.CALLS_EXPIRE))]
StatsReader = Annotated[Principal, Depends(require(Scope.STATS_READ))]
