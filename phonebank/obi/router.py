"""The OBI face at `/obi`: campaigns, customers and statistics, in JSON or XML."""

from fastapi import APIRouter

from phonebank.obi.campaigns import router as campaigns_router
from phonebank.obi.customers import router as customers_router
from phonebank.obi.statistics import router as statistics_router

router = APIRouter(prefix="/obi")
router.include_router(campaigns_router)
router.include_router(customers_router)
router.include_router(statistics_router)
