from __future__ import annotations

import re

from conftest import assert_accessible, login, screenshot
from playwright.sync_api import Page, expect


def test_the_partner_pages_are_accessible_and_show_money_received(page: Page):
    login(page, "leser")
    page.goto("/partners/")
    expect(page.get_by_role("heading", level=1, name="Partnere")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "partners-list")
    page.locator("table tbody th a").first.click()
    expect(page.get_by_role("heading", level=2, name="Mottatte midler")).to_be_visible()
    expect(page.get_by_role("cell", name=re.compile(r"kr$")).first).to_be_visible()
    assert_accessible(page)
    screenshot(page, "partners-partner")


def test_the_arena_and_agreement_pages_are_accessible(page: Page):
    login(page, "leser")
    page.goto("/partners/arenas/")
    assert_accessible(page)
    page.get_by_role("link", name="Klynge for sirkulær blå økonomi i Nord").click()
    expect(page.get_by_role("heading", level=2, name="Medlemmer")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="Aktiviteter")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "partners-arena")
    page.goto("/partners/agreements/")
    expect(page.get_by_text("utløper snart")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Partnerskapsavtale om innovasjon og gründerskap").click()
    expect(page.get_by_role("heading", level=2, name="Forpliktelser")).to_be_visible()
    assert_accessible(page)


def test_the_network_and_coverage_pages_are_accessible(page: Page):
    login(page, "leser")
    page.goto("/partners/network/")
    expect(page.get_by_role("img", name="Partnernettverk")).to_be_visible()
    expect(page.get_by_role("columnheader", name="Mellomhet")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "partners-network")
    page.goto("/partners/coverage/?strategy=troms-snu-2018")
    expect(page.get_by_text("Ingen partnere").first).to_be_visible()
    assert_accessible(page)
    screenshot(page, "partners-coverage")


def test_an_advisor_adds_a_partner_and_a_reader_cannot(page: Page):
    login(page, "radgiver")
    page.goto("/partners/new/")
    assert_accessible(page)
    page.get_by_label("Navn").first.fill("Testpartner AS")
    page.get_by_label("Organisasjonsnummer").fill("970 422 529")
    page.get_by_role("button", name="Lagre").click()
    expect(page.get_by_role("alert").first).to_contain_text("mod-11")
    assert_accessible(page)
    page.get_by_label("Organisasjonsnummer").fill("")
    page.get_by_role("button", name="Lagre").click()
    expect(page.get_by_role("heading", level=1, name="Testpartner AS")).to_be_visible()
    page.context.clear_cookies()
    login(page, "leser")
    response = page.goto("/partners/new/")
    assert response is not None and response.status == 403


def test_the_home_page_flags_agreements_to_renew(page: Page):
    login(page, "leser")
    page.goto("/")
    expect(page.get_by_role("heading", name="Avtaler som må fornyes")).to_be_visible()
    assert_accessible(page)
