"""Helpers for file exports (CSV, XLSX, JSON) that any app can use."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import Any

# A spreadsheet treats a cell starting with one of these as a formula (CSV/formula injection, OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value: Any) -> Any:
    """Prefix text that a spreadsheet would run as a formula with a single quote; leave other values alone.

    Numbers (int, Decimal, float) pass unchanged, so a negative amount stays a number.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(row: Iterable[Any]) -> list[Any]:
    return [neutralise_formula(value) for value in row]


class _Echo:
    """A file-like object whose write returns the line, for streaming csv.writer output."""

    def write(self, value: str) -> str:
        return value


def stream_csv(header: Iterable[str], rows: Iterable[Iterable[Any]], *, bom: bool = True) -> Iterator[str]:
    """CSV lines, formula cells neutralised; a BOM first so Excel reads UTF-8 (and `æøå`) correctly."""
    writer = csv.writer(_Echo())
    if bom:
        yield "\ufeff"
    yield writer.writerow(safe_row(header))
    for row in rows:
        yield writer.writerow(safe_row(row))
