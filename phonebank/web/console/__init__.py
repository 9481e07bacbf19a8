"""The organizer console under `/admin`: server-rendered pages over the same services as the API.

One router per area (`campaigns`, `scripts`, ...); `access` decides who may see and change what.
"""

from fastapi import APIRouter, FastAPI

from phonebank.web.console import blocked_numbers, callers, campaigns, home, scripts
from phonebank.web.console.access import install_access_handlers

router = APIRouter(include_in_schema=False)
router.include_router(home.router)
router.include_router(campaigns.router)
router.include_router(scripts.router)
router.include_router(callers.router)
router.include_router(blocked_numbers.router)


def install_console(app: FastAPI) -> None:
    """Mount the console and its sign-in and refusal pages."""
    install_access_handlers(app)
    app.include_router(router)
