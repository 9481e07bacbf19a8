"""Callers and caller groups: `/api/v1/callers`, `/api/v1/caller_groups`."""

from fastapi import APIRouter

router = APIRouter(tags=["callers"])
