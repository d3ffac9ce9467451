"""The Python extension point: indicators computed from other indicators' results.

A YAML file describes counts over sources; some indicators are functions of other indicators'
results instead — the slope index of inequality across deprivation quintiles, for example. A
:class:`DerivedIndicator` names its inputs and a ``compute`` function that receives the analyst
rows of those inputs (the ``indicator_values`` columns) and returns rows of its own (the same
columns; the service fills in the id, method and lineage). Add one by appending to
:data:`DERIVED`; the loader checks its inputs exist and folds it into the library version.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd  # type: ignore[import-untyped]

from icsys.analytics.methods.sii_vector import sii_many

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
        if data.empty:
            return pd.DataFrame()
        keys = [
            "level",
            "area_code",
            "parent_code",
            "period_type",
            "period",
            "period_start",
            "period_end",
        ]
        group = data.groupby(keys, sort=True, dropna=False).ngroup().to_numpy()
        quintile = data["breakdown_value"].map({q: i for i, q in enumerate(QUINTILES)})
        at = (group, quintile.to_numpy(int))
        scale = multiplier if value_type == 2 else 1.0

        def wide(column: str, by: float = 1.0) -> npt.NDArray[np.float64]:
            out = np.full((int(group.max()) + 1, len(QUINTILES)), np.nan)
            out[at] = data[column].to_numpy(float) / by
            return out

        value, lower, upper = (wide(c, scale) for c in ("value", "lower", "upper"))
        pops = wide("denominator")
        ok = np.logical_and.reduce([np.isfinite(a) & (a > 0) for a in (value, lower, upper, pops)])
        if value_type == 2:
            ok &= (value < 1) & (lower < 1) & (upper < 1)
        ok = ok.all(axis=1)
        if not ok.any():
            return pd.DataFrame()
        first = np.unique(group, return_index=True)[1][ok]
        slope, low, high = sii_many(
            pops[ok],
            value[ok],
            lower[ok],
            upper[ok],
            value_type=value_type,
            multiplier=scale,
            reps=SII_REPS,
        )
        return (
            data.iloc[first][keys]
            .reset_index(drop=True)
            .assign(
                breakdown="all",
                breakdown_value="all",
                category="",
                value=slope,
                numerator=None,
                denominator=pops[ok].sum(axis=1),
                lower=low,
                upper=high,
            )
        )

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
