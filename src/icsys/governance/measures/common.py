"""What every measure shares: the result row and safe ratios and medians."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

ALL_SYSTEMS = "ALL"


@dataclass(frozen=True)
class MeasureValue:
    """One measure for one scope (a body, a system, or all systems) over one period.

    ``value`` is ``numerator / denominator`` for shares and rates (``None`` when the denominator
    is 0), or the statistic itself (a median) with ``denominator`` the number of observations.
    """

    family: str  # transparency | partner_voice | delegation | leadership
    measure: str
    system_code: str
    body_id: str | None
    breakdown: str | None
    value: float | None
    numerator: float | None
    denominator: float | None
    period_start: str
    period_end: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def median(values: Sequence[float]) -> float | None:
    return float(statistics.median(values)) if values else None
