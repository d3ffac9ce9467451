"""The assessment pillar in the portal, as a user finds it: from a system page to its maturity
assessment, its peer group and a comparison with its peers; axe-core on each page.

``icsys demo`` records two assessment runs (``icsys.cli.assess.DEMO_DATES``), so the pages show
recorded assessments with a history.
"""

from __future__ import annotations

import re


def test_from_the_system_page_to_assessment_peers_and_compare(page, portal, shoot, axe):
    page.goto(f"/systems/{portal.system}")
    assert page.get_by_role("heading", name="Maturity and oversight").is_visible()
    panel = page.locator("#assessment ~ dl").first
    assert panel.get_by_text("Overall maturity").is_visible()
    assert panel.get_by_text("Oversight segment").is_visible()
    page.get_by_role("link", name=re.compile(r"^Maturity assessment: every criterion")).click()
    page.wait_for_url(f"**/systems/{portal.system}/assessment")
    assert page.locator("h1").inner_text() == "Maturity assessment"
    assert page.get_by_role("heading", name="Oversight segment").is_visible()
    assert page.get_by_role(
        "heading", name="Assumptions that are ours, not NHS England's"
    ).is_visible()
    assert page.locator("tr[id^='criterion-']").count() >= 30
    assert page.get_by_text("Met when").first.is_visible()
    history = page.locator("#history ~ table").first
    assert history.locator("tbody tr").count() >= 2  # the demo records two runs
    figure = page.locator("figure").first
    assert figure.locator("svg[role=img] title").text_content()
    figure.get_by_text("Show the data as a table").click()
    assert figure.locator("table tbody tr").count() == 8  # the framework's domains
    shoot(page, "30-assessment")
    assert axe(page) == []
    page.get_by_role("link", name=re.compile(r"^Peer group of")).click()
    page.wait_for_url(f"**/systems/{portal.system}/peers")
    assert page.locator("h1").inner_text() == "Peer group"
    neighbours = page.locator("main table").first.locator("tbody tr")
    assert neighbours.count() == 5
    assert page.get_by_role("heading", name="The features compared").is_visible()
    shoot(page, "31-peers")
    assert axe(page) == []
    page.get_by_role("link", name=re.compile(r"with its peers side by side$")).click()
    page.wait_for_url("**/compare?**")
    assert page.locator("main table").first.locator("thead th").count() == 7  # measure + 6
    shoot(page, "32-compare-peers")
    assert axe(page) == []


def test_the_analyst_sees_the_published_assessment(page, portal, sign_in):
    page.goto(f"/systems/{portal.system}/assessment")
    public = page.locator("#oversight ~ table").first.inner_text()
    sign_in(page, "analyst")
    page.goto(f"/systems/{portal.system}/assessment")
    assert page.locator("#oversight ~ table").first.inner_text() == public


def test_compare_with_one_system_shows_its_peers(page, portal):
    page.goto(f"/systems/{portal.system}")
    page.get_by_role("link", name="Compare this system with others").click()
    page.wait_for_url("**/compare?system=*")
    assert page.get_by_text("nearest peers").is_visible()
    assert page.locator("main table").first.locator("thead th").count() == 7
    assert page.locator(f"#system-{portal.system}").is_checked()
