"""Maturity frameworks as versioned data: models, the safe rule language and the loader."""

from __future__ import annotations

from icsys.assessment.frameworks.expr import UnsafeExpressionError, parse
from icsys.assessment.frameworks.loader import (
    DEFAULT_FRAMEWORK,
    LoadedFramework,
    canonical_yaml,
    load_framework,
    shipped_frameworks,
    with_changes,
)
from icsys.assessment.frameworks.model import Criterion, Domain, Framework, Stage

__all__ = [
    "DEFAULT_FRAMEWORK",
    "Criterion",
    "Domain",
    "Framework",
    "LoadedFramework",
    "Stage",
    "UnsafeExpressionError",
    "canonical_yaml",
    "load_framework",
    "parse",
    "shipped_frameworks",
    "with_changes",
]
