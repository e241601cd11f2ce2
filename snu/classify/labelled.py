"""Labelled rows for `snu evaluate`: a canonical import CSV (its labels column is the truth) and a strategy
from the database or a YAML file. Plain dicts out, as `snu.classify.evaluation.evaluate` takes them."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from snu.imports.layouts import suggest
from snu.imports.readers import open_table

FEATURES = ("title", "description", "scheme", "funding_source", "industry_code", "org_form")
LABEL_SPLIT = re.compile(r"[;,|/\s]+")
SHIPPED = Path(__file__).resolve().parent / "strategies"


class LabelledFileError(ValueError):
    pass


def read_labelled(path: str | Path) -> list[dict]:
    """Rows with a non-empty labels column: the model's input fields plus "labels" (a set of codes)."""
    table = open_table(Path(path))
    columns = suggest(table.headers)
    index = {field: i for i, h in enumerate(table.headers) if (field := columns.get(h))}
    if "labels" not in index:
        raise LabelledFileError(f"{path}: no labels column (headers: {', '.join(table.headers)})")
    rows = []
    for cells in table.rows:
        labels = {code.upper() for code in LABEL_SPLIT.split(_cell(cells, index, "labels")) if code}
        if labels:
            rows.append({**{f: _cell(cells, index, f) for f in FEATURES}, "labels": labels})
    return rows


def _cell(cells: list, index: dict[str, int], field: str) -> str:
    i = index.get(field)
    return str(cells[i]).strip() if i is not None and i < len(cells) and cells[i] is not None else ""


def strategy_from_yaml(path: str | Path) -> tuple[list[dict], str]:
    """(elements, language) from a strategy file, without loading it into the database."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    elements = [
        {
            "kind": e.get("kind", "focus_area"),
            "code": str(e["code"]),
            "name": e.get("name") or {},
            "description": e.get("description") or {},
            "keywords": e.get("keywords") or {},
            "industry_codes": [str(c) for c in e.get("industry_codes") or []],
        }
        for e in data.get("elements", [])
    ]
    language = data.get("language") or next(iter(data.get("name") or {}), "nb")
    return elements, language


def find_strategy_file(code: str) -> Path | None:
    """A YAML path, or a shipped evaluation strategy by file name or code (e.g. dk_erdf, DK-ERDF-2007)."""
    candidate = Path(code)
    if candidate.suffix in (".yaml", ".yml") and candidate.exists():
        return candidate
    for path in sorted(SHIPPED.glob("*.yaml")):
        if path.stem == code:
            return path
        head = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if str(head.get("code", "")).lower() == code.lower():
            return path
    return None
