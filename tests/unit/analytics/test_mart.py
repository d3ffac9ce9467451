"""The mart's Arrow tables: what is written is what the frame holds."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pyarrow as pa

from icsys.analytics import mart


def _frame() -> pd.DataFrame:
    periods = ["2024-04", "2024-05", "2024-25", "2023-24"]  # 2023-24: no row has it
    codes = [1, 0, -1, 2, 1, 0, 2]  # -1: a row without a known period
    starts = {0: date(2024, 4, 1), 1: date(2024, 5, 1), 2: date(2024, 4, 1)}
    ends = {0: date(2024, 4, 30), 1: date(2024, 5, 31), 2: date(2025, 3, 31)}
    n = len(codes)
    frame = pd.DataFrame({f.name: [None] * n for f in mart.SCHEMA if f.type == pa.string()})
    for name in ("value", "numerator", "denominator", "lower", "upper"):
        frame[name] = [float(i) for i in range(n)]
    frame["indicator_id"] = "x"
    frame["period"] = pd.Categorical.from_codes(codes, periods)
    frame["period_start"] = pd.Series([starts.get(c) for c in codes], dtype=object)
    frame["period_end"] = pd.Series([ends.get(c) for c in codes], dtype=object)
    return frame


def test_period_dates_are_each_rows_own() -> None:
    frame = _frame()
    table = mart.arrow_rows(frame, {"run_id": "r", "definitions_version": "v"})
    for name in mart.PERIOD_DATES:
        assert table[name].to_pylist() == frame[name].tolist()
    plain = frame.assign(period=frame["period"].astype(object))
    row_by_row = mart.arrow_rows(plain, {"run_id": "r", "definitions_version": "v"})
    assert row_by_row.cast(mart.SCHEMA).equals(table.cast(mart.SCHEMA))
