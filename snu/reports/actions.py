"""Every change to report texts goes through these functions."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from snu.core import audit
from snu.core.models import Authority
from snu.reports import texts
from snu.reports.models import ReportText


@transaction.atomic
def save_report_text(
    actor: Any, authority: Authority, *, year: int, section: str, language: str, body: str
) -> ReportText | None:
    """Store an advisor's text for one section. An empty text, or the default text, removes the advisor's
    version so the default (which follows later changes to the wording) applies again."""
    if section not in texts.SECTIONS:
        raise ValueError(f"unknown report section {section!r}")
    body = body.replace("\r\n", "\n").strip()
    existing = ReportText.objects.filter(authority=authority, year=year, section=section, language=language).first()
    if not body or body == texts.default_text(section, language).strip():
        if existing is not None:
            audit.record_delete(actor, existing, audit.snapshot(existing), action="save_report_text")
            existing.delete()
        return None
    user = actor if getattr(actor, "is_authenticated", False) else None
    if existing is None:
        text = ReportText.objects.create(
            authority=authority, year=year, section=section, language=language, body=body, updated_by=user
        )
        audit.record_create(actor, text, action="save_report_text")
        return text
    if existing.body == body:
        return existing
    before = audit.snapshot(existing)
    existing.body, existing.updated_by = body, user
    existing.save(update_fields=["body", "updated_by", "updated_at"])
    audit.record_update(actor, existing, before, action="save_report_text")
    return existing
