"""Reads for the report pages."""

from __future__ import annotations

from snu.grants.models import Allocation
from snu.reports import texts
from snu.reports.models import ReportText


def report_years(authority) -> list[int]:
    """Years with allocations, newest first."""
    if authority is None:
        return []
    years = Allocation.objects.filter(authority=authority).values_list("year", flat=True).distinct()
    return sorted(set(years), reverse=True)


def current_texts(authority, year: int, language: str) -> dict[str, str]:
    """Each section's text as the report uses it: the advisor's, else the default."""
    custom = dict(
        ReportText.objects.filter(authority=authority, year=year, language=language).values_list("section", "body")
    )
    return {key: custom.get(key) or texts.default_text(key, language) for key in texts.SECTIONS}


def edited_sections(authority, year: int, language: str) -> set[str]:
    return set(
        ReportText.objects.filter(authority=authority, year=year, language=language).values_list("section", flat=True)
    )
