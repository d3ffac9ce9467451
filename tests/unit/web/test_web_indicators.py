"""Indicator pages and API: the public view for everyone, unsuppressed only for the area's analyst.

The demo world of ``conftest.py`` has no population; this module adds a small synthetic one and
computes three indicators (one derived) into the mart, the smallest run that has suppressed
cells at every level.
"""

from __future__ import annotations

import csv
import html
import io

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from icsys.analytics import service
from icsys.analytics.definitions.loader import load_library
from icsys.config import Settings
from icsys.store.web_models import access_audit
from icsys.synth.population.generate import PopulationSpec
from icsys.synth.population.service import synthesise_population
from icsys.web.app import create_app

IND = "multimorbidity_2plus"
KEY = ["level", "area_code", "period", "breakdown", "breakdown_value", "category"]
COUNTS = ["numerator", "denominator", "value"]


@pytest.fixture(scope="module")
def mart(world):
    synthesise_population(
        world.engine, world.settings, PopulationSpec(persons=2500, years=2, seed=11, workers=1)
    )
    service.compute(
        world.settings,
        world.engine,
        indicators=[IND, "emergency_admissions_rate", "sii_multimorbidity_2plus"],
        months=13,
        quarters=4,
        years=1,
    )
    analyst = service.values(world.settings, indicator=IND, public=False)
    public = service.values(world.settings, indicator=IND, public=True)
    return analyst, public


def _api_rows(client: TestClient, query: str) -> pd.DataFrame:
    response = client.get(f"/api/v1/indicators/{IND}/values?{query}&format=csv")
    assert response.status_code == 200, response.text
    return pd.read_csv(io.StringIO(response.text), dtype={"category": str}, keep_default_na=True)


def _merged(found: pd.DataFrame, mart_rows: pd.DataFrame) -> pd.DataFrame:
    left = found.assign(category=found["category"].fillna(""))
    return left.merge(mart_rows, on=KEY, suffixes=("", "_mart"), validate="one_to_one")


def _same(merged: pd.DataFrame) -> bool:
    for col in COUNTS:
        a, b = merged[col], merged[f"{col}_mart"]
        if not ((a.isna() & b.isna()) | ((a - b).abs() < 1e-9)).all():
            return False
    return True


def _suppressed(public: pd.DataFrame) -> pd.DataFrame:
    return public[public["disclosure"].isin(["primary", "secondary"])]


def test_anonymous_never_sees_a_suppressed_count(mart, clients, world):
    analyst, public = mart
    hidden = _suppressed(public)
    assert not hidden.empty  # the test can fail: some cells are suppressed
    merged = hidden.merge(analyst, on=KEY, suffixes=("", "_analyst"))
    assert merged["numerator_analyst"].notna().all()  # ...and the analyst rows have them
    for role in ("anonymous", "member"):
        found = _api_rows(clients[role], f"area={world.system}")
        rows = _merged(found, public)
        assert _same(rows), role
        secret = rows[rows["disclosure_mart"].isin(["primary", "secondary"])]
        assert secret["numerator"].isna().all()
        assert secret["value"].isna().all()


def test_the_analyst_sees_unsuppressed_values_for_their_system_only(mart, clients, world):
    analyst, public = mart
    client = clients["analyst"]
    mine = _api_rows(client, "level=pcn")
    own = mine[mine["system_code"] == world.system]
    other = mine[mine["system_code"] != world.system]
    assert not own.empty
    assert not other.empty
    assert (own["disclosure"] == "unsuppressed").all()
    assert _same(_merged(own, analyst.assign(disclosure="unsuppressed")))
    assert (other["disclosure"] != "unsuppressed").all()
    assert _same(_merged(other, public))
    # the analyst's own rows include cells the public view suppresses
    own_hidden = _merged(own, public)
    assert own_hidden["disclosure_mart"].isin(["primary", "secondary"]).any()
    # England and the regions are no one system's: the public view
    top = _api_rows(client, "level=england")
    assert _same(_merged(top, public))


def test_csv_downloads_follow_the_same_rule(mart, clients, world):
    analyst, public = mart
    hidden = _merged(
        public[public["area_code"].map(_system_of(public)) == world.system]
        .pipe(_suppressed)
        .drop(columns=[]),
        analyst,
    )
    area = hidden["area_code"].iloc[0]
    for role, expected in (("anonymous", public), ("analyst", analyst)):
        response = clients[role].get(f"/indicators/{IND}.csv?area={area}")
        assert response.status_code == 200
        assert response.headers["content-disposition"].startswith("attachment")
        found = pd.read_csv(io.StringIO(response.text), dtype={"category": str})
        assert set(found["area_code"]) == {area}
        assert _same(_merged(found, expected)), role
    other = public[(public["level"] == "system") & (public["area_code"] != world.system)]
    response = clients["analyst"].get(f"/indicators/{IND}.csv?area={other['area_code'].iloc[0]}")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert rows
    assert all(r["disclosure"] != "unsuppressed" for r in rows)


def _system_of(public: pd.DataFrame) -> dict[str, str]:
    pairs = public[["level", "area_code", "parent_code"]].drop_duplicates()
    found = {a: a for lv, a, _ in pairs.itertuples(index=False) if lv == "system"}
    found |= {a: p for lv, a, p in pairs.itertuples(index=False) if lv in {"place", "sub_icb"}}
    found |= {a: found.get(p, "") for lv, a, p in pairs.itertuples(index=False) if lv == "pcn"}
    return found


