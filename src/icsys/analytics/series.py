"""SPC point types of every indicator's series in the finished frame, vectorised.

A series is one indicator, level, area, parent and category on the indicator's chart period
type (months, else quarters, else years), breakdown ``all``, in period order, with its missing
values left out. Series of two or more points get an XmR chart under the run's rules
(:func:`icsys.analytics.methods.spc_vector.xmr_batch`, which agrees exactly with
:func:`icsys.analytics.methods.spc.xmr_chart`); series of the same length are charted together.
"""

from __future__ import annotations

import numpy as np
import pandas as pd  # type: ignore[import-untyped]

from icsys.analytics.breakdown_codes import ALL
from icsys.analytics.frames import codes, group_ids
from icsys.analytics.methods.spc_rules import SpcRules
from icsys.analytics.methods.spc_vector import POINT_TYPES, xmr_batch

SERIES_KEYS = ("indicator_id", "level", "area_code", "parent_code", "category")
_SIGN = {"increase": 1, "decrease": -1, "neutral": 0}


def spc_point_types(
    out: pd.DataFrame, kinds: dict[str, str], directions: dict[str, str], rules: SpcRules
) -> pd.Categorical:
    """The point type of each row of ``out`` (missing off the charted series)."""
    result = np.full(len(out), -1, dtype=np.int8)
    ind, ids = pd.factorize(out["indicator_id"])
    period_type, types = pd.factorize(out["period_type"])
    type_code = {str(t): i for i, t in enumerate(types)}
    charted_type = np.array([type_code.get(kinds.get(str(i), ""), -2) for i in ids] + [-2])
    sign_of = np.array([_SIGN.get(directions.get(str(i), ""), 0) for i in ids] + [0])
    charted = (
        (out["breakdown"] == ALL).to_numpy()
        & (period_type == charted_type[ind])
        & out["value"].notna().to_numpy()
    )
    rows = np.flatnonzero(charted)
    if len(rows):
        series = out.iloc[rows]
        group, _first = group_ids(series, list(SERIES_KEYS))
        when, _n = codes(series["period_start"])
        order = np.lexsort((when, group))
        rows, group = rows[order], group[order]
        values = out["value"].to_numpy(float)[rows]
        starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
        lengths = np.diff(np.r_[starts, len(group)])
        finite = np.logical_and.reduceat(np.isfinite(values), starts)
        sign = sign_of[ind[rows[starts]]].astype(np.int64)
        for n in np.unique(lengths[(lengths >= 2) & finite]):
            chosen = np.flatnonzero((lengths == n) & finite)
            at = starts[chosen][:, None] + np.arange(n)[None, :]
            batch = xmr_batch(values[at], sign[chosen], rules)
            result[rows[at].ravel()] = batch.point_type.ravel()
    return pd.Categorical.from_codes(result, categories=list(POINT_TYPES))
