"""Every indicator on every engine: DuckDB, Spark (local) and the Polars reference agree.

One random world (``icsys.analytics.testing``) is computed by each engine; the long aggregate
frames (numerators and denominators per indicator, period, level, area, breakdown, category and
age band) must be equal, and so must the finished values.
"""

from __future__ import annotations

import importlib.util
import shutil
import warnings

import numpy as np
import pandas as pd
import pytest

from icsys.analytics.definitions.loader import load_library
from icsys.analytics.engines.base import input_files
from icsys.analytics.engines.duckdb_engine import DuckDBEngine
from icsys.analytics.engines.reference_engine import ReferenceEngine
from icsys.analytics.families import LONG_COLUMNS, build_plan
from icsys.analytics.finish import finish
from icsys.analytics.periods import periods_ending
from icsys.analytics.testing import END, synthetic_world

KEYS = [c for c in LONG_COLUMNS if c not in {"numerator", "denominator"}]
PERIODS = periods_ending(END, months=3, quarters=3, years=2)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory):
    return synthetic_world(tmp_path_factory.mktemp("world"), seed=7, persons=250)


@pytest.fixture(scope="module")
def plan():
    return build_plan(load_library())


def _run(engine, plan, world) -> pd.DataFrame:
    with input_files(world.lake, world.structure, PERIODS) as inputs:
        frame = engine.aggregate(plan, inputs)
    frame = frame.astype({c: object for c in KEYS if c != "esp_band"})
    frame["parent_code"] = frame["parent_code"].fillna("")
    frame["esp_band"] = frame["esp_band"].astype(int)
    return frame.sort_values(KEYS, ignore_index=True)


@pytest.fixture(scope="module")
def duckdb_result(plan, world):
    return _run(DuckDBEngine(), plan, world)


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    merged = a.merge(b, on=KEYS, how="outer", suffixes=("_a", "_b"), indicator=True)
    assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"].head()
    for col in ("numerator", "denominator"):
        ok = np.isclose(merged[f"{col}_a"], merged[f"{col}_b"], equal_nan=True, rtol=1e-9)
        assert ok.all(), merged[~ok].head()


def test_every_indicator_has_values(duckdb_result):
    library = load_library()
    produced = set(duckdb_result["indicator_id"])
    assert produced == {i.id for i in library.indicators}
    for ind in library.indicators:
        rows = duckdb_result[duckdb_result["indicator_id"] == ind.id]
        assert (rows["numerator"] != 0).any(), ind.id


def test_reference_engine_agrees_with_duckdb(plan, world, duckdb_result):
    _same(duckdb_result, _run(ReferenceEngine(), plan, world))


@pytest.fixture(scope="session")
def spark_session(missing_service):
    if shutil.which("java") is None:
        missing_service("no Java: the Spark engine cannot start")
    if importlib.util.find_spec("pyspark") is None:
        missing_service("pyspark is not installed (pip install -e '.[spark]')")
    from icsys.analytics.engines.spark_engine import local_session  # noqa: PLC0415 - only with Java

    with warnings.catch_warnings():
        # py4j/pyspark raise DeprecationWarnings on start-up (distutils, typing.io); not ours
        warnings.simplefilter("ignore", DeprecationWarning)
        # stopped with the JVM at exit: stopping it early makes py4j warn
        return local_session(2)


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::DeprecationWarning:pyspark")
@pytest.mark.filterwarnings("ignore::DeprecationWarning:py4j")
@pytest.mark.filterwarnings("ignore::FutureWarning:pyspark")
# py4j leaves its gateway socket to the garbage collector: not ours, and harmless
@pytest.mark.filterwarnings("ignore:unclosed <socket.socket:ResourceWarning")
@pytest.mark.filterwarnings(
    "ignore:Exception ignored in. <socket.socket:pytest.PytestUnraisableExceptionWarning"
)
def test_spark_agrees_with_duckdb(spark_session, plan, world, duckdb_result):
    from icsys.analytics.engines.spark_engine import SparkEngine  # noqa: PLC0415 - only with Java

    engine = SparkEngine(spark_session)
    try:
        spark_result = _run(engine, plan, world)
    finally:
        engine.release()
    _same(duckdb_result, spark_result)
    library = load_library()
    a = finish(library, duckdb_result, PERIODS).fillna({"parent_code": ""})
    b = finish(library, spark_result, PERIODS).fillna({"parent_code": ""})
    keys = [
        "indicator_id",
        "level",
        "area_code",
        "parent_code",
        "period",
        "breakdown",
        "breakdown_value",
        "category",
    ]
    merged = a.merge(b, on=keys, suffixes=("_a", "_b"))
    assert len(merged) == len(a) == len(b)
    for col in ("value", "lower", "upper"):
        assert np.allclose(merged[f"{col}_a"], merged[f"{col}_b"], equal_nan=True, rtol=1e-9)
    point_types = [merged[f"spc_point_type_{s}"].astype(object).fillna("") for s in "ab"]
    assert (point_types[0] == point_types[1]).all()
