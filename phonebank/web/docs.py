"""The API documentation pages, `/docs` (Swagger UI) and `/redoc`, from packaged assets.

FastAPI's default pages load Swagger UI and ReDoc from a CDN, so on a machine without internet
they are blank; these serve the same pages with the copies vendored under `static/vendor/`.
"""

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)
# Nothing from another host, even what a bundle asks for itself (ReDoc's logo is on its CDN).
LOCAL_ONLY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; worker-src 'self' blob:; "
    "connect-src 'self'"
)
SWAGGER_UI_VERSION = "5.36.0"
REDOC_VERSION = "2.5.4"


def _vendored(request: Request, name: str) -> str:
    return str(request.url_for("static", path=f"vendor/{name}").path)


@router.get("/docs", response_class=HTMLResponse)
async def swagger_ui(request: Request) -> HTMLResponse:
    """The interactive API documentation (Swagger UI, served locally)."""
    page = get_swagger_ui_html(
        openapi_url=request.app.openapi_url,
        title=f"{request.app.title} API",
        swagger_js_url=_vendored(request, f"swagger-ui-bundle-{SWAGGER_UI_VERSION}.js"),
        swagger_css_url=_vendored(request, f"swagger-ui-{SWAGGER_UI_VERSION}.css"),
        swagger_favicon_url=_vendored(request, "swagger-ui-favicon-32x32.png"),
    )
    page.headers["Content-Security-Policy"] = LOCAL_ONLY
    return page


@router.get("/redoc", response_class=HTMLResponse)
async def redoc(request: Request) -> HTMLResponse:
    """The API reference (ReDoc, served locally, without web fonts)."""
    page = get_redoc_html(
        openapi_url=request.app.openapi_url,
        title=f"{request.app.title} API reference",
        redoc_js_url=_vendored(request, f"redoc-standalone-{REDOC_VERSION}.js"),
        redoc_favicon_url=_vendored(request, "swagger-ui-favicon-32x32.png"),
        with_google_fonts=False,
    )
    page.headers["Content-Security-Policy"] = LOCAL_ONLY
    return page
