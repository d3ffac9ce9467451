"""The record editor and the records API: admins only, validated, audited as the web user."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from icsys.governance import audit
from icsys.store import governance_models as g

LOCKED_OUT = ("anonymous", "member", "analyst")


def _token(client, url="/admin"):
    page = client.get(url)
    assert page.status_code == 200, page.text[:300]
    return page.text.split('name="csrf_token" value="')[1].split('"')[0]


def _post(client, url, data, token=None):
    token = _token(client) if token is None else token
    return client.post(url, data={"csrf_token": token, **data}, follow_redirects=False)


def _person(world, ident):
    with world.engine.connect() as conn:
        row = conn.execute(select(g.gov_person).where(g.gov_person.c.id == ident)).first()
    return None if row is None else row.name


def _body(world, ident):
    with world.engine.connect() as conn:
        return conn.execute(select(g.gov_body).where(g.gov_body.c.id == ident)).mappings().one()


def _inline_errors(text):
    found = re.findall(
        r'class="nhsuk-error-message"[^>]*>\s*<span[^>]*>Error: </span>([^<]+)', text
    )
    return [html.unescape(e).strip() for e in found]


@pytest.mark.parametrize("role", LOCKED_OUT)
def test_only_admins_reach_the_record_editor(world, clients, role):
    client = clients[role]
    pages = [
        "/admin/records",
        "/admin/records/bodies",
        "/admin/records/bodies/new",
        f"/admin/records/bodies/{world.body}",
        f"/admin/records/bodies/{world.body}/delete",
    ]
    refused = 303 if role == "anonymous" else 403  # the public is sent to sign in
    for url in pages:
        assert client.get(url, follow_redirects=False).status_code == refused, url
    for url in pages[2:]:
        posted = client.post(url, data={"csrf_token": "x"}, follow_redirects=False)
        assert posted.status_code == refused, url
    api = "/api/v1/records/people"
    status = 401 if role == "anonymous" else 403
    assert client.post(api, json={"id": "X-LOCKED", "name": "No"}).status_code == status
    assert client.get(f"{api}/{world.person}").status_code == status
    assert client.put(f"{api}/{world.person}", json={"name": "No"}).status_code == status
    assert client.delete(f"{api}/{world.person}").status_code == status
    assert _person(world, "X-LOCKED") is None
    assert _person(world, world.person) != "No"


def test_the_editor_lists_every_kind_and_searches_a_kind(world, clients):
    client = clients["admin"]
    index = client.get("/admin/records").text
    for kind in ("people", "bodies", "members", "meetings", "items", "decisions", "tenures"):
        assert f'href="/admin/records/{kind}"' in index
    found = client.get("/admin/records/bodies", params={"q": world.body.lower()})
    assert f'href="/admin/records/bodies/{world.body}"' in found.text
    assert world.other_body not in found.text
    assert "/admin/records" in client.get("/admin").text


def test_create_change_and_delete_through_the_forms_are_audited(world, clients):
    client = clients["admin"]
    created = _post(client, "/admin/records/people/new", {"id": "T-WEB-P1", "name": "Ada Web"})
    assert created.status_code == 303
    assert created.headers["location"] == "/admin/records/people?saved=T-WEB-P1&outcome=created"
    assert _person(world, "T-WEB-P1") == "Ada Web"
    listed = client.get(created.headers["location"]).text
    assert "T-WEB-P1" in listed
    assert "was created" in listed
    form = client.get("/admin/records/people/T-WEB-P1").text
    assert 'value="Ada Web"' in form
    changed = _post(client, "/admin/records/people/T-WEB-P1", {"id": "ignored", "name": "Ada B"})
    assert changed.status_code == 303
    assert _person(world, "T-WEB-P1") == "Ada B"
    assert _person(world, "ignored") is None  # the key comes from the address
    again = _post(client, "/admin/records/people/new", {"id": "T-WEB-P1", "name": "Twice"})
    assert again.status_code == 422
    assert "A person T-WEB-P1 already exists" in _inline_errors(again.text)[0]
    assert _person(world, "T-WEB-P1") == "Ada B"
    confirm = client.get("/admin/records/people/T-WEB-P1/delete")
    assert "This cannot be undone" in confirm.text
    deleted = _post(client, "/admin/records/people/T-WEB-P1/delete", {})
    assert deleted.status_code == 303
    assert _person(world, "T-WEB-P1") is None
    trail = audit.history(world.engine, table="gov_person", key="T-WEB-P1")
    assert [(e.action, e.actor) for e in trail] == [
        ("create", "web:admin"),
        ("update", "web:admin"),
        ("delete", "web:admin"),
    ]
    assert trail[1].before["name"] == "Ada Web"
    assert trail[1].after["name"] == "Ada B"


def test_a_form_with_dates_and_vocabularies_creates_a_record(world, clients):
    client = clients["admin"]
    fields = {
        "id": "T-WEB-POST1",
        "system_code": world.system,
        "kind": "place_lead",
        "title": "Place lead (test)",
        "valid_from-day": "1",
        "valid_from-month": "4",
        "valid_from-year": "2024",
    }
    form = client.get("/admin/records/posts/new").text
    assert '<option value="place_lead">Place lead</option>' in form
    assert 'id="valid_from-day"' in form
    assert _post(client, "/admin/records/posts/new", fields).status_code == 303
    with world.engine.connect() as conn:
        post = conn.execute(select(g.gov_post).where(g.gov_post.c.id == "T-WEB-POST1")).one()
    assert (post.kind, post.valid_from.isoformat(), post.valid_to) == (
        "place_lead",
        "2024-04-01",
        None,
    )
    assert _post(client, "/admin/records/posts/T-WEB-POST1/delete", {}).status_code == 303


def test_a_validation_error_is_shown_in_place_and_nothing_is_saved(world, clients):
    client = clients["admin"]
    before = _body(world, world.body)
    trail = len(audit.history(world.engine, table="gov_body", key=world.body))
    form = client.get(f"/admin/records/bodies/{world.body}").text
    values = dict(re.findall(r'name="([\w-]+)" type="text"[^>]*value="([^"]*)"', form))
    values |= {"kind": before["kind"], "meets_in_public": "yes", "name": "Renamed (not saved)"}
    response = _post(client, f"/admin/records/bodies/{world.body}", values | {"parent_id": "NO-B"})
    assert response.status_code == 422
    assert "<title>Error: " in response.text
    assert "There is a problem" in response.text
    assert 'href="#parent_id"' in response.text
    assert _inline_errors(response.text) == ["Parent: unknown body 'NO-B'"]
    assert 'value="Renamed (not saved)"' in response.text  # what was typed is kept
    too_early = {"valid_to-day": "1", "valid_to-month": "1", "valid_to-year": "2000"}
    response = _post(client, f"/admin/records/bodies/{world.body}", values | too_early)
    assert response.status_code == 422
    assert 'href="#valid_to-day"' in response.text
    assert "is before valid from" in _inline_errors(response.text)[0]
    not_a_date = too_early | {"valid_to-day": "31", "valid_to-month": "2"}
    response = _post(client, f"/admin/records/bodies/{world.body}", values | not_a_date)
    assert response.status_code == 422
    assert _inline_errors(response.text) == ["Valid to must be a real date"]
    assert _body(world, world.body) == before
    assert len(audit.history(world.engine, table="gov_body", key=world.body)) == trail


def test_deleting_a_record_others_refer_to_is_refused(world, clients):
    client = clients["admin"]
    response = _post(client, f"/admin/records/bodies/{world.body}/delete", {})
    assert response.status_code == 422
    assert "cannot be deleted" in response.text
    assert "member record(s)" in response.text
    assert _body(world, world.body)["id"] == world.body


def test_forms_without_the_security_token_are_refused(world, clients):
    client = clients["admin"]
    for url, data in [
        ("/admin/records/people/new", {"id": "T-WEB-CSRF", "name": "No token"}),
        (f"/admin/records/people/{world.person}", {"name": "No token"}),
        (f"/admin/records/people/{world.person}/delete", {}),
    ]:
        missing = client.post(url, data=data, follow_redirects=False)
        assert missing.status_code == 403, url
        assert "csrf_failed" in missing.text
        forged = client.post(url, data={**data, "csrf_token": "forged"}, follow_redirects=False)
        assert forged.status_code == 403, url
    assert _person(world, "T-WEB-CSRF") is None
    assert _person(world, world.person) != "No token"


def test_the_records_api_validates_and_audits(world, clients):
    client = clients["admin"]
    api = "/api/v1/records/people"
    created = client.post(api, json={"id": "T-API-P1", "name": "Api Person"})
    assert created.status_code == 201
    assert created.json() == {
        "kind": "people",
        "key": "T-API-P1",
        "outcome": "created",
        "values": {"id": "T-API-P1", "name": "Api Person"},
    }
    twice = client.post(api, json={"id": "T-API-P1", "name": "Again"})
    assert twice.status_code == 422
    assert twice.json()["error"]["code"] == "invalid_record"
    as_text = client.post(
        api, content=b'{"id": "T-API-P2"}', headers={"content-type": "text/plain"}
    )
    assert as_text.status_code == 415
    assert as_text.json()["error"]["code"] == "unsupported_media_type"
    invalid = client.put(f"{api}/T-API-P1", json={"name": ""})
    assert invalid.status_code == 422
    assert invalid.json()["error"]["problems"] == [{"field": "name", "message": "is required"}]
    assert client.put(f"{api}/T-API-P1", json={"name": "Api B"}).json()["outcome"] == "updated"
    assert client.get(f"{api}/T-API-P1").json()["values"]["name"] == "Api B"
    refused = client.delete(f"/api/v1/records/bodies/{world.body}")
    assert refused.status_code == 422
    assert "member record(s)" in refused.json()["error"]["problems"][0]["message"]
    assert client.delete(f"{api}/T-API-P1").status_code == 204
    assert client.get(f"{api}/T-API-P1").json()["error"]["code"] == "not_found"
    trail = audit.history(world.engine, table="gov_person", key="T-API-P1")
    assert [(e.action, e.actor) for e in trail] == [
        ("create", "web:admin"),
        ("update", "web:admin"),
        ("delete", "web:admin"),
    ]
