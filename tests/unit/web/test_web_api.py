"""The JSON API: pagination, filters, CSV, errors as JSON with stable codes, the OpenAPI doc."""

from __future__ import annotations

import csv
import io

import pytest


def test_lists_are_paginated(clients):
    client = clients["anonymous"]
    first = client.get("/api/v1/areas", params={"level": "pcn", "page_size": 10}).json()
    assert first["page"] == 1
    assert first["page_size"] == 10
    assert len(first["items"]) == 10
    assert first["pages"] == -(-first["total"] // 10)
    second = client.get("/api/v1/areas", params={"level": "pcn", "page_size": 10, "page": 2}).json()
    assert {a["code"] for a in first["items"]}.isdisjoint(a["code"] for a in second["items"])
    beyond = client.get("/api/v1/areas", params={"level": "pcn", "page": 10_000}).json()
    assert beyond["items"] == []
    assert beyond["total"] == first["total"]


def test_lists_are_filtered_by_level_system_parent_and_text(world, clients):
    client = clients["anonymous"]
    pcns = client.get(
        "/api/v1/areas", params={"level": "pcn", "system": world.system, "page_size": 500}
    ).json()
    assert pcns["total"] > 0
    assert {a["system_code"] for a in pcns["items"]} == {world.system}
    practices = client.get(
        "/api/v1/areas", params={"level": "practice", "parent": world.pcn}
    ).json()
    assert practices["total"] > 0
    assert {a["parent_code"] for a in practices["items"]} == {world.pcn}
    name = pcns["items"][0]["name"]
    found = client.get("/api/v1/areas", params={"level": "pcn", "q": name.lower()}).json()
    assert name in {a["name"] for a in found["items"]}
    old = client.get("/api/v1/areas", params={"level": "system", "as_of": "1995-01-01"}).json()
    assert old["total"] == 0


def test_csv_by_format_or_accept_header(world, clients):
    client = clients["anonymous"]
    by_format = client.get("/api/v1/areas", params={"level": "pcn", "format": "csv"})
    by_accept = client.get("/api/v1/areas", params={"level": "pcn"}, headers={"accept": "text/csv"})
    for response in (by_format, by_accept):
        assert response.headers["content-type"].startswith("text/csv")
        assert "attachment" in response.headers["content-disposition"]
        rows = list(csv.DictReader(io.StringIO(response.text)))
        total = client.get("/api/v1/areas", params={"level": "pcn"}).json()["total"]
        assert len(rows) == total  # every matching row, not one page
        assert {"code", "name", "system_code"} <= set(rows[0])
    decisions = client.get(
        "/api/v1/governance/decisions", params={"system": world.system, "format": "csv"}
    )
    assert decisions.text.splitlines()[0].startswith("id,")


@pytest.mark.parametrize(
    ("url", "status", "code"),
    [
        ("/api/v1/nothing-here", 404, "not_found"),
        ("/api/v1/areas/system/E54999999", 404, "not_found"),
        ("/api/v1/systems/NOPE", 404, "not_found"),
        ("/api/v1/governance/bodies/NOPE", 404, "not_found"),
        ("/api/v1/governance/papers/NOPE", 404, "not_found"),
        ("/api/v1/areas?level=galaxy", 422, "invalid_request"),
        ("/api/v1/areas?page_size=0", 422, "invalid_request"),
        ("/api/v1/areas?page_size=501", 422, "invalid_request"),
        ("/api/v1/areas?as_of=not-a-date", 422, "invalid_request"),
        ("/api/v1/areas?format=xml", 422, "invalid_request"),
        ("/api/v1/governance/measures?period=whenever", 422, "invalid_request"),
        ("/api/v1/governance/measures?period=2024/27", 400, "user_error"),
        ("/api/v1/users", 401, "authentication_required"),
    ],
)
def test_errors_are_json_with_a_stable_code(clients, url, status, code):
    response = clients["anonymous"].get(url)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    error = response.json()["error"]
    assert error["code"] == code
    assert error["status"] == status
    assert error["message"]


def test_wrong_method_is_a_json_error(clients):
    response = clients["anonymous"].post("/api/v1/areas")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_page_errors_are_nhs_pages(clients):
    response = clients["anonymous"].get("/systems/NOPE")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "<h1>Page not found</h1>" in response.text
    assert "not_found" in response.text


def test_a_page_for_signed_in_users_redirects_to_sign_in(clients):
    response = clients["anonymous"].get("/admin", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in?next=%2Fadmin"


def test_openapi_document_describes_every_api_route(app, clients):
    doc = clients["anonymous"].get("/api/v1/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    paths = set(doc["paths"])
    assert "/api/v1/areas" in paths
    assert "/api/v1/governance/papers/{paper_id}/content" in paths
    assert not any(p.startswith(("/systems", "/governance/", "/sign")) for p in paths)
    areas = doc["paths"]["/api/v1/areas"]["get"]
    assert {"page", "page_size", "level", "system", "as_of", "format"} <= {
        p["name"] for p in areas["parameters"]
    }
    assert "text/csv" in areas["responses"]["200"]["content"]


def test_system_structure_and_governance_records(world, clients):
    client = clients["anonymous"]
    facts = client.get(f"/api/v1/systems/{world.system}").json()
    assert facts["places"]
    assert sum(facts["imd_quintiles"].values()) == facts["lsoas"]
    place = client.get(f"/api/v1/systems/{world.system}/places/{world.place}").json()
    assert place["neighbourhoods"]
    hood = client.get(f"/api/v1/systems/{world.system}/neighbourhoods/{world.pcn}").json()
    assert hood["registered_population"] == sum(p["list_size"] or 0 for p in hood["practices"])
    partners = client.get(
        f"/api/v1/systems/{world.system}/partners", params={"page_size": 500}
    ).json()
    assert {"nhs_commissioner", "nhs_provider", "local_government"} <= {
        p["sector"] for p in partners["items"]
    }
    measures = client.get("/api/v1/governance/measures", params={"system": world.system}).json()
    assert {"transparency", "partner_voice", "leadership"} <= {
        m["family"] for m in measures["items"]
    }
    posts = client.get("/api/v1/governance/leadership", params={"system": world.system}).json()
    assert posts["total"] > 0
