"""One full cycle of an action plan in the browser: create → adopt → revise → evaluate → adopt → diff and history."""

from __future__ import annotations

import re

from conftest import assert_accessible, login, screenshot
from playwright.sync_api import Page, expect


def _ok(page: Page) -> None:
    expect(page.get_by_role("status").first).to_be_visible()
    assert_accessible(page)


def _add_measure(page: Page, title: str, reason: str = "") -> None:
    page.get_by_role("link", name="Legg til tiltak").click()
    expect(page.get_by_role("heading", name="Nytt tiltak")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Tittel").fill(title)
    page.get_by_label("Ansvarlig").fill("Næringsseksjonen")
    page.get_by_label("Budsjett (kr)").fill("1 000 000")
    page.get_by_label("SIRK Sirkulær økonomi (Fokusområde)").check()
    if reason:
        page.get_by_label("Begrunnelse for endringen").fill(reason)
    page.get_by_role("button", name="Lagre").click()
    _ok(page)
    page.get_by_role("link", name=re.compile(r"^Rullering \d+$")).first.click()


def _adopt(page: Page, reference: str) -> None:
    page.get_by_label("Vedtaksreferanse").fill(reference)
    page.get_by_role("button", name="Vedta og lås").click()
    expect(page.get_by_role("status")).to_contain_text("vedtatt og er nå låst")
    assert_accessible(page)


def test_an_advisor_walks_one_full_revision_cycle(page: Page):
    login(page, "radgiver")
    page.goto("/plans/")
    assert_accessible(page)
    page.get_by_role("link", name="Ny handlingsplan").click()
    assert_accessible(page)
    page.get_by_label("Navn").fill("Handlingsplan for opplevelsesøkonomi")
    page.get_by_label(re.compile(r"^Strategi")).select_option(label="Strategi for næringsutvikling i Troms (2018–2025)")
    page.get_by_label("OPP Opplevelsesøkonomi (Fokusområde)").check()
    page.get_by_label("Periode fra (år)").fill("2025")
    page.get_by_label("Periode til (år)").fill("2028")
    page.get_by_label("Rulleres hver").select_option("6")
    page.get_by_role("button", name="Lagre").click()
    _ok(page)

    # the first revision: three measures, then adopt
    page.get_by_role("link", name="Rullering 1 under arbeid").click()
    assert_accessible(page)
    for title in ("Helårs reiseliv", "Kulturnæring i regionene", "Festivalnettverk"):
        _add_measure(page, title)
    _adopt(page, "PS 10/25")
    screenshot(page, "plans-revision-adopted")

    # start the next revision from the plan page, read the brief
    page.get_by_role("link", name="Handlingsplan for opplevelsesøkonomi").first.click()
    page.get_by_role("button", name="Start neste rullering").click()
    _ok(page)
    page.get_by_role("link", name="Grunnlag for rulleringen").click()
    expect(page.get_by_role("heading", name="Midler per område")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Rullering 2").click()

    # change one measure, stop one, add one
    page.get_by_role("link", name="Helårs reiseliv").first.click()
    assert_accessible(page)
    page.get_by_role("link", name="Rediger", exact=True).click()
    page.get_by_label("Budsjett (kr)").fill("1 500 000")
    page.get_by_label("Begrunnelse for endringen").fill("Mer etterspørsel om vinteren")
    page.get_by_role("button", name="Lagre").click()
    _ok(page)
    page.get_by_role("link", name="Rullering 2").first.click()
    page.get_by_role("link", name="Festivalnettverk").first.click()
    page.get_by_role("link", name="Stopp tiltaket").click()
    assert_accessible(page)
    page.get_by_label("Hvorfor stoppes tiltaket?").fill("Dekkes av kulturavdelingen")
    page.get_by_role("button", name="Stopp tiltaket").click()
    _ok(page)
    _add_measure(page, "Opplevelser basert på samisk kultur", reason="Nytt behov fra reiselivet")

    # evaluate each measure of the plan in force
    for code, decision in (("T1", "Skalere opp"), ("T2", "Videreføre"), ("T3", "Stoppe")):
        page.get_by_role("region", name=re.compile("Evaluering og refleksjon")).first.get_by_role(
            "link", name=f"Evaluer {code}"
        ).click()
        assert_accessible(page)
        page.get_by_label("Hva ble gjort?").fill("Prosjekter i gang")
        page.get_by_label("Hva lærte vi?").fill("Samarbeid virker")
        page.get_by_label(decision).check()
        page.get_by_role("button", name="Lagre evaluering").click()
        _ok(page)
    expect(page.get_by_text("Evaluer T3 før vedtak")).to_have_count(0)
    _adopt(page, "PS 22/25")

    # the diff and the history
    page.get_by_role("link", name="Endringer mot vedtatt plan").click()
    table = page.get_by_role("table")
    expect(table.get_by_role("row", name=re.compile("Opplevelser basert på samisk kultur.*Lagt til"))).to_be_visible()
    expect(table.get_by_role("row", name=re.compile("Helårs reiseliv.*Endret"))).to_be_visible()
    expect(table.get_by_role("row", name=re.compile("Festivalnettverk.*Stoppet"))).to_be_visible()
    expect(table.get_by_role("row", name=re.compile("Kulturnæring i regionene.*Videreført"))).to_be_visible()
    expect(page.get_by_text("Mer etterspørsel om vinteren")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "plans-diff")
    page.get_by_role("link", name="Handlingsplan for opplevelsesøkonomi").first.click()
    history = page.get_by_role("region", name="Rulleringer").last
    expect(history.get_by_role("row")).to_have_count(3)  # a header and two revisions
    history.get_by_role("link", name="Rullering 1", exact=True).click()
    expect(page.get_by_text("En nyere rullering har erstattet den")).to_be_visible()
    expect(page.get_by_role("link", name="Legg til tiltak")).to_have_count(0)
    assert_accessible(page)


def test_the_demo_plan_is_readable_by_a_reader(page: Page):
    login(page, "leser")
    page.goto("/plans/")
    page.get_by_role("link", name="Handlingsplan for sirkulær økonomi 2021–2026").click()
    expect(page.get_by_role("link", name="Rediger plan")).to_have_count(0)
    assert_accessible(page)
    screenshot(page, "plans-demo")
    page.get_by_role("link", name="Rullering 3 under arbeid").click()
    expect(page.get_by_role("heading", name="Åpne forslag")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Grunnlag for rulleringen").click()
    expect(page.get_by_role("heading", name="Indikatorer som ikke er i rute")).to_be_visible()
    assert_accessible(page)
    response = page.request.get(page.url.replace("/brief/", "/brief.pdf"))
    assert response.headers["content-type"] == "application/pdf"
    page.goto("/plans/")
    page.get_by_role("link", name="Handlingsplan for sirkulær økonomi 2021–2026").click()
    page.get_by_role("link", name="Restråstoff tatt i bruk i nye produkter").click()
    expect(page.get_by_role("img", name="Restråstoff tatt i bruk i nye produkter")).to_be_visible()
    expect(page.get_by_role("table")).to_contain_text(re.compile(r"2\s300"))
    assert_accessible(page)
