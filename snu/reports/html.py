"""HTML and PDF renderers for the report structure: one template for the screen, the download and print."""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

STATIC = Path(__file__).resolve().parents[1] / "static"  # snu/static: the vendored Inter font lives here
CSS = Path(__file__).resolve().parent / "static" / "reports" / "report.css"


@cache
def _css() -> str:
    return CSS.read_text(encoding="utf-8")


def prepare(report: dict) -> dict:
    """Add what templates need and cannot compute: cells paired with their column's alignment."""
    for section in report["sections"]:
        for block in section["blocks"]:
            if block["type"] == "table":
                numeric = [c["type"] != "text" for c in block["columns"]]
                block["html_rows"] = [
                    [{"text": text, "num": num} for text, num in zip(row, numeric, strict=True)]
                    for row in block["cells"]
                ]
    report.setdefault("generated_iso", dt.date.today().isoformat())
    return report


def render_document(report: dict) -> str:
    """A standalone HTML document (styles inline) in the report's language."""
    with translation.override(report["language"]):
        context = {"report": prepare(report), "css": _css(), "page_word": _("Page"), "of_word": _("of")}
        return render_to_string("reports/document.html", context)


def render_pdf(report: dict) -> bytes:
    """A tagged PDF (PDF/UA-1: structure tags, document language and title) with the charts as vectors."""
    from weasyprint import HTML

    html = render_document(report)
    return HTML(string=html, base_url=str(STATIC) + "/").write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True)
