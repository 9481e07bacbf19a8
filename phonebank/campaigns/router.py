"""Campaigns: `/api/v1/campaigns`."""

from fastapi import APIRouter

router = APIRouter(prefix="/campaigns", tags=["campaigns"])
