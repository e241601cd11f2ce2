"""Open-data pages: no login, accessible (axe), and no sole proprietor shown by name."""

from __future__ import annotations

import re

from conftest import assert_accessible, screenshot
from playwright.sync_api import Page, expect

PAGES = [
    ("/open/", "open-index"),
    ("/open/troms/", "open-list"),
    ("/open/troms/?year=2018", "open-list-2018"),
    ("/open/troms/focus-areas/", "open-focus-areas"),
    ("/open/troms/municipalities/", "open-municipalities"),
    ("/open/troms/about/", "open-about"),
]


def test_it_shows_the_open_data_pages_accessibly_without_login(page: Page) -> None:
    for path, name in PAGES:
        page.goto(path)
        expect(page.locator("h1")).to_have_count(1)
        assert_accessible(page)
        text = page.locator("main").inner_text()
        assert "(anonymisert)" not in text
        screenshot(page, name)


def test_it_searches_filters_and_opens_a_stable_allocation_page(page: Page) -> None:
    page.goto("/open/troms/")
    page.get_by_label("År").select_option(index=1)
    page.get_by_role("button", name="Vis").click()
    expect(page).to_have_url(re.compile(r"year=\d{4}"))
    page.locator("table a.ds-link").first.click()
    expect(page).to_have_url(re.compile(r"/open/troms/allocations/.+/"))
    assert_accessible(page)
    screenshot(page, "open-allocation")


def test_it_names_sole_proprietors_only_as_private_persons(page: Page) -> None:
    page.goto("/open/troms/?year=2015")
    main = page.locator("main").inner_text()
    assert "Enkeltpersonforetak" not in main.replace("Privatperson/enkeltpersonforetak", "")
    focus = page.goto("/open/troms/focus-areas/")
    assert focus is not None and focus.ok
    page.locator("table a.ds-link").first.click()
    assert_accessible(page)
    screenshot(page, "open-focus-area")
