"""Property: the Polars reference engine and the DuckDB engine agree on random small worlds."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from icsys.analytics import plan as plan_module
from icsys.analytics.definitions.loader import load_library
from icsys.analytics.definitions.model import Method
from icsys.analytics.engines.base import input_files
from icsys.analytics.engines.duckdb_engine import DuckDBEngine
from icsys.analytics.engines.reference_engine import ReferenceEngine
from icsys.analytics.families import LONG_COLUMNS, build_plan
from icsys.analytics.finish import MART_COLUMNS, finish
from icsys.analytics.methods.dsr import DSR_MIN_COUNT
from icsys.analytics.periods import periods_ending
from icsys.analytics.testing import END, synthetic_world

KEYS = [c for c in LONG_COLUMNS if c not in {"numerator", "denominator"}]
PLAN = build_plan(load_library())
PERIODS = periods_ending(END, months=2, quarters=1, years=1)


def _tidy(frame):
    frame = frame.astype({c: object for c in KEYS if c != "esp_band"})
    frame["parent_code"] = frame["parent_code"].fillna("")
    frame["esp_band"] = frame["esp_band"].astype(int)
    return frame


@settings(max_examples=4, deadline=None)
@given(seed=st.integers(0, 2**31), persons=st.integers(5, 60))
def test_reference_and_duckdb_agree(seed, persons):
    with tempfile.TemporaryDirectory() as tmp:
        world = synthetic_world(Path(tmp), seed=seed, persons=persons)
        with input_files(world.lake, world.structure, PERIODS) as inputs:
            a = _tidy(DuckDBEngine().aggregate(PLAN, inputs))
            b = _tidy(ReferenceEngine().aggregate(PLAN, inputs))
    merged = a.merge(b, on=KEYS, how="outer", suffixes=("_d", "_r"), indicator=True)
    assert (merged["_merge"] == "both").all()
    for col in ("numerator", "denominator"):
        assert np.allclose(merged[f"{col}_d"], merged[f"{col}_r"], equal_nan=True)


def test_a_selection_reads_only_its_condition_flags_and_gives_the_same_rows(tmp_path):
    ids = ["prevalence_diabetes", "prevalence_diabetes_dsr", "registered_population"]
    world = synthetic_world(tmp_path, seed=3, persons=80)
    with input_files(world.lake, world.structure, PERIODS) as inputs:
        full = _tidy(DuckDBEngine().aggregate(PLAN, inputs))
        some = _tidy(DuckDBEngine().aggregate(build_plan(load_library().select(ids)), inputs))
    full = full[full["indicator_id"].isin(ids)]
    merged = some.merge(full, on=KEYS, how="outer", suffixes=("_s", "_f"), indicator=True)
    assert (merged["_merge"] == "both").all()
    assert (merged["numerator_s"] > 0).any()
    for col in ("numerator", "denominator"):
        assert np.allclose(merged[f"{col}_s"], merged[f"{col}_f"], equal_nan=True)


def test_age_standardised_rates_summed_in_the_engine_equal_those_summed_per_band(tmp_path):
    """The service has the engine sum DSR cells over the age bands (far fewer rows): the
    values, limits and the rule for a band with events but no population are unchanged."""
    library = load_library()
    periods = periods_ending(END, months=2, quarters=1, years=1)
    world = synthetic_world(tmp_path, seed=11, persons=400)
    with input_files(world.lake, world.structure, periods) as inputs:
        banded = DuckDBEngine().aggregate(PLAN, inputs)
        summed = DuckDBEngine().aggregate(PLAN, inputs, standardise=True)
    dsr = {i.id for i in library.indicators if i.method is Method.DSR}
    assert (
        len(summed[summed["indicator_id"].isin(dsr)])
        < len(banded[banded["indicator_id"].isin(dsr)]) / 3
    )
    keys = [
        c for c in MART_COLUMNS if c not in {"value", "numerator", "denominator", "lower", "upper"}
    ]
    a = finish(library, banded, periods).astype(dict.fromkeys(keys, object))
    b = finish(library, summed, periods).astype(dict.fromkeys(keys, object))
    a, b = a[a["indicator_id"].isin(dsr)], b[b["indicator_id"].isin(dsr)]
    merged = a.fillna({"parent_code": ""}).merge(
        b.fillna({"parent_code": ""}), on=keys, how="outer", indicator=True
    )
    assert (merged["_merge"] == "both").all()
    assert merged["value_x"].notna().sum() > 20  # enough rates with 10 or more events
    void = merged["value_x"].isna() & (merged["numerator_x"] >= DSR_MIN_COUNT)
    assert void.any()  # some cells with events in a band without population
    for col in ("value", "numerator", "denominator", "lower", "upper"):
        assert np.allclose(merged[f"{col}_x"], merged[f"{col}_y"], rtol=1e-12, equal_nan=True)


def test_the_population_a_chunk_of_period_ends_at_a_time_gives_the_same_rows(tmp_path, monkeypatch):
    world = synthetic_world(tmp_path, seed=11, persons=60)
    chunks = []
    whole = plan_module._snapshot_chunks

    def recorded(*args):
        found = whole(*args)
        chunks.append(len(found))
        return found

    monkeypatch.setattr(plan_module, "PERSON_DATES_AT_ONCE", 1)  # one period end a chunk
    monkeypatch.setattr(plan_module, "_snapshot_chunks", recorded)
    with input_files(world.lake, world.structure, PERIODS) as inputs:
        chunked = _tidy(DuckDBEngine().aggregate(PLAN, inputs))
        reference = _tidy(ReferenceEngine().aggregate(PLAN, inputs))
    assert max(chunks) == len({p.end for p in PERIODS})  # the population families were split
    merged = chunked.merge(reference, on=KEYS, how="outer", suffixes=("_c", "_r"), indicator=True)
    assert (merged["_merge"] == "both").all()
    for col in ("numerator", "denominator"):
        assert np.allclose(merged[f"{col}_c"], merged[f"{col}_r"], equal_nan=True)
