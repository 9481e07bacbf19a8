"""Scripts: `/api/v1/scripts`."""

from fastapi import APIRouter

router = APIRouter(prefix="/scripts", tags=["scripts"])
