"""The annual report in the browser: choose, read (axe), edit texts as an advisor, and the PDF as pages."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from conftest import assert_accessible, login, screenshot
from PIL import Image
from playwright.sync_api import Page, expect


def test_a_reader_reads_the_2018_report(page: Page):
    login(page, "leser")
    page.goto("/reports/?year=2018&language=nb")
    expect(page.get_by_role("heading", name="Årsrapport", level=1)).to_be_visible()
    assert_accessible(page)
    expect(page.get_by_role("link", name="Rediger tekstene")).to_have_count(0)
    page.get_by_role("link", name="Les rapporten").click()
    expect(page.get_by_role("heading", name="Regional næringsutvikling i Troms 2018", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="5 Kommuner")).to_be_visible()
    expect(page.get_by_text("Kartverket").first).to_be_visible()
    assert_accessible(page)
    screenshot(page, "reports-preview")
    page.goto("/reports/2018/report.html?language=en")
    expect(page.get_by_role("heading", name="Regional development of trade and industry in Troms 2018")).to_be_visible()
    assert_accessible(page)


def test_an_advisor_writes_the_summary(page: Page):
    login(page, "radgiver")
    page.goto("/reports/2018/texts/?language=nb")
    expect(page.get_by_role("heading", name="Rapporttekster 2018 (Norsk bokmål)")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Sammendrag").fill("Et godt år for Troms: {total_mnok} til {count} tildelinger.")
    page.get_by_role("button", name="Lagre tekstene").click()
    expect(page.get_by_role("status")).to_contain_text("lagret")
    page.goto("/reports/2018/?language=nb")
    expect(page.get_by_text("Et godt år for Troms: 271,6")).to_be_visible()


def test_the_pdf_pages_are_not_blank(page: Page):
    login(page, "leser")
    response = page.request.get("/reports/2018/report.pdf?language=nb")
    assert response.ok and response.headers["content-type"] == "application/pdf"
    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "report.pdf"
        pdf.write_bytes(response.body())
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True, text=True).stdout
        assert "Regional næringsutvikling i Troms 2018" in text
        assert "Kartverket" in text
        subprocess.run(["pdftoppm", "-png", "-r", "40", str(pdf), str(Path(tmp) / "page")], check=True)
        pages = sorted(Path(tmp).glob("page-*.png"))
        assert len(pages) >= 8
        for png in pages:
            grey = Image.open(png).convert("L")
            inked = sum(grey.histogram()[:200])
            assert inked > 200, f"{png.name} looks blank ({inked} dark pixels)"
