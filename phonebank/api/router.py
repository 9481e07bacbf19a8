"""The native API under `/api/v1`: every domain router, and an index to explore them."""

from typing import Any

from fastapi import APIRouter

from phonebank.auth.router import router as service_accounts_router
from phonebank.blocked_numbers.router import router as blocked_numbers_router
from phonebank.callers.router import router as callers_router
from phonebank.calling.events_router import router as caller_events_router
from phonebank.calling.router import router as caller_router
from phonebank.calling.supervisor_router import router as supervisor_router
from phonebank.calls.compliance_router import router as campaign_compliance_router
from phonebank.calls.results_router import router as campaign_results_router
from phonebank.calls.router import campaign_calls_router
from phonebank.calls.router import router as calls_router
from phonebank.campaigns.router import router as campaigns_router
from phonebank.hosted.router import router as hosted_router
from phonebank.kit.urls import absolute_url
from phonebank.lists.router import router as lists_router
from phonebank.messages.router import router as messages_router
from phonebank.organizations.router import router as organization_router
from phonebank.people.import_router import router as people_import_router
from phonebank.people.router import router as people_router
from phonebank.planning.router import router as planning_router
from phonebank.scripts.router import router as scripts_router
from phonebank.tags.router import router as tags_router
from phonebank.webhooks.router import router as webhooks_router

PREFIX = "/api/v1"

# (name, path, router): the index below is built from this list, so it cannot drift.
RESOURCES: list[tuple[str, str, APIRouter]] = [
    ("organization", "/organization", organization_router),
    ("service_accounts", "/service_accounts", service_accounts_router),
    ("people", "/people", people_router),
    ("tags", "/tags", tags_router),
    ("lists", "/lists", lists_router),
    ("scripts", "/scripts", scripts_router),
    ("messages", "/messages", messages_router),
    ("campaigns", "/campaigns", campaigns_router),
    ("callers", "/callers", callers_router),
    ("caller_groups", "/caller_groups", callers_router),
    ("blocked_numbers", "/blocked_numbers", blocked_numbers_router),
    ("calls", "/calls", calls_router),
    ("caller_sessions", "/caller_sessions", supervisor_router),
    ("caller", "/caller", caller_router),
    ("webhooks", "/webhooks", webhooks_router),
    ("call", "/call", hosted_router),
    ("phone_number_lists", "/phone_number_lists", hosted_router),
]

router = APIRouter(prefix=PREFIX)
_included: list[APIRouter] = []
for _name, _path, _router in RESOURCES:
    if not any(_router is seen for seen in _included):  # one router may serve two resources
        router.include_router(_router)
        _included.append(_router)
router.include_router(campaign_calls_router)
router.include_router(caller_events_router)
router.include_router(campaign_results_router)
router.include_router(campaign_compliance_router)
router.include_router(people_import_router)
router.include_router(planning_router)


@router.get("", tags=["index"])
async def index() -> dict[str, Any]:
    """Every resource of the API with its URI, so it can be explored from a browser."""
    return {
        "uri": absolute_url(PREFIX),
        "name": "Phonebank API",
        "version": "v1",
        "docs": absolute_url("/docs"),
        "authentication": [
            "Authorization: Bearer <api key>",
            "OSDI-API-Token: <api key>",
            "api_key=<key id>&api_auth=<secret>",
        ],
        "resources": [
            {"name": name, "uri": absolute_url(PREFIX + path)} for name, path, _ in RESOURCES
        ],
    }
