"""Lists and their members: `/api/v1/lists`."""

from fastapi import APIRouter

router = APIRouter(prefix="/lists", tags=["lists"])
