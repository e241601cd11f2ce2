"""One entry point for every output format: `render(report, fmt) -> (bytes, content type, file name)`."""

from __future__ import annotations

from django.utils.text import slugify

FORMATS = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def filename(report: dict, fmt: str) -> str:
    stem = "vedlegg-tabeller" if fmt == "xlsx" and report["language"] == "nb" else "tables" if fmt == "xlsx" else ""
    parts = [slugify(report["region"]) or "region", str(report["year"]), report["language"]] + ([stem] if stem else [])
    return "arsrapport-" + "-".join(parts) + f".{fmt}"


def render(report: dict, fmt: str) -> tuple[bytes, str, str]:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    if fmt == "html":
        from snu.reports.html import render_document

        body = render_document(report).encode("utf-8")
    elif fmt == "pdf":
        from snu.reports.html import render_pdf

        body = render_pdf(report)
    elif fmt == "docx":
        from snu.reports.docx import render_docx

        body = render_docx(report)
    else:
        from snu.reports.xlsx import render_xlsx

        body = render_xlsx(report)
    return body, FORMATS[fmt], filename(report, fmt)
