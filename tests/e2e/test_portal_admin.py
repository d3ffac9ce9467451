"""An administrator edits governance records in the browser: the form with its errors, a new
record listed, and deleting it after the confirmation page; axe-core on each page."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

PASSWORD = "correct horse battery staple"  # noqa: S105 - the e2e test accounts' password


@pytest.fixture(scope="module")
def admin(portal):
    """An admin account on the served store (made with the CLI, as an operator would)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ICSYS_DATABASE")}
    env["ICSYS_HOME"] = str(portal.home)
    done = subprocess.run(
        [sys.executable, "-m", "icsys", "users", "add", "admin", "--role", "admin",
         "--password-stdin"],
        env=env, input=PASSWORD + "\n", capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return "admin"


def test_an_admin_adds_a_leadership_post_through_the_form(page, portal, admin, sign_in, shoot, axe):
    sign_in(page, admin)
    page.goto("/admin")
    page.get_by_role("link", name="Manage governance records").click()
    page.wait_for_url("**/admin/records")
    assert axe(page) == []
    page.locator('a[href="/admin/records/posts"]').click()
    page.get_by_role("link", name="Add a post").click()
    page.wait_for_url("**/admin/records/posts/new")

    page.get_by_role("button", name="Save post").click()
    summary = page.locator(".nhsuk-error-summary")
    assert summary.get_by_role("heading", name="There is a problem").is_visible()
    assert summary.get_by_role("link", name="ID is required").is_visible()
    assert page.locator("#valid_from-day.nhsuk-input--error").count() == 1
    assert page.title().startswith("Error: ")
    shoot(page, "30-record-form-errors")
    assert axe(page) == []

    page.get_by_label("ID", exact=True).fill("E2E-POST-1")
    page.get_by_label("System code").fill(portal.system)
    page.get_by_label("Kind").select_option("place_lead")
    page.get_by_label("Title").fill("Place lead (end-to-end test)")
    page.locator("#valid_from-day").fill("1")
    page.locator("#valid_from-month").fill("4")
    page.locator("#valid_from-year").fill("2024")
    page.get_by_role("button", name="Save post").click()
    page.wait_for_url("**/admin/records/posts?saved=E2E-POST-1&outcome=created")
    assert page.get_by_text("was created").is_visible()

    page.get_by_label("Search posts").fill("end-to-end")
    page.get_by_role("button", name="Search").click()
    rows = page.locator("main table tbody tr")
    assert rows.count() == 1
    assert "E2E-POST-1" in rows.first.inner_text()
    shoot(page, "31-records-listed")
    assert axe(page) == []

    rows.first.get_by_role("link").click()
    page.wait_for_url("**/admin/records/posts/E2E-POST-1")
    assert page.get_by_label("Title").input_value() == "Place lead (end-to-end test)"
    page.get_by_role("link", name="Delete this post").click()
    assert page.get_by_text("This cannot be undone").is_visible()
    assert axe(page) == []
    page.get_by_role("button", name="Delete post").click()
    page.wait_for_url("**/admin/records/posts?deleted=E2E-POST-1")
    assert page.request.get("/api/v1/records/posts/E2E-POST-1").status == 404
