"""Recorded messages: `/api/v1/messages`."""

from fastapi import APIRouter

router = APIRouter(prefix="/messages", tags=["messages"])
