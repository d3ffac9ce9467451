"""The people behind the population families (icsys.analytics.people)."""

from __future__ import annotations

import ibis
import pytest

from icsys.analytics.engines.base import input_files
from icsys.analytics.people import People
from icsys.analytics.periods import periods_ending
from icsys.analytics.testing import END, synthetic_world

pytestmark = pytest.mark.filterwarnings("ignore:fetch_arrow_table:DeprecationWarning")


@pytest.fixture(scope="module")
def people(tmp_path_factory: pytest.TempPathFactory):
    world = synthetic_world(tmp_path_factory.mktemp("world"), seed=3, persons=300)
    periods = periods_ending(END, months=6, quarters=2, years=1)
    with input_files(world.lake, world.structure, periods) as inputs:
        con = ibis.duckdb.connect()
        tables = {name: con.read_parquet(paths) for name, paths in inputs.tables.items()}
        yield People(tables.__getitem__, ["month", "quarter", "financial_year"])
        con.disconnect()


@pytest.mark.parametrize("basis", ["registered", "resident"])
def test_a_units_size_bounds_its_people_on_every_date(people: People, basis: str):
    # the lanes of a population family are as wide as this bound needs (icsys.analytics.lanes)
    pop = people.population(basis, full=False)
    counts = pop.group_by(["snap", "unit"]).aggregate(n=pop.count()).to_pandas()
    sizes = people.unit_sizes(basis).to_pandas()
    bound = dict(zip(sizes["unit"], sizes["n"], strict=True))
    assert len(counts) > 0
    for unit, n in zip(counts["unit"], counts["n"], strict=True):
        assert n <= bound[unit], (unit, n)
    assert counts["n"].max() <= sizes["n"].max()


def test_on_another_basis_everyone_is_one_unit(people: People):
    sizes = people.unit_sizes("provider").to_pandas()
    everyone = people.people().count().to_pyarrow().as_py()
    assert sizes["n"].tolist() == [everyone]
