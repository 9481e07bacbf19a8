"""Blocked numbers: `/api/v1/blocked_numbers`."""

from fastapi import APIRouter

router = APIRouter(prefix="/blocked_numbers", tags=["blocked numbers"])
