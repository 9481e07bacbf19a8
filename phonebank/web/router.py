"""The pages: `/call` for callers and the caller SDK at `/sdk/caller.js` (`/admin`: `console`).

Pages are server-rendered (Jinja2); their behaviour is plain JavaScript over the same APIs
integrators use. Every asset ships in the package: the pages work offline.
"""

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"
templates = Jinja2Templates(directory=HERE / "templates")
router = APIRouter(include_in_schema=False)


@router.get("/")
async def home() -> RedirectResponse:
    """The calling page is the front door."""
    return RedirectResponse("/call")


@router.get("/call", response_class=HTMLResponse)
async def call_page(request: Request) -> Response:
    """The volunteer calling page (with browser audio when the carrier is Twilio)."""
    voice = "twilio" if getattr(request.app.state, "twilio", None) is not None else None
    return templates.TemplateResponse(request, "call.html", {"voice": voice})


@router.get("/sdk/caller.js")
async def caller_sdk() -> FileResponse:
    """The JavaScript caller SDK (an ES module)."""
    return FileResponse(STATIC_DIR / "caller.js", media_type="text/javascript")
