"""The portal as the public sees it: every page type, links from England down to a
neighbourhood, governance down to a paper, CSV downloads, and axe-core on each page."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest


def test_from_england_to_a_neighbourhood(page, portal, shoot, axe):
    page.goto("/")
    assert page.locator("h1").inner_text() == "Integrated care systems in England"
    shoot(page, "01-england")
    assert axe(page) == []
    page.locator(f'a[href="/systems/{portal.system}"]').click()
    page.wait_for_url(f"**/systems/{portal.system}")
    system_name = page.locator("h1").inner_text()
    assert page.get_by_role("heading", name="Places").is_visible()
    assert (page.locator("figure svg[role=img] title").first.text_content() or "").startswith(
        "Neighbourhoods"
    )
    shoot(page, "02-system")
    assert axe(page) == []
    page.locator("#places ~ table a").first.click()
    page.wait_for_url("**/places/**")
    assert page.locator(".nhsuk-caption-l").inner_text() == f"Place in {system_name}"
    shoot(page, "03-place")
    assert axe(page) == []
    page.locator("a[href*='/neighbourhoods/']").first.click()
    page.wait_for_url("**/neighbourhoods/**")
    assert "Neighbourhood in" in page.locator(".nhsuk-caption-l").inner_text()
    assert page.get_by_text("Registered patients").first.is_visible()
    shoot(page, "04-neighbourhood")
    assert axe(page) == []


def test_search_england_by_name_or_code(page, portal):
    page.goto("/")
    page.get_by_label("Search by system name or code").fill(portal.system)
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/?q=*")
    assert page.locator("main a[href^='/systems/']").count() == 1
    page.get_by_label("Search by system name or code").fill("no such system anywhere")
    page.get_by_role("button", name="Search").click()
    assert page.get_by_text("No system matches").is_visible()


def test_governance_down_to_a_public_paper(page, portal, shoot, axe, tmp_path):
    page.goto(f"/systems/{portal.system}")
    page.get_by_role("link", name="Bodies, meetings, papers, decisions and delegations").click()
    page.wait_for_url("**/governance")
    assert page.get_by_role("heading", name="Leadership register").is_visible()
    assert page.locator("figure svg[role=img]").count() >= 1
    shoot(page, "05-governance")
    assert axe(page) == []
    page.locator(f'a[href="/governance/bodies/{portal.body}"]').click()
    page.wait_for_url("**/governance/bodies/**")
    assert page.get_by_role("heading", name="Meetings").is_visible()
    shoot(page, "06-body")
    assert axe(page) == []
    page.goto(f"/governance/meetings/{portal.meeting}")
    assert page.get_by_text("Some business of this meeting was taken in private").is_visible()
    assert page.locator(".nhsuk-tag--orange").count() == 0
    shoot(page, "07-meeting-public")
    assert axe(page) == []
    link = page.locator(f'a[href="/api/v1/governance/papers/{portal.public_paper}/content"]')
    with page.expect_download() as info:
        link.click()
    saved = Path(tmp_path / info.value.suggested_filename)
    info.value.save_as(saved)
    assert saved.stat().st_size > 0
    assert page.locator(f'a[href*="{portal.confidential}"]').count() == 0


def test_decisions_with_outcomes(page, portal, shoot, axe):
    page.goto(f"/systems/{portal.system}/governance/decisions")
    assert page.locator("tbody tr").count() > 0
    page.get_by_label("Outcome").select_option("approved")
    page.get_by_role("button", name="Show decisions").click()
    page.wait_for_url("**outcome=approved*")
    outcomes = set(page.locator("tbody tr td:nth-child(3)").all_inner_texts())
    assert outcomes == {"Approved"}
    shoot(page, "08-decisions")
    assert axe(page) == []


def test_download_a_csv(page, portal, tmp_path):
    page.goto(f"/systems/{portal.system}")
    with page.expect_download() as info:
        page.get_by_role("link", name="Download the neighbourhoods (CSV)").click()
    target = tmp_path / "pcns.csv"
    info.value.save_as(target)
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert rows
    assert {r["system_code"] for r in rows} == {portal.system}
    assert {r["level"] for r in rows} == {"pcn"}


@pytest.mark.parametrize(
    ("name", "url"),
    [
        ("09-sign-in", "/sign-in"),
        ("10-not-found", "/systems/NOPE"),
        ("11-accessibility", "/accessibility"),
        ("12-developers", "/developers"),
    ],
)
def test_other_page_types_pass_axe(page, shoot, axe, name, url):
    page.goto(url)
    shoot(page, name)
    assert axe(page) == []


def test_charts_have_a_table_alternative(page, portal):
    page.goto(f"/systems/{portal.system}")
    figure = page.locator("figure").first
    figure.get_by_text("Show the data as a table").click()
    table = figure.locator("table")
    assert table.is_visible()
    assert table.locator("tbody tr").count() == 5  # IMD quintiles


def test_compare_systems(page, portal, shoot, axe):
    page.goto(f"/systems/{portal.system}")
    page.get_by_role("link", name="Compare this system with others").click()
    page.wait_for_url("**/compare?system=*")
    page.locator(f"#system-{portal.other_system}").check()
    page.get_by_role("button", name="Compare").click()
    page.wait_for_url(f"**system={portal.other_system}*")
    header = page.locator("main > table thead th")
    assert header.count() == 3  # the measure column and the two systems
    shoot(page, "13-compare")
    assert axe(page) == []
