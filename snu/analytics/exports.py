"""Renderers for panel data: JSON (the twin of a panel), CSV and XLSX (its table)."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import xlsxwriter


def plain(value):
    """JSON-ready: Decimal money as a string with øre (exact), nested dicts and lists walked."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items() if not k.startswith("_") or k == "_drill"}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if hasattr(value, "__html__") or value.__class__.__name__ == "__proxy__":
        return str(value)
    return value


def to_json(data: dict) -> str:
    return json.dumps(plain(data), ensure_ascii=False, indent=1, default=str)


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def to_csv(columns: list[dict], rows: list[dict]) -> str:
    """UTF-8 CSV with a header of the columns' labels and their keys' raw values (dot decimals, exact)."""
    out = io.StringIO()
    out.write("\ufeff")  # so spreadsheet programs read the Norwegian letters right
    writer = csv.writer(out)
    writer.writerow([str(c["label"]) for c in columns])
    for row in rows:
        writer.writerow([_cell(row.get(c["key"])) for c in columns])
    return out.getvalue()


def to_xlsx(title: str, columns: list[dict], rows: list[dict], notes: list[str] = ()) -> bytes:  # type: ignore[assignment]
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet(str(title)[:31].replace("/", "-").replace(":", "-") or "Data")
    bold = book.add_format({"bold": True})
    formats = {
        "money": book.add_format({"num_format": "# ##0.00"}),
        "share": book.add_format({"num_format": "0.0%"}),
        "int": book.add_format({"num_format": "0"}),
    }
    sheet.write(0, 0, str(title), bold)
    for j, column in enumerate(columns):
        sheet.write(2, j, str(column["label"]), bold)
        sheet.set_column(j, j, 16 if column["type"] != "text" else 30)
    for i, row in enumerate(rows, start=3):
        for j, column in enumerate(columns):
            value = row.get(column["key"])
            if value is None:
                continue
            fmt = formats.get(column["type"])
            if isinstance(value, Decimal | int | float) and fmt is not None:
                sheet.write_number(i, j, float(value), fmt)
            else:
                sheet.write(i, j, str(value))
    for k, note in enumerate(notes):
        sheet.write(len(rows) + 4 + k, 0, str(note))
    book.close()
    return buffer.getvalue()
