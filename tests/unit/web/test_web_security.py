"""Security headers, cookies, CSRF on every form, the sign-in rate limit, uploads."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from icsys.web.app import create_app


def _token(client: TestClient, url: str = "/sign-in") -> str:
    return client.get(url).text.split('name="csrf_token" value="')[1].split('"')[0]


@pytest.mark.parametrize(
    "url", ["/", "/api/v1/areas", "/api/v1/nope", "/static/icsys/portal.css", "/sign-in"]
)
def test_every_response_carries_the_security_headers(clients, url):
    response = clients["anonymous"].get(url)
    headers = response.headers
    csp = headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["strict-transport-security"].startswith("max-age=")
    if not url.startswith("/static/"):
        assert headers["cache-control"] == "no-store"


def test_pages_have_no_inline_script_or_style_and_load_nothing_from_elsewhere(clients, world):
    for url in ("/", f"/systems/{world.system}", f"/governance/meetings/{world.meeting}"):
        html = clients["member"].get(url).text
        assert "<script>" not in html
        assert "style=" not in html
        assert "<style" not in html
        assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")
        assert "https://" not in html


def test_session_cookie_is_httponly_secure_and_samesite(app, password):
    client = TestClient(app, base_url="https://testserver")
    token = _token(client)
    response = client.post(
        "/sign-in",
        data={"username": "admin", "password": password, "csrf_token": token},
        follow_redirects=False,
    )
    cookie = next(v for v in response.headers.get_list("set-cookie") if "icsys_session" in v)
    assert "HttpOnly" in cookie
    assert "Secure" in cookie
    assert "SameSite=Lax" in cookie


def test_sign_in_needs_the_csrf_token(new_client, password):
    client = new_client()
    client.get("/sign-in")
    for token in ("", "forged", _token(new_client())):  # missing, bad, another browser's
        response = client.post(
            "/sign-in", data={"username": "admin", "password": password, "csrf_token": token}
        )
        assert response.status_code == 403
        assert "csrf_failed" in response.text


def test_sign_out_needs_the_csrf_token_and_ends_the_session(new_client, login):
    client = new_client()
    login(client, "admin")
    assert client.get("/api/v1/me").json()["role"] == "admin"
    assert client.post("/sign-out", data={"csrf_token": "nope"}).status_code == 403
    token = _token(client, "/sign-out")
    assert client.post("/sign-out", data={"csrf_token": token}).status_code == 200
    assert client.get("/api/v1/me").json()["role"] == "anonymous"


def test_a_token_from_before_sign_in_is_refused_after_it(new_client, login):
    client = new_client()
    before = _token(client)
    login(client, "admin")
    response = client.post("/sign-out", data={"csrf_token": before})
    assert response.status_code == 403


def test_a_wrong_password_is_refused_without_saying_which_part(new_client):
    client = new_client()
    token = _token(client)
    for username in ("admin", "nobody"):
        response = client.post(
            "/sign-in",
            data={"username": username, "password": "wrong password!", "csrf_token": token},
        )
        assert response.status_code == 400
        assert "Enter a correct username and password" in response.text


def test_sign_in_is_rate_limited(world, password, make_config):
    app = create_app(world.settings, make_config(login_attempts=3), engine=world.engine)
    client = TestClient(app, base_url="https://testserver")
    token = _token(client)
    form = {"username": "analyst", "password": "not the password", "csrf_token": token}
    assert [client.post("/sign-in", data=form).status_code for _ in range(3)] == [400] * 3
    limited = client.post("/sign-in", data=form | {"password": password})
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) > 0
    assert "rate_limited" in limited.text
    other = client.post("/sign-in", data=form | {"username": "admin", "password": password})
    assert other.status_code == 200  # another account from the same client still signs in


def test_open_redirects_are_not_followed(new_client, password):
    client = new_client()
    token = _token(client)
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = client.post(
            "/sign-in",
            data={"username": "admin", "password": password, "csrf_token": token, "next": target},
            follow_redirects=False,
        )
        assert response.headers["location"] == "/"
        client.cookies.clear()
        token = _token(client)


def _upload(client, token, filename, content, **fields):
    data = {
        "csrf_token": token,
        "id": "TEST-PAPER-1",
        "title": "A test paper",
        "classification": "public",
        "published_on": "2025-01-01",
        **fields,
    }
    return client.post(
        "/admin/papers", data=data, files={"document": (filename, content)}, follow_redirects=False
    )


def test_uploads_are_checked_for_type_size_and_csrf(world, login, make_config):
    app = create_app(world.settings, make_config(max_upload_bytes=2048), engine=world.engine)
    client = TestClient(app, base_url="https://testserver")
    login(client, "admin")
    token = _token(client, "/admin")
    body = {"body_id": world.body}
    assert _upload(client, "bad", "p.pdf", b"%PDF-1.4 ok", **body).status_code == 403
    wrong_type = _upload(client, token, "p.exe", b"MZ\x90\x00", **body)
    assert wrong_type.status_code == 422
    assert "not accepted" in wrong_type.text
    disguised = _upload(client, token, "p.pdf", b"<script>alert(1)</script>", **body)
    assert disguised.status_code == 422
    assert "does not look like a .pdf file" in disguised.text
    too_big = _upload(client, token, "p.pdf", b"%PDF-" + b"x" * 4096, **body)
    assert too_big.status_code == 422
    assert "must be under 2,048 bytes" in too_big.text
    huge = _upload(client, token, "p.pdf", b"%PDF-" + b"x" * (200 * 1024), **body)
    assert huge.status_code == 413
    stored = _upload(client, token, "p.pdf", b"%PDF-1.4 a real paper", **body)
    assert stored.status_code == 303
    assert client.get("/api/v1/governance/papers/TEST-PAPER-1/content").content.startswith(b"%PDF")


def test_only_admins_may_upload(clients):
    for role in ("anonymous", "member", "analyst"):
        client = clients[role]
        response = client.post(
            "/admin/papers",
            data={"csrf_token": "x"},
            files={"document": ("p.pdf", b"%PDF-")},
            follow_redirects=False,
        )
        assert response.status_code == (303 if role == "anonymous" else 403)
