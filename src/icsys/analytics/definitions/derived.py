"""The Python extension point: indicators computed from other indicators' results.

A YAML file describes counts over sources; some indicators are functions of other indicators'
results instead — the slope index of inequality across deprivation quintiles, for example. A
:class:`DerivedIndicator` names its inputs and a ``compute`` function that receives the analyst
rows of those inputs (the ``indicator_values`` columns) and returns rows of its own (the same
columns; the service fills in the id, method and lineage). Add one by appending to
:data:`DERIVED`; the loader checks its inputs exist and folds it into the library version.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd  # type: ignore[import-untyped]

from icsys.analytics.methods.sii import SiiQuantiles, sii

Compute = Callable[[pd.DataFrame], pd.DataFrame]

SII_REPS = 1_000
QUINTILES = ("1", "2", "3", "4", "5")


@dataclass(frozen=True)
class DerivedIndicator:
    id: str
    title: str
    description: str
    domain: str
    inputs: tuple[str, ...]
    compute: Compute
    unit: str = ""
    improvement: str = "neutral"
    version: str = "1"
    method: str = "derived"


def sii_across_imd_quintiles(base: str, value_type: int, multiplier: float = 1.0) -> Compute:
    """SII of ``base`` across IMD quintiles (1 = most deprived), per area and period.

    ``value_type`` 1 (rate) or 2 (proportion; values are divided by ``multiplier`` first) uses
    PHE's log/logit transform of the limits for the standard errors; simulated 95 % limits with
    a fixed seed (so reruns agree). Cells with a missing or non-positive value are skipped.
    """

    def compute(rows: pd.DataFrame) -> pd.DataFrame:
        data = rows[
            (rows["indicator_id"] == base)
            & (rows["breakdown"] == "imd_quintile")
            & (rows["category"] == "")
            & rows["breakdown_value"].isin(QUINTILES)
        ]
        keys = [
            "level",
            "area_code",
            "parent_code",
            "period_type",
            "period",
            "period_start",
            "period_end",
        ]
        out = []
        for key, group in data.groupby(keys, sort=True, dropna=False):
            g = group.set_index("breakdown_value").reindex(list(QUINTILES))
            cols = [
                g[c].astype(float) / (multiplier if value_type == 2 else 1.0)
                for c in ("value", "lower", "upper")
            ]
            pops = g["denominator"].astype(float)
            if any(not (math.isfinite(v) and v > 0) for c in (*cols, pops) for v in c.tolist()) or (
                value_type == 2 and any(v >= 1 for c in cols for v in c.tolist())
            ):
                continue
            result = sii(
                SiiQuantiles(pops.tolist(), cols[0].tolist(), cols[1].tolist(), cols[2].tolist()),
                value_type=value_type,
                multiplier=multiplier if value_type == 2 else 1.0,
                reps=SII_REPS,
            )
            interval = result.sii_intervals[0]
            out.append(
                {
                    **dict(zip(keys, key, strict=True)),
                    "breakdown": "all",
                    "breakdown_value": "all",
                    "category": "",
                    "value": result.sii,
                    "numerator": None,
                    "denominator": float(pops.sum()),
                    "lower": interval.lower,
                    "upper": interval.upper,
                }
            )
        return pd.DataFrame(out)

    return compute


DERIVED: tuple[DerivedIndicator, ...] = (
    DerivedIndicator(
        id="sii_emergency_admissions",
        title="Slope index of inequality in emergency admissions (IMD quintiles)",
        description=(
            "The absolute gap in the directly standardised emergency admission rate across the "
            "deprivation gradient (PHE SII on IMD quintiles, most deprived first: a negative "
            "value means higher rates in more deprived areas)."
        ),
        domain="urgent_care",
        inputs=("emergency_admissions_dsr",),
        compute=sii_across_imd_quintiles("emergency_admissions_dsr", value_type=1),
        unit="per 100,000",
        improvement="increase",
    ),
    DerivedIndicator(
        id="sii_multimorbidity_2plus",
        title="Slope index of inequality in multimorbidity (2+ conditions, IMD quintiles)",
        description=(
            "The absolute gap in the percentage of registered people with two or more long-term "
            "conditions across the deprivation gradient (PHE SII, proportion with logit "
            "transform of the limits; most deprived first)."
        ),
        domain="long_term_conditions",
        inputs=("multimorbidity_2plus",),
        compute=sii_across_imd_quintiles("multimorbidity_2plus", value_type=2, multiplier=100),
        unit="percentage points",
        improvement="increase",
    ),
)
