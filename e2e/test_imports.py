from __future__ import annotations

from pathlib import Path

from conftest import assert_accessible, login, screenshot
from playwright.sync_api import Page, expect

GOOD = "saksnummer;prosjektnavn;søker;organisasjonsnummer;kommune;tilskuddsordning;innvilget beløp;vedtaksdato;status\n2024/E2E-1;Kai på Botnhamn;Senja kommune;940 331 102;Lenvik;Kaier;kr 1 250 000,-;01.03.2024;innvilget\n"
BAD = "saksnummer;søker;organisasjonsnummer;kommune;innvilget beløp;vedtaksdato\nB-1;Feil AS;871404063;Tromsø;100;01.01.2024\nB-2;Ukjent AS;;Atlantis;100;01.01.2024\nB-3;Tall AS;;Tromsø;12 3x4;01.01.2024\n"


def upload(page: Page, tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    page.goto("/import/")
    page.get_by_label("Tilskuddsfil").set_input_files(str(path))
    page.get_by_role("button", name="Last opp og forhåndsvis").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)


def test_the_allocation_list_filters_and_shows_details(page: Page):
    login(page, "leser")
    page.goto("/allocations/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tildelinger")
    assert_accessible(page)
    screenshot(page, "allocations-list")
    page.get_by_label("Søk i tittel, mottaker, saksnummer eller organisasjonsnummer").fill("VISIT SENJA")
    page.get_by_label("Kommunenavn").select_option("historical")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_role("cell", name="Lenvik").first).to_be_visible()
    page.get_by_role("link", name="VISIT SENJA AS").first.click()
    expect(page.get_by_text("5530 Senja")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "allocation-detail")


def test_an_advisor_imports_a_case_system_export(page: Page, tmp_path: Path):
    login(page, "radgiver")
    upload(page, tmp_path, "saker.csv", GOOD)
    expect(page.get_by_text("Gjenkjent som")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "import-confirm")
    page.get_by_role("button", name="Importer filen").click()
    expect(page.get_by_text("Filen ble importert.")).to_be_visible(timeout=30_000)
    assert_accessible(page)
    page.goto("/allocations/?q=2024/E2E-1")
    expect(page.get_by_role("link", name="Senja kommune")).to_be_visible()


def test_a_bad_file_is_refused_with_every_problem(page: Page, tmp_path: Path):
    login(page, "radgiver")
    upload(page, tmp_path, "feil.csv", BAD)
    page.get_by_role("button", name="Importer filen").click()
    expect(page.get_by_text("ingenting ble lagret")).to_be_visible(timeout=30_000)
    for value in ["871404063", "Atlantis", "12 3x4"]:
        expect(page.get_by_role("cell", name=value)).to_be_visible()
    assert_accessible(page)
    screenshot(page, "import-refused")
    page.goto("/import/")
    expect(page.get_by_role("link", name="feil.csv").first).to_be_visible()
    assert_accessible(page)
