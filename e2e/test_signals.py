from __future__ import annotations

from conftest import assert_accessible, login, screenshot
from playwright.sync_api import Page, expect


def test_the_signal_overview_and_page_are_accessible(page: Page):
    login(page, "leser")
    page.goto("/signals/?strategy=troms-snu-2018")
    expect(page.get_by_role("heading", level=2, name="Etter samfunnsdriver og tidshorisont")).to_be_visible()
    expect(page.get_by_role("rowheader", name="Teknologi")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "signals-overview")
    page.get_by_role("link", name="Færre unge og flere eldre i spredtbygde kommuner").first.click()
    expect(
        page.get_by_role("link", name="OECD Territorial Reviews: Northern Sparsely Populated Areas (2017)")
    ).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="Hva betyr det for oss?")).to_be_visible()
    assert_accessible(page)


def test_a_signal_shows_on_its_drivers_page(page: Page):
    login(page, "leser")
    page.goto("/strategy/troms-snu-2018/elements/TEK/")
    expect(page.get_by_role("heading", level=2, name="Trender og signaler")).to_be_visible()
    expect(page.get_by_role("link", name="Digitalisering og automatisering i sjømatnæringen")).to_be_visible()
    assert_accessible(page)


def test_an_advisor_raises_a_revision_proposal_from_a_signal(page: Page):
    login(page, "radgiver")
    page.goto("/signals/")
    page.get_by_role("link", name="Restråstoff fra havbruk blir etterspurt råvare").first.click()
    assert_accessible(page)
    screenshot(page, "signals-signal")
    page.get_by_label("Handlingsplan (påkrevd)").select_option(index=1)
    page.get_by_role("button", name="Send forslag").click()
    expect(page.get_by_role("status")).to_contain_text("Et forslag er sendt")
    page.get_by_role("link", name="Endringshistorikk").click()
    expect(page.get_by_text("raise_revision_proposal").first).to_be_visible()


def test_the_home_page_lists_signals_due_for_review(page: Page):
    login(page, "leser")
    page.goto("/")
    expect(page.get_by_role("heading", name="Signaler som skal gjennomgås")).to_be_visible()
    expect(page.get_by_role("link", name="Færre unge og flere eldre i spredtbygde kommuner")).to_be_visible()
    screenshot(page, "home-partners-signals")