def test_unsuppressed_reads_are_audited_and_public_reads_are_not(mart, clients, world):
    def reads() -> list[tuple[str, str]]:
        with world.engine.connect() as conn:
            return list(
                conn.execute(
                    select(access_audit.c.actor, access_audit.c.record_key).where(
                        access_audit.c.resource == "indicator_values"
                    )
                ).all()
            )

    before = len(reads())
    clients["anonymous"].get(f"/indicators/{IND}?area={world.system}")
    assert len(reads()) == before
    clients["analyst"].get(f"/api/v1/indicators/{IND}/values?area={world.system}")
    after = reads()
    assert len(after) == before + 1
    assert after[-1] == ("analyst", f"{IND}@{world.system}")


def test_the_indicator_page_shows_definition_charts_tables_and_downloads(mart, clients, world):
    page = clients["anonymous"].get(f"/indicators/{IND}?area={world.system}")
    assert page.status_code == 200
    text = page.text
    title = next(i.title for i in load_library().indicators if i.id == IND)
    assert html.escape(title) in text
    assert text.count('class="icsys-chart" role="img"') == 2  # SPC chart and funnel plot
    assert text.count("Show the data as a table") >= 2
    assert "Core20" in text  # by population group
    assert "Sub-ICB locations" in text  # levels below the chosen system
    assert f"/indicators/{IND}.csv?area={world.system}" in text
    assert "passed disclosure control" in text
    everyone = text.count('class="funnel-point"')
    peers = clients["anonymous"].get(f"/indicators/{IND}?area={world.system}&funnel=peers").text
    assert "and its peers" in peers
    assert 2 <= peers.count('class="funnel-point"') <= 6 < everyone  # the system and 5 peers
    analyst = clients["analyst"].get(f"/indicators/{IND}?area={world.system}").text
    assert "without disclosure control" in analyst
    default = clients["anonymous"].get(f"/indicators/{IND}")
    assert default.status_code == 200
    assert "England" in default.text
    assert clients["anonymous"].get(f"/indicators/{IND}?area=NOWHERE1").status_code == 404
    assert clients["anonymous"].get("/indicators/no_such_indicator").status_code == 404


def test_catalogue_and_definitions(mart, clients):
    lib = load_library()
    page = clients["anonymous"].get("/indicators")
    assert page.status_code == 200
    assert all(html.escape(i.title) in page.text for i in lib.indicators)
    listed = clients["anonymous"].get("/api/v1/indicators?page_size=500").json()
    assert listed["total"] == len(lib.ids)
    by_id = {i["id"]: i for i in listed["items"]}
    assert by_id[IND]["has_values"] is True
    assert by_id["prevalence_asthma"]["has_values"] is False
    one = clients["anonymous"].get(f"/api/v1/indicators/{IND}").json()
    assert one["method"] == "proportion"
    assert one["multiplier"] == 100
    assert "population" in one["numerator"]


def test_values_filters_and_pagination(mart, clients, world):
    client = clients["anonymous"]
    page = client.get(
        f"/api/v1/indicators/{IND}/values?level=system&period_type=quarter&breakdown=sex&page_size=5"
    ).json()
    assert page["page_size"] == 5
    assert len(page["items"]) == 5
    assert page["total"] > 5
    assert {r["level"] for r in page["items"]} == {"system"}
    assert {r["breakdown"] for r in page["items"]} == {"sex"}
    assert {r["period_type"] for r in page["items"]} == {"quarter"}
    assert all(r["area_name"] for r in page["items"])
    assert client.get(f"/api/v1/indicators/{IND}/values?level=county").status_code == 422


def test_structure_pages_show_headline_indicators(mart, clients, world):
    for url in (
        "/",
        f"/systems/{world.system}",
        f"/systems/{world.system}/neighbourhoods/{world.pcn}",
    ):
        text = clients["anonymous"].get(url).text
        assert 'id="indicators"' in text, url
        assert f"/indicators/{IND}?area=" in text, url
    system = clients["anonymous"].get(f"/systems/{world.system}").text
    assert "Slope index of inequality" in system or "Core20 minus the rest" in system
    assert 'class="icsys-mdc-icon"' in system


def test_the_system_page_charts_its_headline_indicators(mart, clients, world):
    system = clients["anonymous"].get(f"/systems/{world.system}").text
    assert f'id="spc-{IND}-title"' in system
    place = clients["anonymous"].get(f"/systems/{world.system}/places/{world.place}").text
    assert 'id="spc-' not in place  # the place page keeps to the table and its icons


def test_without_a_mart_pages_say_so(world, make_config, tmp_path):
    app = create_app(Settings(home=tmp_path), make_config(), engine=world.engine)
    client = TestClient(app, base_url="https://testserver")
    assert "No indicator values have been computed" in client.get("/indicators").text
    page = client.get(f"/indicators/{IND}")
    assert page.status_code == 200
    assert "No indicator values have been computed" in page.text
    assert client.get(f"/api/v1/indicators/{IND}/values").json()["total"] == 0
    assert client.get(f"/indicators/{IND}.csv").text.startswith("indicator_id,level")
    assert 'id="indicators"' not in client.get("/").text
