"""Family results with integer keys (icsys.analytics.coded) and the long frame built from them
(icsys.analytics.long): the numbers stand for the right text, and the long frame is the same
whether a family's keys arrive numbered or as plain text."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from icsys.analytics.breakdown_codes import CELLS
from icsys.analytics.coded import Dictionaries, area_dictionary, decode
from icsys.analytics.definitions.loader import load_library
from icsys.analytics.engines.base import input_files
from icsys.analytics.engines.duckdb_engine import DuckDBEngine
from icsys.analytics.families import KEY_COLUMNS, build_plan
from icsys.analytics.long import long_frame
from icsys.analytics.periods import periods_ending
from icsys.analytics.testing import END, synthetic_world

pytestmark = pytest.mark.filterwarnings("ignore:fetch_arrow_table:DeprecationWarning")


def test_numbers_decode_to_their_text() -> None:
    sex = next(i for i, (b, _v) in enumerate(CELLS) if b == "sex")
    table = pa.table(
        {
            "period_no": pa.array([1, 0], pa.int64()),
            "level_no": pa.array([0, 1], pa.int8()),
            "area_no": pa.array([2, 0], pa.int32()),
            "parent_no": pa.array([0, None], pa.int32()),
            "cell": pa.array([sex, 0], pa.int32()),
            "esp_band": pa.array([3, -1], pa.int64()),
            "m0": pa.array([5.0, 7.0]),
        }
    )
    known = Dictionaries(
        periods=pa.array(["month:2024-01", "quarter:2024-Q4"]),
        levels=("pcn", "england"),
        areas=pa.array(["E92000001", "U1", "U2"]),
    )
    out = decode(table, known, ["m0"])
    assert out.column_names == [*KEY_COLUMNS, "m0"]
    rows = out.to_pylist()
    assert rows[0] == {
        "period_id": "quarter:2024-Q4",
        "level": "pcn",
        "area_code": "U2",
        "parent_code": "E92000001",
        "breakdown": CELLS[sex][0],
        "breakdown_value": CELLS[sex][1],
        "esp_band": 3,
        "m0": 5.0,
    }
    assert rows[1]["parent_code"] is None
    assert (rows[1]["breakdown"], rows[1]["breakdown_value"]) == CELLS[0]


def test_area_numbers_must_run_from_zero() -> None:
    numbered = pa.table({"code": ["B", "A"], "area_no": pa.array([1, 0], pa.int32())})
    assert area_dictionary(numbered).to_pylist() == ["A", "B"]
    with pytest.raises(ValueError, match="area numbers"):
        area_dictionary(pa.table({"code": ["A"], "area_no": pa.array([1], pa.int32())}))


def _as_text(table: pa.Table) -> pa.Table:
    for i, field in enumerate(table.schema):
        if pa.types.is_dictionary(field.type):
            table = table.set_column(i, field.name, pc.cast(table.column(i), pa.string()))
    return table


def test_the_long_frame_is_the_same_from_numbered_and_from_text_keys(tmp_path: Path) -> None:
    library = load_library().select(
        ["registered_population", "prevalence_diabetes_dsr", "emergency_admissions_dsr"]
    )
    plan = build_plan(library)
    periods = periods_ending(END, months=3, quarters=2, years=1)
    world = synthetic_world(tmp_path, seed=3, persons=60)
    with input_files(world.lake, world.structure, periods) as inputs:
        results = dict(DuckDBEngine().families(plan, inputs))
    assert all(pa.types.is_dictionary(t.schema.field("area_code").type) for t in results.values())
    numbered = long_frame(plan, results, standardise=True)
    text = long_frame(plan, {k: _as_text(t) for k, t in results.items()}, standardise=True)
    assert len(numbered) > 0
    assert set(numbered["indicator_id"]) == set(library.ids)

    def tidy(frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame.astype({c: object for c in frame.columns if frame[c].dtype == "category"})
        keys = [c for c in frame.columns if frame[c].dtype == object] + ["esp_band"]
        return frame.fillna({"parent_code": ""}).sort_values(keys).reset_index(drop=True)

    pd.testing.assert_frame_equal(tidy(numbered), tidy(text))
