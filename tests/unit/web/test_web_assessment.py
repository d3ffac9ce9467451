"""Assessments, oversight and peers in the portal: pages and API for every role, errors, CSV,
charts, the compare page's default to peers, and only disclosure-controlled numbers.

The demo world gets an indicator mart of its own (in a data folder of this module, so other
tests' marts do not mix in) with one count indicator: a small count for one system (suppressed
in the public view) and a large one for another (rounded), then two recorded assessment runs,
made as ``icsys assess run`` makes them (reading the mart's public view).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from icsys.analytics.finish import MART_COLUMNS
from icsys.analytics.mart import read_values, write_mart
from icsys.analytics.public import DisclosurePolicy, public_view
from icsys.assessment import service
from icsys.assessment.frameworks import load_framework
from icsys.assessment.peers import FEATURES
from icsys.config import Settings
from icsys.web.app import create_app

ROLES = ("anonymous", "member", "analyst", "admin")
RUNS = (date(2024, 9, 30), date(2025, 3, 31))
SMALL, LARGE, LARGE_ROUNDED = 3.0, 1234.0, 1235.0
RTT = "indicator.rtt_52_week_waits"


@dataclass(frozen=True)
class Assessed:
    clients: dict[str, TestClient]
    system: str
    other: str
    run_ids: tuple[int, ...]


def _mart(settings: Settings, small: str, large: str) -> None:
    rows = [
        {
            "indicator_id": "rtt_52_week_waits",
            "level": "system",
            "area_code": code,
            "parent_code": None,
            "period_type": "month",
            "period": "2025-02",
            "period_start": date(2025, 2, 1),
            "period_end": date(2025, 2, 28),
            "breakdown": "all",
            "breakdown_value": "all",
            "category": "",
            "value": count,
            "numerator": count,
            "denominator": None,
            "lower": None,
            "upper": None,
            "method": "count",
            "spc_point_type": None,
        }
        for code, count in ((small, SMALL), (large, LARGE))
    ]
    frame = pd.DataFrame(rows, columns=list(MART_COLUMNS))
    write_mart(
        settings, frame, public_view(frame, DisclosurePolicy()), {"definitions_version": "t"}
    )


@pytest.fixture(scope="module")
def assessed(world, make_config, login, tmp_path_factory) -> Assessed:
    settings = Settings(home=tmp_path_factory.mktemp("assessment-web") / "icsys-data")
    _mart(settings, world.system, world.other_system)
    source = service.default_source(world.engine, settings)  # what `icsys assess run` reads
    runs = tuple(
        service.assess(world.engine, as_of=when, source=source).run_id or 0 for when in RUNS
    )
    app = create_app(settings, make_config(), engine=world.engine)
    clients = {}
    for role in ROLES:
        client = TestClient(app, base_url="https://testserver")
        if role != "anonymous":
            login(client, role)
        clients[role] = client
    return Assessed(clients, world.system, world.other_system, runs)


def _rows(response) -> list[dict[str, str]]:
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.text)))


def test_recorded_assessments_are_listed_newest_first_and_filtered(assessed):
    client = assessed.clients["anonymous"]
    found = client.get("/api/v1/assessments", params={"system": assessed.system}).json()
    assert [i["run_id"] for i in found["items"]][:2] == list(reversed(assessed.run_ids))
    assert {i["system_code"] for i in found["items"]} == {assessed.system}
    assert [i["as_of"] for i in found["items"]][:2] == [d.isoformat() for d in reversed(RUNS)]
    domains = {d.id for d in load_framework().framework.domains}
    assert set(found["items"][0]["domains"]) == domains
    everyone = client.get("/api/v1/assessments", params={"page_size": 500}).json()
    assert everyone["total"] > found["total"]  # every system of each run
    page = client.get("/api/v1/assessments", params={"page_size": 3}).json()
    assert len(page["items"]) == 3
    assert page["pages"] == -(-everyone["total"] // 3)
    none = client.get("/api/v1/assessments", params={"framework": "no_such_framework"}).json()
    assert none["total"] == 0
    rows = _rows(client.get("/api/v1/assessments", params={"format": "csv"}))
    assert len(rows) == everyone["total"]
    assert {"run_id", "system_code", "overall", "segment", "domains.transparency"} <= set(rows[0])


def test_latest_assessment_explains_every_criterion(assessed):
    client = assessed.clients["anonymous"]
    found = client.get(f"/api/v1/assessments/{assessed.system}").json()
    listed = client.get("/api/v1/assessments", params={"system": assessed.system}).json()
    latest = listed["items"][0]
    assert found["recorded"] is True
    assert found["run_id"] == assessed.run_ids[-1] == latest["run_id"]
    assert found["as_of"] == RUNS[-1].isoformat()
    assert found["matches_record"] is True
    assert found["overall"] == latest["overall"]
    assert {d["domain"]: d["stage"] for d in found["domains"]} == latest["domains"]
    framework = load_framework().framework
    criteria = [c for d in found["domains"] for c in d["criteria"]]
    assert len(criteria) == sum(len(d.criteria) for d in framework.domains)
    for c in criteria:
        assert c["in_words"].startswith("Met when")
        assert c["outcome"] in {"met", "not_met", "no_data", "no_evidence", "pending"}
        if c["kind"] == "computed":
            assert c["values"], c["criterion"]
    evidenced = [c for c in criteria if c["evidence"] is not None]
    assert evidenced  # the demo records evidence
    for c in evidenced:
        assert c["kind"] == "evidenced"
        assert c["evidence"]["statement"]
        expected = {"accepted": "met", "rejected": "not_met", "pending": "pending"}
        assert c["outcome"] == expected[c["evidence"]["outcome"]]
    shares = {
        c["criterion"]: c["values"][0]["shown"]
        for c in criteria
        if c["rule"].startswith("governance.public_meeting_share")
    }
    assert all(v.endswith("%") or v == "no data" for v in shares.values())
    oversight = found["oversight"]
    assert oversight["assumptions"]
    assert {m["metric"] for m in oversight["metrics"]} >= {RTT}


def test_an_older_run_or_an_unrecorded_date(assessed):
    client = assessed.clients["anonymous"]
    old = client.get(
        f"/api/v1/assessments/{assessed.system}", params={"as_of": RUNS[0].isoformat()}
    ).json()
    assert (old["recorded"], old["run_id"], old["as_of"]) == (
        True,
        assessed.run_ids[0],
        RUNS[0].isoformat(),
    )
    other = client.get(
        f"/api/v1/assessments/{assessed.system}", params={"as_of": "2024-12-31"}
    ).json()
    assert (other["recorded"], other["run_id"], other["matches_record"]) == (False, None, None)
    page = client.get(f"/systems/{assessed.system}/assessment", params={"as_of": "2024-12-31"})
    assert "No assessment of this system has been recorded for this date" in page.text


@pytest.mark.parametrize(
    ("url", "status", "code"),
    [
        ("/api/v1/assessments/NOPE", 404, "not_found"),
        ("/api/v1/assessments/E54999999", 404, "not_found"),
        ("/api/v1/peers/NOPE", 404, "not_found"),
        ("/api/v1/assessments?system=NOPE", 404, "not_found"),
        ("/api/v1/assessments/{system}?framework=no_such_framework", 404, "not_found"),
        ("/api/v1/assessments/{system}?framework=Not-An-Id", 422, "invalid_request"),
        ("/api/v1/assessments/{system}?as_of=yesterday", 422, "invalid_request"),
        ("/api/v1/assessments/{system}?as_of=1990-01-01", 404, "not_found"),
        ("/api/v1/peers/{system}?n=0", 422, "invalid_request"),
        ("/api/v1/peers/{system}?n=21", 422, "invalid_request"),
        ("/api/v1/compare", 422, "invalid_request"),
    ],
)
def test_errors_are_json_with_a_stable_code(assessed, url, status, code):
    response = assessed.clients["anonymous"].get(url.format(system=assessed.system))
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["error"]["code"] == code


@pytest.mark.parametrize("url", ["/systems/NOPE/assessment", "/systems/NOPE/peers"])
def test_unknown_system_pages_are_404_pages(assessed, url):
    response = assessed.clients["anonymous"].get(url)
    assert response.status_code == 404
    assert "Page not found" in response.text
    assert "not_found" in response.text


@pytest.mark.parametrize("role", ROLES)
def test_every_role_sees_the_published_assessment(assessed, role):
    """Assessments are published judgements: the same for every role, analysts included."""
    client = assessed.clients[role]
    public = assessed.clients["anonymous"]
    for url in (
        f"/api/v1/assessments/{assessed.system}",
        f"/api/v1/assessments/{assessed.other}",
        f"/api/v1/peers/{assessed.system}",
        f"/api/v1/assessments?system={assessed.system}",
    ):
        response = client.get(url)
        assert response.status_code == 200, (role, url)
        assert response.json() == public.get(url).json(), (role, url)
    for url in (f"/systems/{assessed.system}/assessment", f"/systems/{assessed.system}/peers"):
        page = client.get(url)
        assert page.status_code == 200, (role, url)
        assert page.headers["content-type"].startswith("text/html")


def _rtt(found: dict) -> dict:
    return next(m for m in found["oversight"]["metrics"] if m["metric"] == RTT)


@pytest.mark.parametrize("role", ROLES)
def test_no_role_gets_an_unsuppressed_count(assessed, role):
    analyst_rows = read_values(assessed.clients[role].app.state.settings, public=False)
    assert set(analyst_rows["value"]) == {SMALL, LARGE}  # the unsuppressed counts exist
    client = assessed.clients[role]
    small = client.get(f"/api/v1/assessments/{assessed.system}").json()
    assert _rtt(small)["value"] is None  # 3 is suppressed
    assert _rtt(small)["score"] is None
    large = client.get(f"/api/v1/assessments/{assessed.other}").json()
    assert _rtt(large)["value"] == LARGE_ROUNDED  # 1234 is published rounded
    page = client.get(f"/systems/{assessed.other}/assessment").text
    assert "1,235" in page  # numbers are shown with the `number` filter
    assert "1,234" not in page
    row = client.get(f"/systems/{assessed.system}/assessment").text.split("RTT waits over")[1]
    assert "no data" in row.split("</tr>")[0]


def test_assessment_page_shows_stages_oversight_criteria_and_history(assessed):
    client = assessed.clients["anonymous"]
    found = client.get(f"/api/v1/assessments/{assessed.system}").json()
    page = client.get(f"/systems/{assessed.system}/assessment").text
    for heading in ("Stages", "Oversight segment", "Every criterion", "History of assessments"):
        assert f">{heading}</h2>" in page
    for d in found["domains"]:
        assert f'id="domain-{d["domain"]}"' in page
        for c in d["criteria"]:
            assert f'id="criterion-{d["domain"]}-{c["criterion"]}"' in page
    assert "Assumptions that are ours, not NHS England" in page
    for when in RUNS:
        assert f"?as_of={when.isoformat()}&amp;framework=icsys_maturity" in page
    assert f'href="/systems/{assessed.system}/peers"' in page
    assert page.count('role="img"') >= 2  # the domain chart and the history chart
    assert "Share of each domain&#39;s criteria met" in page or "Share of each domain's" in page
    domains = page.split('aria-labelledby="domains-title domains-desc"')[1].split("</table>")[0]
    assert domains.count("<tr") == len(found["domains"]) + 1  # the data table: head + domains


def test_criteria_as_csv(assessed):
    client = assessed.clients["anonymous"]
    found = client.get(f"/api/v1/assessments/{assessed.system}").json()
    rows = _rows(client.get(f"/api/v1/assessments/{assessed.system}", params={"format": "csv"}))
    assert len(rows) == sum(len(d["criteria"]) for d in found["domains"])
    assert {"domain", "criterion", "outcome", "in_words", "rule", "evidence_id"} <= set(rows[0])


def test_peer_group_with_distances_and_features(assessed):
    client = assessed.clients["anonymous"]
    group = client.get(f"/api/v1/peers/{assessed.system}", params={"n": 3}).json()
    peers = group["peers"]
    assert [p["rank"] for p in peers] == [1, 2, 3]
    distances = [p["distance"] for p in peers]
    assert distances == sorted(distances)
    assert assessed.system not in {p["code"] for p in peers}
    assert [f["feature"] for f in group["features"]] == list(FEATURES)
    assert all(set(p["values"]) == set(FEATURES) for p in peers)
    for p in peers:
        assert sum(c["share"] for c in p["differs_most_on"]) <= 1.0001
    rows = _rows(client.get(f"/api/v1/peers/{assessed.system}", params={"n": 3, "format": "csv"}))
    assert [r["peer"] for r in rows] == [p["code"] for p in peers]
    assert "values.population" in rows[0]
    page = client.get(f"/systems/{assessed.system}/peers", params={"n": 3}).text
    for p in peers:
        assert f'href="/systems/{p["code"]}"' in page
    assert 'aria-labelledby="distances-title distances-desc"' in page
    for feature in FEATURES.values():
        assert feature.split(" (")[0] in page


def test_system_page_panel_links_to_assessment_and_peers(assessed):
    client = assessed.clients["anonymous"]
    latest = client.get("/api/v1/assessments", params={"system": assessed.system}).json()
    page = client.get(f"/systems/{assessed.system}").text
    panel = page.split('<h2 id="assessment">')[1]
    assert "31 March 2025" in panel
    overall = latest["items"][0]["overall"]
    if overall:
        assert f">{overall.capitalize()}</strong>" in panel
    assert f'href="/systems/{assessed.system}/assessment"' in panel
    assert f'href="/systems/{assessed.system}/peers"' in panel
    before = client.get(f"/systems/{assessed.system}", params={"as_of": "2024-06-30"}).text
    assert "No maturity assessment of this system has been recorded" in before


def test_compare_defaults_to_the_peer_group(assessed):
    client = assessed.clients["anonymous"]
    group = client.get(f"/api/v1/peers/{assessed.system}").json()
    expected = [assessed.system, *(p["code"] for p in group["peers"])]
    api = client.get("/api/v1/compare", params={"peers_of": assessed.system}).json()
    assert [r["code"] for r in api["items"]] == expected
    single = client.get("/api/v1/compare", params={"system": assessed.system}).json()
    assert [r["code"] for r in single["items"]] == expected
    chosen = client.get(
        "/api/v1/compare", params={"system": [assessed.system, assessed.other]}
    ).json()
    assert [r["code"] for r in chosen["items"]] == [assessed.system, assessed.other]
    page = client.get("/compare", params={"system": assessed.system}).text
    assert "nearest peers" in page
    head = page.split("<thead")[1].split("</thead>")[0]
    positions = [head.find(f'href="/systems/{c}"') for c in expected]
    assert -1 not in positions
    assert positions == sorted(positions)
    assert "Overall maturity (latest recorded assessment)" in page
    plain = client.get("/compare", params={"system": [assessed.system, assessed.other]}).text
    assert "nearest peers" not in plain


@pytest.fixture
def run_count(world) -> Callable[[], int]:
    from sqlalchemy import func, select  # noqa: PLC0415

    from icsys.store import assessment_models as a  # noqa: PLC0415

    def count() -> int:
        with world.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(a.assessment_run)).scalar())

    return count


def test_pages_and_api_record_nothing(assessed, run_count):
    before = run_count()
    client = assessed.clients["admin"]
    client.get(f"/api/v1/assessments/{assessed.system}", params={"as_of": "2024-12-31"})
    client.get(f"/systems/{assessed.other}/assessment")
    assert run_count() == before
