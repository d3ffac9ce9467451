"""Indicators in the portal: the catalogue, an indicator page with its SPC chart and funnel plot
(checked with axe-core), the CSV download, and the headline panel of a system page."""

from __future__ import annotations

import csv
import io
from pathlib import Path

INDICATOR = "multimorbidity_2plus"


def test_an_indicator_page_with_charts_tables_and_a_download(page, portal, shoot, axe, tmp_path):
    page.goto("/indicators")
    assert page.locator("h1").inner_text() == "Indicators"
    assert axe(page) == []
    page.locator(f'a[href="/indicators/{INDICATOR}"]').click()
    page.wait_for_url(f"**/indicators/{INDICATOR}")
    assert page.get_by_role("heading", name="Definition").is_visible()
    page.get_by_label("Area", exact=True).select_option(portal.system)
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(f"**/indicators/{INDICATOR}?area={portal.system}*")
    charts = page.locator("figure svg[role=img]")
    assert charts.count() >= 2  # the SPC chart and the funnel plot
    assert (charts.first.locator(":scope > title").text_content() or "").startswith(
        "Multimorbidity"
    )
    page.locator("details summary").first.click()  # the SPC chart's data table
    assert page.locator("details[open] table tbody tr").count() > 0
    shoot(page, "20-indicator")
    assert axe(page) == []
    with page.expect_download() as info:
        page.locator(f'a[href="/indicators/{INDICATOR}.csv?area={portal.system}"]').click()
    saved = Path(tmp_path / info.value.suggested_filename)
    info.value.save_as(saved)
    rows = list(csv.DictReader(io.StringIO(saved.read_text(encoding="utf-8"))))
    assert rows
    assert {r["area_code"] for r in rows} == {portal.system}
    assert all(r["disclosure"] != "unsuppressed" for r in rows)  # the public view


def test_a_system_page_shows_headline_indicators(page, portal, shoot, axe):
    page.goto(f"/systems/{portal.system}")
    assert page.get_by_role("heading", name="Indicators", exact=True).is_visible()
    assert page.locator("#indicators ~ table svg.icsys-mdc-icon").count() >= 1
    page.locator("#indicators ~ table a").first.click()
    page.wait_for_url(f"**/indicators/*?area={portal.system}")
    assert page.locator("h1").inner_text()
    shoot(page, "21-indicator-from-system")
    assert axe(page) == []
