"""The OSDI face at `/osdi/v1`: the API Entry Point and every OSDI resource."""

from fastapi import APIRouter, Response

from phonebank import __version__
from phonebank.auth.dependencies import CurrentPrincipal
from phonebank.kit.pagination import MAX_PER_PAGE
from phonebank.osdi.hal import (
    CURIES,
    OSDI_VERSION,
    PREFIX,
    HalResponse,
    link,
    namespace,
)
from phonebank.osdi.lists import router as lists_router
from phonebank.osdi.people import router as people_router
from phonebank.osdi.phone_banks import router as phone_banks_router
from phonebank.osdi.questions import router as questions_router
from phonebank.osdi.scripts import router as scripts_router
from phonebank.osdi.tags import router as tags_router

# Link relations of the entry point and the paths they lead to.
RESOURCES = {
    "osdi:people": "/people",
    "osdi:person_signup_helper": "/people/person_signup_helper",
    "osdi:tags": "/tags",
    "osdi:lists": "/lists",
    "osdi:questions": "/questions",
    "osdi:answers": "/answers",
    "osdi:scripts": "/scripts",
    "osdi:phone_bank": "/phone_bank",
    "osdi:phonebanks": "/phone_bank",
    "osdi:phone_bank_results": "/phone_bank_results",
}

router = APIRouter(prefix=PREFIX)
for _router in (
    people_router,
    tags_router,
    lists_router,
    questions_router,
    scripts_router,
    phone_banks_router,
):
    router.include_router(_router)


@router.get("/", tags=["OSDI"])
async def entry_point(principal: CurrentPrincipal) -> Response:
    """The OSDI API Entry Point: what this server is, and a link to every resource."""
    return HalResponse(
        {
            "motd": "Welcome to the Phonebank OSDI API.",
            "vendor_name": "Phonebank",
            "product_name": "Phonebank",
            "product_version": __version__,
            "osdi_version": OSDI_VERSION,
            "max_pagesize": MAX_PER_PAGE,
            "namespace": namespace(),
            "_links": {
                "curies": CURIES,
                "self": link("/"),
                **{rel: link(path) for rel, path in RESOURCES.items()},
            },
        }
    )
