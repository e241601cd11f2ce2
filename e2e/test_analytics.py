"""The dashboard in a real browser: charts render under the CSP, filters and a drill-down work, axe passes."""

from __future__ import annotations

from conftest import assert_accessible, login, screenshot
from playwright.sync_api import Page, expect


def _errors(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "Content Security" in m.text else None)
    return errors


def test_dashboard_renders_filters_and_drills_down(page: Page) -> None:
    errors = _errors(page)
    login(page, "leser")
    page.goto("/analytics/?strategy=troms-snu-2018")
    expect(page.get_by_role("heading", level=1)).to_have_text("Prioritert innsats over tid")
    # Vega-Lite draws over the server SVG (script-src 'self', no eval).
    expect(page.locator(".snu-chart--enhanced").first).to_be_visible(timeout=15_000)
    assert page.locator("#focus_area_year .snu-chart__vega svg").count() == 1
    assert page.get_by_text("Kartverket").first.is_visible()
    assert not errors, errors
    assert_accessible(page)
    screenshot(page, "analytics-dashboard")

    # Filter: one focus area and a year range; the URL holds the state.
    page.get_by_text("Filtre", exact=True).click()
    page.get_by_label("Fokusområde", exact=True).select_option("SIRK")
    page.get_by_label("Fra år").fill("2012")
    page.get_by_role("button", name="Bruk filtrene").click()
    page.wait_for_url("**focus_area=SIRK**")
    assert "year_from=2012" in page.url
    expect(page.locator("#focus_area_year")).to_contain_text("Sirkulær økonomi")
    assert_accessible(page)

    # Drill-down from the first row of the focus-area table, by keyboard-reachable link.
    section = page.locator("#focus_area_year")
    section.locator("summary").click()
    section.locator("table a").first.click()
    page.wait_for_url("**/analytics/allocations/**")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tildelingene bak tallet")
    assert page.locator("table tbody tr").count() >= 1
    assert_accessible(page)
    screenshot(page, "analytics-drilldown")


def test_map_areas_are_focusable_links(page: Page) -> None:
    login(page, "leser")
    page.goto("/analytics/?strategy=troms-snu-2018#municipality")
    link = page.locator("#municipality svg a").first
    link.focus()
    assert page.evaluate("document.activeElement.tagName.toLowerCase()") == "a"
    label = link.get_attribute("aria-label") or ""
    assert ":" in label
    link.press("Enter")
    page.wait_for_url("**/analytics/allocations/**municipality=**")
    assert_accessible(page)
