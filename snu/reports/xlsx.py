"""XLSX appendix: a contents sheet, then one sheet per table of the report, with raw numbers."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import xlsxwriter
from django.utils import translation
from django.utils.translation import gettext as _

from snu.lib.exports import neutralise_formula
from snu.reports.builder import all_tables

FORMATS = {"money": "#,##0.00", "share": "0.0%", "int": "#,##0", "date": "dd.mm.yyyy"}


def _sheet_name(title: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", " ", title).strip()[:28] or "Tabell"
    name, n = base, 2
    while name.lower() in used:
        name = f"{base[:25]} ({n})"
        n += 1
    used.add(name.lower())
    return name


def _value(value, kind: str):
    if value is None:
        return None
    if isinstance(value, Decimal):
        return float(value)
    if kind == "date" or hasattr(value, "isoformat"):
        return value
    return neutralise_formula(value) if isinstance(value, str) else value


def render_xlsx(report: dict) -> bytes:
    buffer = io.BytesIO()
    with translation.override(report["language"]):
        book = xlsxwriter.Workbook(buffer, {"in_memory": True, "remove_timezone": True})
        book.set_properties({"title": report["title"], "subject": report["subtitle"], "author": report["authority"]})
        bold = book.add_format({"bold": True})
        formats = {k: book.add_format({"num_format": v}) for k, v in FORMATS.items()}
        contents = book.add_worksheet(_sheet_name(_("Contents"), set()))
        contents.write(0, 0, report["title"], book.add_format({"bold": True, "font_size": 14}))
        contents.write(1, 0, report["subtitle"])
        contents.write(3, 0, _("Sheet"), bold)
        contents.write(3, 1, _("Table"), bold)
        contents.set_column(0, 0, 32)
        contents.set_column(1, 1, 60)
        used = {contents.name.lower()}
        for i, block in enumerate(all_tables(report), start=4):
            name = _sheet_name(block["title"], used)
            contents.write_url(i, 0, f"internal:'{name}'!A1", string=name)
            contents.write(i, 1, neutralise_formula(block["title"]))
            _write_table(book.add_worksheet(name), block, bold, formats)
        book.close()
    return buffer.getvalue()


def _write_table(sheet, block: dict, bold, formats: dict) -> None:
    sheet.write(0, 0, neutralise_formula(block["title"]), bold)
    for j, col in enumerate(block["columns"]):
        sheet.write(2, j, col["label"], bold)
        sheet.set_column(j, j, 16 if col["type"] != "text" else 36)
    for i, row in enumerate(block["rows"], start=3):
        for j, (value, col) in enumerate(zip(row, block["columns"], strict=True)):
            sheet.write(i, j, _value(value, col["type"]), formats.get(col["type"]))
    if block.get("note"):
        sheet.write(len(block["rows"]) + 4, 0, neutralise_formula(block["note"]))
    sheet.freeze_panes(3, 0)
