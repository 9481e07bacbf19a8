"""Tags and taggings: `/api/v1/tags`."""

from fastapi import APIRouter

router = APIRouter(prefix="/tags", tags=["tags"])
