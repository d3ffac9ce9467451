"""Routers of the portal. A new kind of page or API resource is a module here whose ``router``
is added to one of these lists (indicators, assessments and peers plug in the same way)."""

from __future__ import annotations

from fastapi import APIRouter

from icsys.web.routes import (
    api_admin,
    api_assessment,
    api_compare,
    api_governance,
    api_indicators,
    api_records,
    api_structure,
    pages_account,
    pages_admin,
    pages_assessment,
    pages_compare,
    pages_governance,
    pages_indicators,
    pages_records,
    pages_structure,
)

API_ROUTERS: list[APIRouter] = [
    api_structure.router,
    api_governance.router,
    api_compare.router,
    api_indicators.router,
    api_assessment.router,
    api_admin.router,
    api_records.router,
]
PAGE_ROUTERS: list[APIRouter] = [
    pages_structure.router,
    pages_governance.router,
    pages_compare.router,
    pages_indicators.router,
    pages_assessment.router,
    pages_account.router,
    pages_admin.router,
    pages_records.router,
]
