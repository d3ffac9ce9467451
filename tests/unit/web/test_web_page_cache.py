"""The public page cache: anonymous pages are served again until the data changes, never to
signed-in callers, and a change made by another writer shows on the next request."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from icsys.governance import records
from icsys.web.app import create_app
from icsys.web.page_cache import PageCache


@pytest.fixture
def app(world, make_config) -> FastAPI:
    return create_app(world.settings, make_config(), engine=world.engine)


@pytest.fixture
def cache(app: FastAPI) -> PageCache:
    found: PageCache = app.state.page_cache
    return found


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="https://testserver") as found:
        yield found


def _rename(world, name: str) -> None:
    with world.engine.begin() as conn:  # as another process would: straight to the store
        records.update_fields(conn, "bodies", {"id": world.body}, {"name": name}, actor="test")


def test_an_anonymous_page_is_served_again_with_the_security_headers(client, cache, world):
    path = f"/governance/bodies/{world.body}"
    first = client.get(path)
    hits = cache.hits
    second = client.get(path)
    assert second.status_code == 200
    assert cache.hits == hits + 1
    assert second.text == first.text
    assert second.headers["content-security-policy"] == first.headers["content-security-policy"]


def test_a_change_in_the_store_shows_on_the_next_request(client, world):
    path = f"/governance/bodies/{world.body}"
    before = client.get(path).text
    original = before.split("<h1")[1].split(">", 1)[1].split("<")[0].strip()
    try:
        _rename(world, "Cache Test Board")
        assert "Cache Test Board" in client.get(path).text
    finally:
        _rename(world, original)
    assert "Cache Test Board" not in client.get(path).text


def test_a_signed_in_caller_is_never_served_from_the_cache(app, cache, world, login):
    path = f"/systems/{world.system}"
    with TestClient(app, base_url="https://testserver") as public:
        public.get(path)
        public.get(path)
    with TestClient(app, base_url="https://testserver") as analyst:
        login(analyst, "analyst")
        hits = cache.hits
        page = analyst.get(path)
        assert cache.hits == hits
        assert "without disclosure control" in page.text


def test_errors_are_not_kept(client, cache):
    client.get("/systems/E99999999")
    hits = cache.hits
    assert client.get("/systems/E99999999").status_code == 404
    assert cache.hits == hits


def test_the_cache_can_be_turned_off(world, make_config):
    app = create_app(world.settings, make_config(page_cache_entries=0), engine=world.engine)
    assert not hasattr(app.state, "page_cache")
    with TestClient(app, base_url="https://testserver") as client:
        assert client.get("/").status_code == 200


def test_a_page_with_a_form_is_never_kept(client, cache):
    first = client.get("/sign-in")
    assert first.headers["cache-control"] == "no-store"
    hits = cache.hits
    client.get("/sign-in")
    assert cache.hits == hits
