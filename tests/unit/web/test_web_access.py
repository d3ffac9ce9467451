"""Every route as the public, a member, an analyst and an admin: only what each may see."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute

from icsys.web.app import API_V1
from icsys.web.routes import API_ROUTERS, PAGE_ROUTERS

ROLES = ("anonymous", "member", "analyst", "admin")
POSTS = {"/sign-in", "/sign-out", "/admin/papers"}  # tested in test_web_security.py
POSTS |= {  # tested in test_web_records_admin.py
    "/admin/records/{kind}/new",
    "/admin/records/{kind}/{key:path}",
    "/admin/records/{kind}/{key:path}/delete",
    "/api/v1/records/{kind}",
    "/api/v1/records/{kind}/{key:path}",
}
ADMIN_PAGE = {"anonymous": 303, "member": 403, "analyst": 403, "admin": 200}
# (path template) -> expected status per role, where it is not 200 for everyone
RESTRICTED = {
    "/api/v1/users": {"anonymous": 401, "member": 403, "analyst": 403, "admin": 200},
    "/api/v1/access-audit": {"anonymous": 401, "member": 403, "analyst": 403, "admin": 200},
    "/admin": {"anonymous": 303, "member": 403, "analyst": 403, "admin": 200},
    "/sign-out": {"anonymous": 303, "member": 200, "analyst": 200, "admin": 200},
    "/admin/records": ADMIN_PAGE,
    "/admin/records/{kind}": ADMIN_PAGE,
    "/admin/records/{kind}/new": ADMIN_PAGE,
    "/admin/records/{kind}/{key:path}": ADMIN_PAGE,
    "/admin/records/{kind}/{key:path}/delete": ADMIN_PAGE,
    "/api/v1/records/{kind}/{key:path}": {
        "anonymous": 401,
        "member": 403,
        "analyst": 403,
        "admin": 200,
    },
}


def _fill(path: str, world) -> str:
    values = {
        "system": world.system,
        "place": world.place,
        "pcn": world.pcn,
        "level": "system",
        "code": world.system,
        "body_id": world.body,
        "meeting_id": world.meeting,
        "paper_id": world.public_paper,
        "indicator_id": "multimorbidity_2plus",
        "kind": "bodies",
        "key": world.body,
    }
    url = re.sub(r"\{(\w+)(?::path)?\}", lambda m: values[m.group(1)], path)
    if path.endswith("/compare"):  # the API needs the systems to compare
        url += f"?system={world.system}&system={world.other_system}"
    return url


def _routes(app):
    """Every route of the registry the portal is built from (``icsys.web.routes``)."""
    found = [
        (m, API_V1 + r.path) for router in API_ROUTERS for r in router.routes for m in r.methods
    ]
    found += [(m, r.path) for router in PAGE_ROUTERS for r in router.routes for m in r.methods]
    assert all(
        isinstance(r, APIRoute) for router in API_ROUTERS + PAGE_ROUTERS for r in router.routes
    )
    return found


def test_every_route_is_in_the_matrix(app):
    methods = {(m, p) for m, p in _routes(app) if m not in {"GET", "HEAD"}}
    assert {p for _, p in methods} == POSTS
    for path in RESTRICTED:
        assert ("GET", path) in _routes(app)


def _pango() -> bool:
    """WeasyPrint (board-pack PDFs) loads the system's Pango when imported."""
    try:
        import weasyprint  # noqa: F401, PLC0415
    except OSError:
        return False
    return True


@pytest.mark.parametrize("role", ROLES)
def test_every_get_route_as_each_role(app, world, clients, role, missing_service):
    client = clients[role]
    unchecked = []
    for method, template in _routes(app):
        if method != "GET":
            continue
        if template.endswith(".pdf") and not _pango():
            unchecked.append(template)
            continue
        url = _fill(template, world)
        response = client.get(url, follow_redirects=False)
        expected = RESTRICTED.get(template, {}).get(role, 200)
        assert response.status_code == expected, (role, url, response.text[:300])
        if url.startswith("/api/") and response.status_code >= 400:
            assert response.json()["error"]["code"] in {
                "authentication_required",
                "permission_denied",
            }
    if unchecked:
        missing_service(f"no Pango for WeasyPrint: {', '.join(unchecked)} not checked")


PAPER_ACCESS = {
    # role: (own body's confidential paper, another system's confidential paper)
    "anonymous": (403, 403),
    "member": (200, 403),
    "analyst": (403, 403),
    "admin": (200, 200),
}


@pytest.mark.parametrize("role", ROLES)
def test_confidential_papers_only_for_members_of_the_body_and_admins(world, clients, role):
    client = clients[role]
    own, other = PAPER_ACCESS[role]
    for suffix in ("", "/content"):
        mine = client.get(f"/api/v1/governance/papers/{world.confidential}{suffix}")
        theirs = client.get(f"/api/v1/governance/papers/{world.other_confidential}{suffix}")
        assert (mine.status_code, theirs.status_code) == (own, other), (role, suffix)
        if mine.status_code == 403:
            assert mine.json()["error"]["code"] == "permission_denied"
    public = client.get(f"/api/v1/governance/papers/{world.public_paper}/content")
    assert public.status_code == 200
    assert public.headers["content-disposition"].startswith("attachment;")


@pytest.mark.parametrize("role", ROLES)
def test_paper_listings_hold_only_what_the_role_may_see(world, clients, role):
    client = clients[role]

    def confidential(body: str) -> int:
        rows = client.get(
            "/api/v1/governance/papers", params={"body": body, "page_size": 500}
        ).json()["items"]
        return sum(1 for r in rows if r["classification"] == "confidential")

    sees_own = role in {"member", "admin"}
    assert (confidential(world.body) > 0) is sees_own
    assert (confidential(world.other_body) > 0) is (role == "admin")


@pytest.mark.parametrize("role", ROLES)
def test_private_business_of_a_meeting(world, clients, role):
    client = clients[role]
    detail = client.get(f"/api/v1/governance/meetings/{world.meeting}").json()
    parts = {item["part"] for item in detail["items"]}
    if role in {"member", "admin"}:
        assert "private" in parts
        assert detail["private_business_withheld"] is False
    else:
        assert parts == {"public"}
        assert detail["private_business_withheld"] is True
    page = client.get(f"/governance/meetings/{world.meeting}").text
    assert ("nhsuk-tag--orange" in page) is (role in {"member", "admin"})
    decisions = client.get(
        "/api/v1/governance/decisions", params={"body": world.body, "page_size": 500}
    ).json()["items"]
    assert ({d["part"] for d in decisions} == {"public"}) is (role not in {"member", "admin"})


@pytest.mark.parametrize("role", ROLES)
def test_unsuppressed_numbers_only_for_the_analysts_own_system(world, clients, role):
    client = clients[role]
    own = client.get(f"/systems/{world.system}").text
    other = client.get(f"/systems/{world.other_system}").text
    marker = "shown without disclosure control"
    assert (marker in own) is (role in {"analyst", "admin"})
    assert (marker in other) is (role == "admin")


def test_me_names_the_role(clients):
    for role, client in clients.items():
        assert client.get("/api/v1/me").json()["role"] == role


def test_no_patient_level_field_is_served(app):
    schema = app.openapi()
    text = str(schema).lower()
    for word in ("nhs_number", "pseudonym", "date_of_birth", "postcode"):
        assert word not in text
