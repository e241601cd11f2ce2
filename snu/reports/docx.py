"""DOCX renderer: the report for advisors who edit it further in Word. Tables are real Word tables.

Charts are SVG; Word needs a raster or EMF for them and no converter is installed, so each chart is
replaced by a short note pointing to the table that holds the same figures (the tables are all there).
"""

from __future__ import annotations

import io

from django.utils import translation
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt


def _set_language(document, language: str) -> None:
    tag = {"nb": "nb-NO", "en": "en-GB"}.get(language, "nb-NO")
    rpr = document.styles["Normal"].element.get_or_add_rPr()
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), tag)
    rpr.append(lang)
    document.core_properties.language = tag


def _table(document, block: dict) -> None:
    document.add_paragraph(block["title"], style="Caption")
    cols = block["columns"]
    t = document.add_table(rows=1, cols=len(cols))
    t.style = "Light List Accent 1"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, col in zip(t.rows[0].cells, cols, strict=True):
        cell.text = col["label"]
    header = t.rows[0]._tr
    tr_pr = header.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")  # repeat the header row on each page
    repeat.set(qn("w:val"), "true")
    tr_pr.append(repeat)
    for row in block["cells"]:
        cells = t.add_row().cells
        for cell, text, col in zip(cells, row, cols, strict=True):
            cell.text = text
            if col["type"] != "text":
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for row in t.rows:
        for cell in row.cells:
            for p in cell.paragraphs:
                for run in p.runs:
                    run.font.size = Pt(8.5)
    if block.get("note"):
        document.add_paragraph(block["note"]).runs[0].font.size = Pt(8)


def render_docx(report: dict) -> bytes:
    with translation.override(report["language"]):
        document = Document()
        document.core_properties.title = report["title"]
        document.core_properties.subject = report["subtitle"]
        document.core_properties.author = report["authority"]
        _set_language(document, report["language"])
        document.add_paragraph(report["authority"])
        document.add_heading(report["title"], level=0)
        document.add_paragraph(report["subtitle"])
        for label, value in report["key_figures"]:
            p = document.add_paragraph(style="List Bullet")
            p.add_run(f"{label}: ").bold = True
            p.add_run(value)
        for number, section in enumerate(report["sections"], start=1):
            document.add_heading(f"{number} {section['heading']}", level=1)
            for block in section["blocks"]:
                _block(document, block)
        buffer = io.BytesIO()
        document.save(buffer)
        return buffer.getvalue()


def _block(document, block: dict) -> None:
    kind = block["type"]
    if kind == "paragraph":
        document.add_paragraph(block["text"])
    elif kind == "list":
        for item in block["items"]:
            document.add_paragraph(item, style="List Bullet")
    elif kind == "subheading":
        document.add_heading(block["text"], level=2)
    elif kind == "note":
        document.add_paragraph(block["text"]).runs[0].italic = True
    elif kind == "figure":
        text = _("Figure: %(title)s. The table below holds the same figures.") % {"title": block["title"]}
        if block.get("source"):
            text += " " + block["source"]
        document.add_paragraph(text).runs[0].italic = True
    elif kind == "table":
        _table(document, block)
