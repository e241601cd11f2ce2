from __future__ import annotations

import io
import subprocess
import tempfile
from pathlib import Path

import docx
import python_calamine
from django.core.management import call_command

from snu.reports.builder import build_report
from snu.reports.render import render
from snu.reports.tests.base import PERSON, ReportTestCase


def pdf_text(body: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(body)
        f.flush()
        return subprocess.run(["pdftotext", "-layout", f.name, "-"], capture_output=True, check=True, text=True).stdout


class FormatsTestCase(ReportTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()

    def report(self, language: str = "nb") -> dict:
        return build_report(self.authority, 2018, self.strategy, language)

    def test_it_writes_a_tagged_pdf_with_the_figures(self):
        body, content_type, name = render(self.report(), "pdf")
        self.assertEqual(content_type, "application/pdf")
        self.assertEqual(name, "arsrapport-troms-2018-nb.pdf")
        info = subprocess.run(["pdfinfo", "-"], input=body, capture_output=True, check=True).stdout.decode()
        self.assertRegex(info, r"Tagged:\s+yes")
        self.assertIn("Regional næringsutvikling i Troms 2018", info)
        text = pdf_text(body)
        self.assertIn("Regional næringsutvikling i Troms 2018", text)
        self.assertIn("Kartverket", text)
        self.assertIn("463\u00a0334\u00a0kr".replace("\u00a0", " "), text.replace("\u00a0", " "))
        self.assertNotIn("Nordmann", text)

    def test_it_writes_html_in_the_report_language(self):
        body, _type, _name = render(self.report("en"), "html")
        html = body.decode()
        self.assertIn('<html lang="en">', html)
        self.assertIn("<svg", html)
        self.assertNotIn(PERSON, html)

    def test_it_writes_a_docx_with_word_tables(self):
        body, _type, _name = render(self.report(), "docx")
        document = docx.Document(io.BytesIO(body))
        self.assertEqual(document.core_properties.title, "Regional næringsutvikling i Troms 2018")
        self.assertGreaterEqual(len(document.tables), 8)
        cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
        self.assertIn("Harstad Havbruk SA", cells)
        self.assertNotIn(PERSON, " ".join(cells) + " ".join(p.text for p in document.paragraphs))

    def test_it_writes_every_table_to_the_xlsx_appendix(self):
        report = self.report()
        body, _type, name = render(report, "xlsx")
        self.assertTrue(name.endswith("-vedlegg-tabeller.xlsx"))
        with tempfile.NamedTemporaryFile(suffix=".xlsx") as f:
            f.write(body)
            f.flush()
            book = python_calamine.CalamineWorkbook.from_path(f.name)
            names = book.sheet_names
            self.assertEqual(names[0], "Innhold")
            focus = book.get_sheet_by_name("Midler per fokusområde").to_python()
            all_cells = [str(v) for n in names for row in book.get_sheet_by_name(n).to_python() for v in row]
        n_tables = sum(1 for s in report["sections"] for b in s["blocks"] if b["type"] == "table")
        self.assertEqual(len(names), n_tables + 1)
        self.assertEqual(focus[2][:2], ["Fokusområde", "Beløp"])
        self.assertEqual(next(row for row in focus if row[0] == "Sum")[1], 463333.84)
        self.assertFalse([v for v in all_cells if PERSON in v])

    def test_it_neutralises_formula_looking_text_in_the_xlsx(self):
        self.a2.recipient.name = self.a2.recipient_name = '=HYPERLINK("http://x")'
        self.a2.save()
        body, _type, _name = render(self.report(), "xlsx")
        with tempfile.NamedTemporaryFile(suffix=".xlsx") as f:
            f.write(body)
            f.flush()
            book = python_calamine.CalamineWorkbook.from_path(f.name)
            cells = [str(v) for n in book.sheet_names for row in book.get_sheet_by_name(n).to_python() for v in row]
        self.assertTrue(any(v.startswith("'=HYPERLINK") for v in cells))
        self.assertFalse(any(v.startswith("=") for v in cells))

    def test_it_writes_the_report_from_the_command_line(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "r.docx"
            call_command(
                "report",
                "--year",
                "2018",
                "--format",
                "docx",
                "--output",
                str(out),
                "--strategy",
                "troms-snu-2018",
                "--language",
                "en",
                "--authority",
                "troms",
                stdout=io.StringIO(),
            )
            document = docx.Document(str(out))
        self.assertEqual(document.core_properties.title, "Regional development of trade and industry in Troms 2018")
