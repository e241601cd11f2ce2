"""The review queue works with the keyboard only; the allocation page shows the why."""

from __future__ import annotations

import re

from conftest import SCREENSHOTS, assert_accessible, login
from playwright.sync_api import Page, expect


def test_it_reviews_with_the_keyboard_only(page: Page) -> None:
    login(page, "radgiver")
    page.goto("/alignment/review/?strategy=troms-snu-2018")
    expect(page.get_by_role("heading", level=1)).to_have_text("Vurder strategikoblinger")
    assert_accessible(page)
    page.screenshot(path=str(SCREENSHOTS / "classify-review.png"), full_page=False)
    progress = page.locator("#progress-label").inner_text()
    assert progress.startswith("0 av")
    first_item = page.locator(".snu-review-item form").first.get_attribute("action")
    # The suggestion has focus: Enter accepts it.
    focused = page.evaluate("document.activeElement.type")
    assert focused == "radio"
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").first).to_contain_text("Godtatt:")
    expect(page.locator("#progress-label")).to_contain_text(re.compile(r"^1 av"))
    assert page.locator(".snu-review-item form").first.get_attribute("action") != first_item
    # Change: the arrow key moves to another focus area in the group, Enter saves the change.
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").first).to_contain_text("Endret:")
    expect(page.locator("#progress-label")).to_contain_text(re.compile(r"^2 av"))
    assert_accessible(page)


def test_it_shows_the_why_on_the_allocation_page(page: Page) -> None:
    login(page, "radgiver")
    page.goto("/alignment/troms-snu-2018/OPP/")
    page.locator("table a").first.click()
    expect(page.get_by_role("heading", name="Kobling til strategien")).to_be_visible()
    expect(page.get_by_text("Hvorfor").first).to_be_visible()
    expect(page.get_by_text("I troms-2023 sin struktur:").first).to_be_visible()
    assert_accessible(page)
    page.screenshot(path=str(SCREENSHOTS / "classify-allocation.png"), full_page=True)


def test_it_lists_a_focus_areas_allocations(page: Page) -> None:
    login(page, "leser")
    page.goto("/strategy/troms-snu-2018/elements/OPP/")
    expect(page.get_by_role("heading", name="Tildelinger", exact=True)).to_be_visible()
    assert_accessible(page)
