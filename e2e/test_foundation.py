from __future__ import annotations

from conftest import assert_accessible, login, screenshot
from playwright.sync_api import Page, expect


def test_it_shows_the_public_home_page_accessibly(page: Page):
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("SNU")
    assert_accessible(page)
    page.goto("/about/")
    expect(page.get_by_role("cell", name="Kartverket")).to_be_visible()
    assert_accessible(page)


def test_the_login_page_is_accessible_and_says_when_it_fails(page: Page):
    page.goto("/login/")
    assert_accessible(page)
    page.get_by_label("Brukernavn").fill("leser")
    page.get_by_label("Passord").fill("wrong")
    page.get_by_role("button", name="Logg inn").last.click()
    expect(page.get_by_role("alert")).to_contain_text("Feil brukernavn eller passord")
    assert_accessible(page)


def test_the_strategy_page_shows_both_troms_strategies(page: Page):
    login(page, "leser")
    page.goto("/strategy/")
    assert_accessible(page)
    page.get_by_role("link", name="Strategi for næringsutvikling i Troms", exact=True).click()
    for name in [
        "Opplevelsesøkonomi",
        "Sirkulær økonomi",
        "Nærings- og innovasjonsmiljø",
        "Stedbunden verdiskaping",
    ]:
        expect(page.get_by_role("link", name=name, exact=True).first).to_be_visible()
    for name in ["Teknologi", "Bærekraft", "FoUi", "Samhandling", "Natur", "Geografi"]:
        expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible()
    assert_accessible(page)
    screenshot(page, "strategy-nb")
    page.goto("/strategy/troms-2023/")
    for name in [
        "Grønt næringsliv",
        "Bærekraftig ressursbruk",
        "Attraktive samfunn",
        "Det arktiske perspektivet",
    ]:
        expect(page.get_by_role("link", name=name, exact=True).first).to_be_visible()
    assert_accessible(page)


def test_the_language_switch_shows_english(page: Page):
    login(page, "leser")
    page.goto("/strategy/troms-snu-2018/")
    page.get_by_label("Språk").select_option("en")
    page.get_by_role("button", name="Bytt").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Focus areas", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Experience economy", exact=True).first).to_be_visible()
    assert_accessible(page)
    screenshot(page, "strategy-en")


def test_it_works_with_the_keyboard_only(page: Page):
    login(page, "radgiver")
    page.goto("/")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Hopp til hovedinnhold")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()
    page.goto("/strategy/troms-snu-2018/elements/OPP/")
    edit = page.get_by_role("link", name="Rediger", exact=True)
    edit.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Rediger element")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Navn (engelsk)").focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("Experience economy and culture")
    page.get_by_role("button", name="Lagre").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("lagret")
    assert_accessible(page)


def test_a_reader_sees_no_edit_buttons_and_is_refused(page: Page):
    login(page, "leser")
    page.goto("/strategy/troms-snu-2018/")
    expect(page.get_by_role("link", name="Rediger strategi")).to_have_count(0)
    response = page.goto("/strategy/troms-snu-2018/edit/")
    assert response is not None and response.status == 403
