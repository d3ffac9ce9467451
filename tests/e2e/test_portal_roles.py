"""Signed in as a member and as an analyst: each sees what their role may, and no more."""

from __future__ import annotations


def test_a_member_sees_the_private_business_and_confidential_papers_of_their_body(
    page, portal, sign_in, shoot, axe, tmp_path
):
    sign_in(page, "member")
    page.goto(f"/governance/meetings/{portal.meeting}")
    assert page.locator(".nhsuk-tag--orange").count() > 0  # private items
    link = page.locator(f'a[href="/api/v1/governance/papers/{portal.confidential}/content"]')
    assert link.count() == 1
    assert "confidential" in page.locator("main").inner_text()
    shoot(page, "20-meeting-as-member")
    assert axe(page) == []
    with page.expect_download() as info:
        link.click()
    info.value.save_as(tmp_path / "paper")
    assert (tmp_path / "paper").stat().st_size > 0
    assert page.request.get("/api/v1/me").json()["role"] == "member"


def test_an_analyst_sees_unsuppressed_numbers_for_their_system_only(
    page, portal, sign_in, shoot, axe
):
    sign_in(page, "analyst")
    page.goto(f"/systems/{portal.system}")
    assert page.get_by_text("shown without disclosure control").is_visible()
    shoot(page, "21-system-as-analyst")
    assert axe(page) == []
    page.goto(f"/systems/{portal.other_system}")
    assert page.get_by_text("shown without disclosure control").count() == 0
    page.goto(f"/governance/meetings/{portal.meeting}")
    assert page.locator(".nhsuk-tag--orange").count() == 0
    denied = page.request.get(f"/api/v1/governance/papers/{portal.confidential}/content")
    assert denied.status == 403
    assert denied.json()["error"]["code"] == "permission_denied"
    assert page.request.get("/api/v1/users").status == 403


def test_the_public_cannot_reach_confidential_papers_or_administration(page, portal):
    page.goto("/")
    denied = page.request.get(f"/api/v1/governance/papers/{portal.confidential}")
    assert denied.status == 403
    page.goto("/admin")
    page.wait_for_url("**/sign-in?next=%2Fadmin")
    assert page.request.get("/api/v1/users").status == 401


def test_signing_out(page, sign_in):
    sign_in(page, "member")
    page.get_by_role("link", name="Sign out").click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/")
    assert page.get_by_role("link", name="Sign in").is_visible()
    assert page.request.get("/api/v1/me").json()["role"] == "anonymous"


def test_a_wrong_password_shows_an_error_summary(page, shoot, axe):
    page.goto("/sign-in")
    page.get_by_label("Username").fill("member")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("heading", name="There is a problem").is_visible()
    shoot(page, "22-sign-in-error")
    assert axe(page) == []
