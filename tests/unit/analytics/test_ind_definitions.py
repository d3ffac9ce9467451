"""The indicator library: files load, rules hold, and docs/indicators.md is current."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from pydantic import ValidationError

from icsys.analytics.definitions.catalogue import render_catalogue
from icsys.analytics.definitions.loader import DefinitionError, load_file, load_library
from icsys.analytics.definitions.model import Indicator
from icsys.analytics.periods import periods_ending

DOCS = Path(__file__).resolve().parents[3] / "docs" / "indicators.md"


def test_the_library_loads_with_at_least_thirty_indicators():
    lib = load_library()
    assert len(lib.ids) >= 30
    assert len(set(lib.ids)) == len(lib.ids)
    assert len(lib.version) == 16


def test_the_catalogue_in_docs_is_current():
    assert DOCS.read_text(encoding="utf-8") == render_catalogue(), (
        "docs/indicators.md is stale: regenerate it with "
        "`python -c 'from icsys.analytics.definitions.catalogue import render_catalogue; "
        'open("docs/indicators.md", "w").write(render_catalogue())\'`'
    )


BASE = {
    "id": "test_rate",
    "title": "T",
    "description": "D",
    "domain": "urgent_care",
    "basis": "registered",
    "numerator": {"source": "ae_attendances"},
    "denominator": {"source": "population"},
    "method": "crude_rate",
    "multiplier": 1000,
}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"method": "dsr"}, "standard_population"),
        ({"numerator": {"source": "nowhere"}}, "unknown source"),
        (
            {"numerator": {"source": "ae_attendances", "where": [{"field": "x", "eq": 1}]}},
            "has no field",
        ),
        ({"breakdowns": ["shoe_size"]}, "unknown breakdown"),
        ({"basis": "provider"}, "has no provider basis"),
        ({"method": "count"}, "takes no denominator"),
        ({"numerator": {"source": "deaths"}, "basis": "registered"}, "no registered basis"),
        (
            {
                "numerator": {
                    "source": "ae_attendances",
                    "where": [{"field": "age", "ge": 1, "le": 2}],
                }
            },
            "exactly one",
        ),
    ],
)
def test_invalid_definitions_are_refused_with_the_reason(change, message):
    with pytest.raises(ValidationError, match=message):
        Indicator.model_validate(BASE | change)


def test_a_file_must_be_named_after_its_id(tmp_path):
    path = tmp_path / "other.yaml"
    path.write_text("id: test_rate\ntitle: T\n", encoding="utf-8")
    with pytest.raises(DefinitionError, match=r"other\.yaml"):
        load_file(path)


def test_periods_are_complete_financial_months_quarters_and_years():
    ps = periods_ending(date(2025, 5, 15), months=2, quarters=2, years=1)
    assert [p.label for p in ps] == ["2025-03", "2025-04", "2024-25 Q3", "2024-25 Q4", "2024-25"]
    assert ps[-1].start == date(2024, 4, 1)
    assert ps[-1].end == date(2025, 3, 31)
