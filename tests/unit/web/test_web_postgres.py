"""The access rules on PostgreSQL (production's store): the same answers as on SQLite."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from icsys.web.app import create_app

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


@pytest.fixture(scope="module")
def pg_clients(world_factory, new_postgres_database, tmp_path_factory, make_config, login):
    with new_postgres_database() as url:
        world = world_factory(tmp_path_factory.mktemp("pg") / "icsys-data", url)
        app = create_app(world.settings, make_config(), engine=world.engine)
        clients = {}
        for role in ("anonymous", "member", "analyst", "admin"):
            client = TestClient(app, base_url="https://testserver")
            if role != "anonymous":
                login(client, role)
            clients[role] = client
        yield world, clients
        world.engine.dispose()


@pytest.mark.parametrize(
    ("role", "private", "paper"),
    [
        ("anonymous", False, 403),
        ("member", True, 200),
        ("analyst", False, 403),
        ("admin", True, 200),
    ],
)
def test_private_business_and_confidential_papers(pg_clients, role, private, paper):
    world, clients = pg_clients
    client = clients[role]
    detail = client.get(f"/api/v1/governance/meetings/{world.meeting}").json()
    assert ("private" in {i["part"] for i in detail["items"]}) is private
    assert (
        client.get(f"/api/v1/governance/papers/{world.confidential}/content").status_code == paper
    )
    assert client.get(f"/systems/{world.system}").status_code == 200
    assert client.get(f"/systems/{world.system}/governance").status_code == 200
    listed = client.get("/api/v1/governance/papers", params={"body": world.body, "page_size": 500})
    kinds = {p["classification"] for p in listed.json()["items"]}
    assert ("confidential" in kinds) is private
