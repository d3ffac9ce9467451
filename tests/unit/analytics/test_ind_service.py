"""`icsys indicators compute` writes the mart one indicator at a time: the rows it writes must be
exactly those of computing the whole library at once (values, limits, SPC, derived indicators,
and the public view), and a run that fails part-way must leave the previous run current."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from icsys.analytics import mart, post, service
from icsys.analytics.definitions.loader import load_library
from icsys.analytics.engines.base import FEEDS, input_files
from icsys.analytics.families import build_plan
from icsys.analytics.periods import periods_ending
from icsys.analytics.public import DisclosurePolicy, public_view
from icsys.analytics.structure import build_structure
from icsys.config import Settings
from icsys.feeds.lake import committed_files
from icsys.store.db import open_store
from icsys.synth.demo import build_demo
from icsys.synth.population.generate import PopulationSpec
from icsys.synth.population.service import synthesise_population

# a count, a proportion by category with category totals, a DSR, a crude rate, and a derived
# indicator with its input: every path of the per-indicator finish
INDICATORS = [
    "registered_population",
    "segment_share_people",
    "emergency_admissions_dsr",
    "emergency_admissions_rate",
    "multimorbidity_2plus",
    "sii_multimorbidity_2plus",
]


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = Settings(home=tmp_path_factory.mktemp("service") / "icsys-data")
    engine = open_store(settings)
    build_demo(engine, settings)
    synthesise_population(
        engine, settings, PopulationSpec(persons=2000, years=2, seed=5, workers=1)
    )
    engine.dispose()
    return settings


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    keys = ["indicator_id", "level", "area_code", "period", "breakdown", "breakdown_value"]
    frame = frame.astype({c: object for c in frame.columns if frame[c].dtype.name == "category"})
    frame = frame.drop(columns=["run_id", "definitions_version"], errors="ignore")
    for col in frame.columns:  # a missing text is None in both (pandas mixes None and NaN)
        if frame[col].dtype == object:
            frame[col] = frame[col].where(frame[col].notna(), None)
    return frame.sort_values([*keys, "category"], kind="stable").reset_index(drop=True)


def test_mart_written_per_indicator_equals_the_whole_computation(home: Settings) -> None:
    store = open_store(home)
    result = service.compute(  # two worker processes finish the indicators
        home, store, indicators=INDICATORS, months=13, quarters=4, years=1, workers=2
    )
    library = load_library().select(INDICATORS)
    periods = periods_ending(result.period_end, months=13, quarters=4, years=1)
    structure = build_structure(store, result.as_of)
    lake = {f: committed_files(home, f) for f in FEEDS}
    whole = service.compute_values(library, service.make_engine("duckdb"), lake, structure, periods)
    public = public_view(whole, DisclosurePolicy(), library)
    written = mart.read_values(home, public=False)
    written_public = mart.read_values(home, public=True)
    assert result.rows == len(whole) == len(written)
    run = mart.mart_dir(home) / f"run={result.run_id}"
    for name in ("values", "public"):  # a part an indicator, read as one table of plain text
        assert len(list((run / name).glob("part-*.parquet"))) == len(INDICATORS)
        assert pq.read_table(mart.view_path(run, name)).schema.equals(mart.SCHEMA)
    assert set(written["indicator_id"]) == {*INDICATORS}
    # a reader's filter skips files and row groups by the columns' statistics
    part = pq.ParquetFile(next((run / "public").glob("part-*.parquet")))
    group = part.metadata.row_group(0)
    columns = [group.column(i) for i in range(group.num_columns)]
    stats = {c.path_in_schema for c in columns if c.statistics}
    assert stats == set(mart.FILTERED)
    last = written_public[written_public["indicator_id"] == INDICATORS[-1]]
    area = str(last["area_code"].iloc[len(last) // 2])
    one = service.values(home, indicator=INDICATORS[-1], area=area)
    chosen = last[last["area_code"] == area]
    assert len(one) == len(chosen) > 0
    expected = _sorted(whole.assign(disclosure=""))
    pd.testing.assert_frame_equal(
        _sorted(written)[expected.columns], expected, check_dtype=False, check_categorical=False
    )
    expected_public = _sorted(public)
    assert (expected_public["disclosure"] != "").any()
    pd.testing.assert_frame_equal(
        _sorted(written_public)[expected_public.columns],
        expected_public,
        check_dtype=False,
        check_categorical=False,
    )


def test_a_run_failing_part_way_leaves_the_previous_run(
    home: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = open_store(home)
    first = service.compute(home, store, indicators=INDICATORS[:2], months=13, quarters=4, years=1)
    calls = []

    def failing(frame: pd.DataFrame, *args: object, **kwargs: object) -> pd.DataFrame:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("interrupted")
        return public_view(frame, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(post, "public_view", failing)
    with pytest.raises(RuntimeError, match="interrupted"):
        service.compute(
            home, store, indicators=INDICATORS, months=13, quarters=4, years=1, workers=1
        )
    current = mart.read_current(home)
    assert current is not None
    assert current["run_id"] == first.run_id
    assert set(mart.read_values(home, public=False)["indicator_id"]) == set(INDICATORS[:2])
    assert not [p for p in Path(mart.mart_dir(home)).iterdir() if p.name.startswith(".staging")]


def test_an_indicator_is_finished_as_soon_as_its_families_are_out(home: Settings) -> None:
    store = open_store(home)
    library = load_library().select(INDICATORS)
    periods = periods_ending(service.data_end(home), months=13, quarters=4, years=1)
    structure = build_structure(store, max(p.end for p in periods))
    lake = {f: committed_files(home, f) for f in FEEDS}
    plan = build_plan(library)
    events: list[str] = []
    with input_files(lake, structure, periods) as files:
        computed = list(service.make_engine("duckdb").families(plan, files))

    def one_by_one() -> Iterator[tuple[str, pa.Table]]:
        for key, table in computed:
            events.append(f"family {key}")
            yield key, table

    reads = {ip.indicator.id: {ip.numerator.family} for ip in plan.indicators}
    for ip in plan.indicators:
        if ip.denominator is not None:
            reads[ip.indicator.id].add(ip.denominator.family)
    with mart.MartWriter(home, library.version) as writer:
        for part in post.parts(library, one_by_one(), periods, DisclosurePolicy(), writer):
            events.append(part.indicator_id)  # noqa: PERF401 - families are logged in between
    order = [key for key, _table in computed]
    assert len(order) > 1  # more than one family: parts come between them
    for indicator, families in reads.items():
        last = max(order.index(f) for f in families)
        at = events.index(indicator)
        assert events.index(f"family {order[last]}") < at  # not before its families are out
        if last + 1 < len(order):  # and finished before the next family is asked for
            assert at < events.index(f"family {order[last + 1]}")
